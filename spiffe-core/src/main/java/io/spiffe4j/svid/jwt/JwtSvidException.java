package io.spiffe4j.svid.jwt;

import io.spiffe4j.SpiffeException;

/**
 * A JWT-SVID is malformed or failed validation. The {@linkplain #rule() rule} is the JWT-SVID rule (JWT-xx) that
 * failed, when one applies. Messages never contain the token. Immutable and thread-safe.
 */
public final class JwtSvidException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  public JwtSvidException(String reason, String rule, Throwable cause) {
    super(reason, rule, cause);
  }

  public JwtSvidException(String reason, String rule) {
    this(reason, rule, null);
  }
}
