package io.spiffe4j.svid.x509;

import io.spiffe4j.bundle.BundleException;
import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Verifies X509-SVID chains presented by peers against the X.509 bundle of the leaf's trust domain (X509-16/17).
 *
 * <p>Security guarantees: a chain is accepted only if it is a valid RFC 5280 path from the leaf through the
 * presented intermediates to an authority of the bundle of the leaf's own trust domain (SVID-01, WAPI-07), at the
 * verification instant; the leaf has exactly one URI SAN holding a SPIFFE ID with a non-root path, is not a CA and has
 * neither keyCertSign nor cRLSign. Caller code never sees an unverified chain: the result is a {@link
 * VerifiedX509Svid} or an {@link X509SvidException} whose rule is X509-16 for path failures (with the precise reason,
 * such as "certificate signed by unknown authority"), X509-01/02/17 or SID-xx for leaf failures, WAPI-07 when the
 * source has no bundle for the trust domain and BUN-06 when that bundle is empty.
 *
 * <p>Path validation, in brief (details on the checks and where they differ from the JDK's PKIX validator and from
 * go-spiffe are in the package's {@code PathValidator}): the presented certificates after the leaf form a pool, so
 * intermediates may come in any order and extra certificates are ignored; every certificate of the path, the
 * authority included, must be valid at the instant (an expired authority fails, as in go-spiffe); issuers, the
 * authority included, must be CAs (cA=true), have keyCertSign when they have key usage, and respect path length
 * constraints; the leaf and intermediates must be signed with an allowed algorithm (ECDSA, RSA or RSASSA-PSS over
 * SHA-256/384/512, or Ed25519: never MD5, SHA-1 or DSA); unknown critical extensions fail; URI and DNS name
 * constraints are enforced and constraints of other name forms fail the chain (X509-10); policy mappings and policy
 * constraints fail the chain; extended key usage is not checked, as go-spiffe does not. At most 32 certificates may
 * be presented. Every signature is checked by {@code io.spiffe4j.internal.Signatures}.
 *
 * <p>Cache: successful verifications are remembered by the exact DER bytes of the presented chain (up to 1024
 * chains). A repeated chain is accepted without a signature check only if the source still returns the same bundle
 * (the same instance, or an equal one) for its trust domain and every certificate of its path is valid at the
 * instant; otherwise it is verified afresh.
 *
 * <p>Immutable (but for that cache) and thread-safe; share one instance.
 */
public final class X509SvidVerifier {
  /** Far more than a TLS peer needs to send; bounds the work an untrusted chain can cause. */
  static final int MAX_PRESENTED_CERTIFICATES = 32;

  private final X509BundleSource bundleSource;
  private final Clock clock;
  private final VerifiedChainCache cache;

  X509SvidVerifier(X509BundleSource bundleSource, Clock clock, int cacheSize) {
    this.bundleSource = Objects.requireNonNull(bundleSource, "bundleSource");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.cache = new VerifiedChainCache(cacheSize);
  }

  /** A verifier on the bundle source, using the system UTC clock. */
  public static X509SvidVerifier of(X509BundleSource bundleSource) {
    return of(bundleSource, Clock.systemUTC());
  }

  /** A verifier on the bundle source, judging validity at {@code clock}'s instant. */
  public static X509SvidVerifier of(X509BundleSource bundleSource, Clock clock) {
    return new X509SvidVerifier(bundleSource, clock, VerifiedChainCache.DEFAULT_MAX_ENTRIES);
  }

  /**
   * Verifies a chain, leaf first, at the clock's current instant.
   *
   * @throws X509SvidException if the chain is not a valid X509-SVID of a trusted trust domain
   */
  public VerifiedX509Svid verify(List<X509Certificate> chain) {
    return verify(chain, clock.instant());
  }

  /** As {@link #verify(List)} for the array JSSE hands to a trust manager. */
  public VerifiedX509Svid verify(X509Certificate[] chain) {
    Objects.requireNonNull(chain, "chain");
    return verifyArray(chain.clone(), clock.instant());
  }

  /** As {@link #verify(List)} at the given instant. */
  public VerifiedX509Svid verify(List<X509Certificate> chain, Instant at) {
    Objects.requireNonNull(chain, "chain");
    return verifyArray(chain.toArray(new X509Certificate[0]), at);
  }

  private VerifiedX509Svid verifyArray(X509Certificate[] chain, Instant at) {
    Objects.requireNonNull(at, "at");
    checkShape(chain);
    VerifiedChainCache.Key key = VerifiedChainCache.Key.of(chain);
    VerifiedChainCache.Entry cached = cache.get(key);
    if (cached != null) {
      VerifiedX509Svid hit = revalidate(key, cached, at);
      if (hit != null) {
        return hit;
      }
    }
    SpiffeId id = LeafRules.check(chain[0], false);
    X509Bundle bundle = bundleFor(id.trustDomain());
    List<X509Certificate> path = PathValidator.validate(chain, bundle.x509Authorities(), at, id.trustDomain());
    VerifiedX509Svid verified = new VerifiedX509Svid(id, path);
    cache.put(key, VerifiedChainCache.Entry.of(verified, bundle));
    return verified;
  }

  /** The cached result if it still holds at {@code at} under the source's current bundle; null otherwise. */
  private VerifiedX509Svid revalidate(VerifiedChainCache.Key key, VerifiedChainCache.Entry cached, Instant at) {
    if (!cached.validAt(at)) {
      if (at.isAfter(cached.notAfter)) {
        cache.remove(key, cached);
      }
      return null;
    }
    X509Bundle bundle = bundleFor(cached.result.id().trustDomain());
    if (bundle == cached.bundle) {
      return cached.result;
    }
    if (bundle.equals(cached.bundle)) {
      cache.replace(key, cached, cached.withBundle(bundle));
      return cached.result;
    }
    cache.remove(key, cached);
    return null;
  }

  private static void checkShape(X509Certificate[] chain) {
    if (chain.length == 0) {
      throw new X509SvidException("no certificates presented", "X509-16");
    }
    if (chain.length > MAX_PRESENTED_CERTIFICATES) {
      throw new X509SvidException("too many certificates presented: " + chain.length + ", at most "
          + MAX_PRESENTED_CERTIFICATES + " are accepted", "X509-16");
    }
    for (int i = 0; i < chain.length; i++) {
      if (chain[i] == null) {
        throw new X509SvidException("certificate chain has a null element at index " + i, "X509-16");
      }
    }
  }

  /** The bundle of the leaf's trust domain, and no other (SVID-01, WAPI-07); an empty one trusts nothing (BUN-06). */
  private X509Bundle bundleFor(TrustDomain trustDomain) {
    X509Bundle bundle;
    try {
      bundle = bundleSource.x509BundleFor(trustDomain);
    } catch (BundleNotFoundException e) {
      throw new X509SvidException("no X.509 bundle for trust domain \"" + trustDomain + "\": the peer is untrusted",
          "WAPI-07", e);
    } catch (BundleException e) {
      throw new X509SvidException("the X.509 bundle for trust domain \"" + trustDomain + "\" is unusable: "
          + e.reason(), e.rule().orElse("WAPI-07"), e);
    }
    if (bundle == null) {
      throw new X509SvidException("bundle source returned no X.509 bundle for trust domain \"" + trustDomain + "\"",
          "WAPI-07");
    }
    if (!bundle.trustDomain().equals(trustDomain)) {
      throw new X509SvidException("bundle source returned the bundle of \"" + bundle.trustDomain()
          + "\" for trust domain \"" + trustDomain + "\"", "SVID-01");
    }
    if (bundle.isEmpty()) {
      throw new X509SvidException("the X.509 bundle of trust domain \"" + trustDomain + "\" has no authorities",
          "BUN-06");
    }
    return bundle;
  }
}
