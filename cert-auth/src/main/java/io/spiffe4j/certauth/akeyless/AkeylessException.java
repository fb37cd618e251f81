package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.SpiffeException;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An Akeyless API call failed. The {@linkplain #kind() kind} says why and {@link #isRetryable()} whether trying
 * again can help; {@link #operation()} names the API operation ({@code auth}, {@code get-cert-challenge},
 * {@code get-pki-certificate}), {@link #httpStatus()} the status the server answered with, and
 * {@link #serverError()} the text of Akeyless's {@code {"error": ...}} answer (trimmed, at most
 * {@value #MAX_SERVER_ERROR_LENGTH} characters, with any secret the request carried replaced by
 * {@code [redacted]}). Do not branch on that text: Akeyless does not document it.
 *
 * <p>Messages never contain access keys, private keys, tokens, cloud identity tokens or signed challenges, and never
 * a request or response body. Immutable and thread-safe.
 */
public final class AkeylessException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** The longest {@link #serverError()} kept; longer texts are cut. */
  public static final int MAX_SERVER_ERROR_LENGTH = 300;

  /** What went wrong, and whether retrying can help. */
  public enum Kind {
    /**
     * The caller's configuration or request cannot be used (a gateway URL that is not http(s) or has a query, an
     * unreadable CA bundle, a malformed CSR); nothing was sent.
     */
    INVALID_INPUT(false),
    /** The local credential could not be obtained: a service-account or cloud identity token, or a signature. */
    CREDENTIALS(false),
    /** Akeyless refused the credentials or the token (HTTP 401). */
    UNAUTHENTICATED(false),
    /** The authenticated identity may not do this (HTTP 403). */
    PERMISSION_DENIED(false),
    /** The item, for example the PKI issuer, does not exist (HTTP 404). */
    NOT_FOUND(false),
    /** Akeyless rejected the request as invalid or against policy (another 4xx status). */
    REJECTED(false),
    /** The gateway could not be reached, timed out or failed (5xx): retry with backoff. */
    UNAVAILABLE(true),
    /** The TLS handshake failed, for example because the gateway's certificate is not trusted. */
    TLS(false),
    /**
     * The answer is not the Akeyless API: not JSON, the wrong content type, too large, or a required field such as
     * {@code token}, {@code challenge} or {@code data} is missing or malformed. Usually a wrong gateway URL (a
     * proxy or web page answered) or an incompatible server.
     */
    PROTOCOL(false),
    /** The client was closed, or the calling thread was interrupted while waiting. */
    CLOSED(false);

    private final boolean retryable;

    Kind(boolean retryable) {
      this.retryable = retryable;
    }

    /** Whether the same call can succeed later without any change on the caller's side. */
    public boolean isRetryable() {
      return retryable;
    }
  }

  private final Kind kind;
  private final String operation;
  private final int httpStatus;
  private final String serverError;
  private final String problem;

  AkeylessException(Kind kind, String operation, int httpStatus, String serverError, String problem,
      Throwable cause) {
    super(describe(kind, operation, httpStatus, serverError, problem), null, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
    this.operation = Objects.requireNonNull(operation, "operation");
    this.httpStatus = httpStatus;
    this.serverError = serverError;
    this.problem = problem;
  }

  /** A failure without an HTTP answer. */
  AkeylessException(Kind kind, String operation, String problem, Throwable cause) {
    this(kind, operation, 0, null, problem, cause);
  }

  AkeylessException(Kind kind, String operation, String problem) {
    this(kind, operation, problem, null);
  }

  private static String describe(Kind kind, String operation, int status, String serverError, String problem) {
    StringBuilder message = new StringBuilder("akeyless ").append(operation).append(": ").append(problem);
    if (status > 0) {
      message.append(" (HTTP ").append(status).append(')');
    }
    if (serverError != null) {
      message.append(": ").append(serverError);
    }
    return message.append(" [").append(kind).append(']').toString();
  }

  /** A copy thrown on another caller's thread, so its stack trace shows that caller. */
  AkeylessException rethrown() {
    return new AkeylessException(kind, operation, httpStatus, serverError, problem, this);
  }

  public Kind kind() {
    return kind;
  }

  /** Whether trying the same call again can succeed; the same as {@code kind().isRetryable()}. */
  public boolean isRetryable() {
    return kind.isRetryable();
  }

  /** The API operation that failed, for example {@code auth} or {@code get-pki-certificate}. */
  public String operation() {
    return operation;
  }

  /** The HTTP status Akeyless answered with, if it answered. */
  public OptionalInt httpStatus() {
    return httpStatus > 0 ? OptionalInt.of(httpStatus) : OptionalInt.empty();
  }

  /** The text of Akeyless's {@code {"error": ...}} answer, trimmed, bounded and redacted, if there was one. */
  public Optional<String> serverError() {
    return Optional.ofNullable(serverError);
  }
}
