package io.spiffe4j.svid.x509;

import io.spiffe4j.SpiffeException;

/**
 * An X509-SVID could not be parsed, or a presented chain failed verification. The {@linkplain #rule() rule} is the
 * X509-SVID rule (X509-xx) or SPIFFE-ID rule that failed, when one applies. Immutable and thread-safe.
 */
public final class X509SvidException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  public X509SvidException(String reason, String rule, Throwable cause) {
    super(reason, rule, cause);
  }

  public X509SvidException(String reason, String rule) {
    this(reason, rule, null);
  }
}
