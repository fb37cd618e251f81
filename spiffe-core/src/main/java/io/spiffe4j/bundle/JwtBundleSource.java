package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;

/**
 * Supplies the JWT bundle of a trust domain. Implementations must be thread-safe and must not block on I/O.
 */
@FunctionalInterface
public interface JwtBundleSource {
  /**
   * The JWT bundle of the trust domain.
   *
   * @throws BundleNotFoundException if this source has no JWT bundle for it
   */
  JwtBundle jwtBundleFor(TrustDomain trustDomain);
}
