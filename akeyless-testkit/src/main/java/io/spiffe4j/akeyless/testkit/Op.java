package io.spiffe4j.akeyless.testkit;

import java.util.Optional;

/**
 * The operations the gateway serves, each under {@code /api/v2/<path>}, {@code /v2/<path>} and {@code /<path>}.
 * Immutable and thread-safe.
 */
public enum Op {
  AUTH("auth"),
  GET_CERT_CHALLENGE("get-cert-challenge"),
  GET_PKI_CERTIFICATE("get-pki-certificate"),
  CREATE_PKI_CERT_ISSUER("create-pki-cert-issuer"),
  AUTH_METHOD_CREATE_CERT("auth-method-create-cert"),
  /** A request to any other path; it is answered 404. */
  UNKNOWN(null);

  private final String path;

  Op(String path) {
    this.path = path;
  }

  /** The path segment, such as {@code get-cert-challenge}; empty for {@link #UNKNOWN}. */
  public Optional<String> path() {
    return Optional.ofNullable(path);
  }

  static Op fromSegment(String segment) {
    for (Op op : values()) {
      if (op.path != null && op.path.equals(segment)) {
        return op;
      }
    }
    return UNKNOWN;
  }
}
