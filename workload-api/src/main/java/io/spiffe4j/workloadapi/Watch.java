package io.spiffe4j.workloadapi;

/**
 * A running watch of a Workload API stream, as returned by {@code WorkloadApiClient.watch...}. It keeps the stream
 * open and reconnects until it is closed or stops on a non-retryable error. Thread-safe.
 */
public interface Watch extends AutoCloseable {
  /**
   * Cancels the stream and any pending reconnect. No callback starts after this returns (one already running may
   * finish). Idempotent.
   */
  @Override
  void close();

  /** Whether the watch is still running: neither closed nor stopped on a non-retryable error. */
  boolean isActive();
}
