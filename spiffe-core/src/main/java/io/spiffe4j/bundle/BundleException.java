package io.spiffe4j.bundle;

import io.spiffe4j.SpiffeException;

/**
 * A bundle could not be parsed, marshalled or found. The {@linkplain #rule() rule} is the bundle rule (BUN-xx,
 * X509-19, JWT-13 ...) that failed, when one applies. Immutable and thread-safe.
 */
public class BundleException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  public BundleException(String reason, String rule, Throwable cause) {
    super(reason, rule, cause);
  }

  public BundleException(String reason, String rule) {
    this(reason, rule, null);
  }
}
