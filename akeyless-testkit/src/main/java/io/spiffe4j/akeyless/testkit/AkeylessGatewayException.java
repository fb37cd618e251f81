package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.SpiffeException;

/**
 * A problem setting up or running the test gateway through its Java API: a name already taken, a certificate or key
 * that cannot be used, a port that cannot be opened. Messages never contain keys, tokens or PEM bodies. Immutable
 * and thread-safe.
 */
public class AkeylessGatewayException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  public AkeylessGatewayException(String reason, Throwable cause) {
    super(reason, null, cause);
  }

  public AkeylessGatewayException(String reason) {
    this(reason, null);
  }
}
