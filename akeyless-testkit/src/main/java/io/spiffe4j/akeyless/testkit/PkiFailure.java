package io.spiffe4j.akeyless.testkit;

/**
 * The kinds of {@code /get-pki-certificate} failure, each answered with a status that
 * {@link AkeylessGateway.Builder#pkiFailureStatus} can change, since Akeyless does not document its own. Immutable
 * and thread-safe.
 */
public enum PkiFailure {
  /** Malformed request: no issuer name, bad base64, a CSR that does not parse or whose signature does not verify. */
  BAD_REQUEST(400),
  /** No token, or one that is unknown or expired. */
  BAD_TOKEN(401),
  /** The issuer's policy refuses the request: a name or SAN not allowed, a TTL too long, a missing CN. */
  POLICY_VIOLATION(403),
  /** No issuer has that name. */
  UNKNOWN_ISSUER(404);

  private final int defaultStatus;

  PkiFailure(int defaultStatus) {
    this.defaultStatus = defaultStatus;
  }

  public int defaultStatus() {
    return defaultStatus;
  }
}
