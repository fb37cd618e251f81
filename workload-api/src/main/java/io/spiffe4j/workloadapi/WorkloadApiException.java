package io.spiffe4j.workloadapi;

import io.spiffe4j.SpiffeException;
import java.util.Objects;
import java.util.Optional;

/**
 * A Workload API operation failed: the endpoint address is wrong, the endpoint could not be reached or refused the
 * call, its answer broke the standard, or the client was closed. The {@linkplain #kind() kind} says which, and
 * {@link #isRetryable()} says whether trying again can help (Workload Endpoint standard, Appendix A, WEP-14).
 * When the endpoint answered with a gRPC status, {@link #statusCode()} names it ({@code UNAVAILABLE},
 * {@code PERMISSION_DENIED}, ...); no gRPC or Netty type is ever exposed.
 *
 * <p>Messages never contain tokens, keys or certificate bodies. Immutable and thread-safe.
 */
public final class WorkloadApiException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, and whether retrying can help. */
  public enum Kind {
    /** The endpoint address breaks the Workload Endpoint URI rules (WEP-07/08/09). Fix the configuration. */
    INVALID_ADDRESS(false),
    /** No address was configured and {@code SPIFFE_ENDPOINT_SOCKET} is unset or empty (WEP-06). */
    NO_ADDRESS(false),
    /** The endpoint cannot be reached or answered {@code UNAVAILABLE} (WEP-12): retry with backoff. */
    UNAVAILABLE(true),
    /**
     * The endpoint has no identity for this workload yet ({@code PERMISSION_DENIED}, WEP-13): retry with backoff,
     * for example until the workload is registered.
     */
    NO_IDENTITY(true),
    /** The endpoint refused the request as invalid ({@code INVALID_ARGUMENT}, WEP-11/14): do not retry. */
    INVALID_ARGUMENT(false),
    /** The endpoint does not implement the call ({@code UNIMPLEMENTED}, WEP-14): do not retry. */
    UNIMPLEMENTED(false),
    /** No answer came within the deadline: retry. */
    DEADLINE_EXCEEDED(true),
    /** Another gRPC status (for example {@code INTERNAL} or {@code UNKNOWN}); treated as transient. */
    OTHER_STATUS(true),
    /**
     * The endpoint's answer broke the Workload API standard (a mandatory field empty, WAPI-06, or a malformed SVID
     * or bundle). The message is discarded; the endpoint's next full-state answer may be valid, so retrying can help.
     */
    INVALID_RESPONSE(true),
    /** The client or watch was closed, or the waiting thread was interrupted. */
    CLOSED(false);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether trying the same operation again can succeed without changing anything on the caller's side. */
    public boolean isRetryable() {
      return retryable;
    }
  }

  private final Kind kind;
  private final String statusCode;

  WorkloadApiException(Kind kind, String statusCode, String reason, String rule, Throwable cause) {
    super(reason, rule, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.statusCode = statusCode;
  }

  WorkloadApiException(Kind kind, String reason, String rule) {
    this(kind, null, reason, rule, null);
  }

  /** A copy thrown on the caller's thread, so that its stack trace shows the caller rather than a gRPC thread. */
  WorkloadApiException rethrown() {
    return new WorkloadApiException(kind, statusCode, reason(), rule().orElse(null), getCause());
  }

  public Kind kind() {
    return kind;
  }

  /** Whether trying the same operation again can succeed; the same as {@code kind().isRetryable()}. */
  public boolean isRetryable() {
    return kind.isRetryable();
  }

  /** The name of the gRPC status code the endpoint answered with, for example {@code UNAVAILABLE}, if any. */
  public Optional<String> statusCode() {
    return Optional.ofNullable(statusCode);
  }
}
