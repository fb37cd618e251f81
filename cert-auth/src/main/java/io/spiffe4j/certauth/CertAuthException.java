package io.spiffe4j.certauth;

import io.spiffe4j.SpiffeException;

/**
 * A key, certificate or signature problem in certificate authentication: an unsupported or malformed key file, a
 * wrong password, a key that does not match its certificate, or a signer that failed. Messages name the file and
 * the problem, never key material or passwords. Immutable and thread-safe.
 */
public class CertAuthException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  public CertAuthException(String reason, Throwable cause) {
    super(reason, null, cause);
  }

  public CertAuthException(String reason) {
    this(reason, null);
  }
}
