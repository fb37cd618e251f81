package io.spiffe4j.workloadapi;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The state of a live source at one instant, for health checks and metrics: when it last got an update, how long its
 * SVID has left, whether its watches are connected, and the last error they saw. Times are read from the source's
 * clock.
 *
 * <p>Immutable and thread-safe; a new value each time the source is asked.
 */
public final class SourceHealth {
  private final Instant checkedAt;
  private final Instant lastUpdate;
  private final Instant svidExpiresAt;
  private final boolean connected;
  private final WorkloadApiException lastError;
  private final boolean serving;
  private final boolean closed;

  SourceHealth(Instant checkedAt, Instant lastUpdate, Instant svidExpiresAt, boolean connected,
      WorkloadApiException lastError, boolean serving, boolean closed) {
    this.checkedAt = checkedAt;
    this.lastUpdate = lastUpdate;
    this.svidExpiresAt = svidExpiresAt;
    this.connected = connected;
    this.lastError = lastError;
    this.serving = serving;
    this.closed = closed;
  }

  /** The instant this value describes. */
  public Instant checkedAt() {
    return checkedAt;
  }

  /** When the source last got an update from the endpoint, on any of its watches. */
  public Optional<Instant> lastUpdate() {
    return Optional.ofNullable(lastUpdate);
  }

  /** How long ago the last update came, as of {@link #checkedAt()}. */
  public Optional<Duration> lastUpdateAge() {
    return lastUpdate().map(at -> Duration.between(at, checkedAt));
  }

  /** The notAfter of the X509-SVID an {@link X509Source} serves; empty for other sources or when it has none. */
  public Optional<Instant> svidExpiresAt() {
    return Optional.ofNullable(svidExpiresAt);
  }

  /** How long the served X509-SVID has left as of {@link #checkedAt()}; negative once it expired. */
  public Optional<Duration> svidTimeToExpiry() {
    return svidExpiresAt().map(at -> Duration.between(checkedAt, at));
  }

  /**
   * Whether every watch of the source is connected: its stream delivered an update and has not failed since.
   * False while a watch waits to reconnect, after it stopped for good, and once the source is closed.
   */
  public boolean connected() {
    return connected;
  }

  /**
   * The most recent error of the source's watches, even if they have recovered since ({@link #connected()} says
   * whether they have). A non-retryable one means the watch stopped for good and no update will come.
   */
  public Optional<WorkloadApiException> lastError() {
    return Optional.ofNullable(lastError);
  }

  /**
   * Whether the source can serve right now: it is open and its current state is usable (for an {@link X509Source},
   * an SVID the picker accepts that is not expired).
   */
  public boolean serving() {
    return serving;
  }

  public boolean closed() {
    return closed;
  }

  @Override
  public String toString() {
    return "SourceHealth{serving=" + serving + ", connected=" + connected
        + ", lastUpdateAge=" + lastUpdateAge().map(Duration::toString).orElse("none")
        + (svidExpiresAt == null ? "" : ", svidTimeToExpiry=" + svidTimeToExpiry().orElseThrow())
        + (lastError == null ? "" : ", lastError=" + lastError.kind())
        + (closed ? ", closed" : "") + "}";
  }
}
