package io.spiffe4j.workloadapi;

import io.spiffe4j.SpiffeException;
import java.util.Objects;
import java.util.Optional;

/**
 * A live source ({@link X509Source}, {@link JwtSource}, {@link BundleSource}) cannot serve: it did not get a usable
 * first update in time, its watch was refused for good, its current SVID is gone or expired, or it is closed. The
 * {@linkplain #kind() kind} says which and {@link #isRetryable()} whether waiting or trying again can help. When the
 * Workload API's own failure explains it (for example {@code PERMISSION_DENIED} while waiting for the first update),
 * {@link #endpointError()} gives that failure.
 *
 * <p>Messages name the source, the endpoint, SPIFFE IDs and instants; never tokens, keys or certificate bodies.
 * Immutable and thread-safe.
 */
public final class SourceException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** Why the source cannot serve. */
  public enum Kind {
    /**
     * No usable update arrived within the source's {@code initTimeout}; the message says what was missing and the
     * endpoint's last error, if any. The source was not started.
     */
    INIT_TIMEOUT(true),
    /**
     * The endpoint refused the source's watch for good ({@code INVALID_ARGUMENT} or {@code UNIMPLEMENTED}, WEP-14),
     * or its client was closed, before the first usable update. The source was not started.
     */
    STOPPED(false),
    /**
     * The endpoint's latest update has no SVID the source's picker accepts (for example none with the configured
     * hint): the SVID used before was withdrawn and is no longer served (WAPI-08). A later update may bring one.
     */
    NO_SVID(true),
    /** The SVID is expired at the source's clock and no newer one has arrived (X509-16, JWT-09). */
    EXPIRED(true),
    /** The source is closed, or the thread waiting for it was interrupted. */
    CLOSED(false);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether waiting or trying again can succeed without changing anything on the caller's side. */
    public boolean isRetryable() {
      return retryable;
    }
  }

  private final Kind kind;

  SourceException(Kind kind, String reason, String rule, WorkloadApiException endpointError) {
    super(reason, rule, endpointError);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  SourceException(Kind kind, String reason, String rule) {
    this(kind, reason, rule, null);
  }

  public Kind kind() {
    return kind;
  }

  /** The same as {@code kind().isRetryable()}. */
  public boolean isRetryable() {
    return kind.isRetryable();
  }

  /** The Workload API failure behind this one, if any: the cause. */
  public Optional<WorkloadApiException> endpointError() {
    return Optional.ofNullable((WorkloadApiException) getCause());
  }
}
