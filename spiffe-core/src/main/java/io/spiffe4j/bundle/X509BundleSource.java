package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;

/**
 * Supplies the X.509 bundle of a trust domain. Static bundles, bundle sets and live Workload API sources all
 * implement it, so verifiers and TLS never depend on where bundles come from. Implementations must be thread-safe
 * and must not block on I/O.
 */
@FunctionalInterface
public interface X509BundleSource {
  /**
   * The X.509 bundle of the trust domain.
   *
   * @throws BundleNotFoundException if this source has no X.509 bundle for it
   */
  X509Bundle x509BundleFor(TrustDomain trustDomain);
}
