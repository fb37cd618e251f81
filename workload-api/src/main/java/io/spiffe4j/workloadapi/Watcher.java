package io.spiffe4j.workloadapi;

/**
 * Receives the updates of a {@link Watch}. Callbacks of one watch never run concurrently and come in order, on the
 * client's callback executor; they should return quickly. An exception thrown by a callback is logged and does not
 * stop the watch.
 *
 * @param <T> the update type, a full state each time (WAPI-04)
 */
@FunctionalInterface
public interface Watcher<T> {
  /** A new full state from the endpoint; it replaces every earlier one. */
  void onUpdate(T update);

  /**
   * A transient failure: the endpoint could not be reached, refused the call with a retryable code, ended the stream,
   * or sent an invalid message that was discarded (WAPI-06). The watch goes on by itself: it reconnects after a
   * backoff, or waits for the next message. Ignored by default.
   */
  default void onError(WorkloadApiException error) {
  }

  /**
   * The watch has stopped for good because the endpoint refused it with a non-retryable code
   * ({@code INVALID_ARGUMENT} or {@code UNIMPLEMENTED}, WEP-14), or the client was closed under it. Not called when
   * the caller closes the watch itself. Ignored by default.
   */
  default void onStopped(WorkloadApiException error) {
  }
}
