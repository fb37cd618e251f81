package io.spiffe4j.tls;

import io.spiffe4j.SpiffeException;

/**
 * A verified peer is not allowed: its SPIFFE ID is not the one an {@link Authorizer} expects. The message names the
 * peer's ID and what was expected. No SPIFFE rule applies (authorization is the application's policy), so
 * {@link #rule()} is empty.
 *
 * <p>Authorizers written as lambdas throw it to reject a peer. Immutable and thread-safe.
 */
public final class AuthorizationException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** A rejection; {@code reason} names the peer's ID and what was expected, and never holds secrets. */
  public AuthorizationException(String reason) {
    super(reason, null, null);
  }

  /** A rejection caused by another failure, for example a policy lookup. */
  public AuthorizationException(String reason, Throwable cause) {
    super(reason, null, cause);
  }
}
