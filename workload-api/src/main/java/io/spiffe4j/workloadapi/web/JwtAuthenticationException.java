package io.spiffe4j.workloadapi.web;

import io.spiffe4j.SpiffeException;
import java.util.Objects;

/**
 * A request could not be authenticated by a JWT-SVID bearer token. The {@linkplain #failure() failure} tells a web
 * filter how to answer; the message says why for the server's logs, never with the token, and is not meant for the
 * client. Immutable and thread-safe.
 */
public final class JwtAuthenticationException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** Why authentication failed, from the client's point of view. */
  public enum Failure {
    /** No {@code Authorization} header: the client did not try to authenticate. */
    MISSING_CREDENTIALS,
    /** An {@code Authorization} header of another scheme than {@code Bearer}, or more than one header. */
    NOT_BEARER,
    /** A bearer token that is malformed, untrusted, expired or not for this service's audience. */
    INVALID_TOKEN,
    /** The token could not be checked now (the Workload API or the bundle source is unavailable); not the client's fault. */
    UNAVAILABLE
  }

  private final Failure failure;

  JwtAuthenticationException(Failure failure, String reason, String rule, Throwable cause) {
    super(reason, rule, cause);
    this.failure = Objects.requireNonNull(failure, "failure");
  }

  public Failure failure() {
    return failure;
  }

  /**
   * The HTTP status to answer with: 401 when the client must (re)authenticate (RFC 6750 §3.1), 503 when the token
   * could not be checked, so clients retry instead of fetching a new token.
   */
  public int httpStatus() {
    return failure == Failure.UNAVAILABLE ? 503 : 401;
  }

  /**
   * The {@code WWW-Authenticate} challenge of a 401, or null for a 503. Per RFC 6750 §3.1 a request without bearer
   * credentials gets a bare {@code Bearer} challenge, and one with a bad token {@code Bearer error="invalid_token"};
   * no description, so nothing about the validation leaks to the client.
   */
  public String challenge() {
    switch (failure) {
      case MISSING_CREDENTIALS:
      case NOT_BEARER:
        return "Bearer";
      case INVALID_TOKEN:
        return "Bearer error=\"invalid_token\"";
      default:
        return null;
    }
  }
}
