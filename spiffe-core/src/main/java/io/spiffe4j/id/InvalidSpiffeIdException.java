package io.spiffe4j.id;

import io.spiffe4j.SpiffeException;

/**
 * A string, path or segment is not a valid SPIFFE ID or trust domain name. The {@linkplain #rule() rule} is the
 * SPIFFE-ID rule (SID-xx) that failed. Immutable and thread-safe.
 */
public final class InvalidSpiffeIdException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  InvalidSpiffeIdException(String reason, String rule) {
    super(reason, rule, null);
  }
}
