package io.spiffe4j.svid.x509;

import io.spiffe4j.bundle.X509BundleSource;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Verifies X509-SVID chains presented by peers against the X.509 bundle of the leaf's trust domain (X509-16/17).
 *
 * <p>Security guarantees: a chain is accepted only if it is a valid RFC 5280 path from the leaf through the
 * presented intermediates to an authority of the bundle of the leaf's own trust domain, at the verification instant;
 * the leaf has exactly one URI SAN holding a SPIFFE ID with a non-root path, is not a CA and has neither keyCertSign
 * nor cRLSign. Caller code never sees an unverified chain: the result is a {@link VerifiedX509Svid} or an
 * {@link X509SvidException}.
 *
 * <p>Immutable and thread-safe; share one instance.
 */
public final class X509SvidVerifier {
  private X509SvidVerifier() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** A verifier on the bundle source, using the system UTC clock. */
  public static X509SvidVerifier of(X509BundleSource bundleSource) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** A verifier on the bundle source, judging validity at {@code clock}'s instant. */
  public static X509SvidVerifier of(X509BundleSource bundleSource, Clock clock) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /**
   * Verifies a chain, leaf first, at the clock's current instant.
   *
   * @throws X509SvidException if the chain is not a valid X509-SVID of a trusted trust domain
   */
  public VerifiedX509Svid verify(List<X509Certificate> chain) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** As {@link #verify(List)} at the given instant. */
  public VerifiedX509Svid verify(List<X509Certificate> chain, Instant at) {
    throw new UnsupportedOperationException("not implemented yet");
  }
}
