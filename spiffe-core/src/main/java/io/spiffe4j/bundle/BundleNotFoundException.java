package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;

/**
 * A bundle source has no bundle of the asked kind for a trust domain. An SVID of that trust domain is therefore
 * untrusted (WAPI-07, JWT-16). Immutable and thread-safe.
 */
public final class BundleNotFoundException extends BundleException {
  private static final long serialVersionUID = 1L;

  private final transient TrustDomain trustDomain;

  public BundleNotFoundException(String kind, TrustDomain trustDomain) {
    super("no " + kind + " bundle for trust domain \"" + trustDomain + "\"", "WAPI-07");
    this.trustDomain = trustDomain;
  }

  /** The trust domain that has no bundle. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }
}
