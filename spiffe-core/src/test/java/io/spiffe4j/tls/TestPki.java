package io.spiffe4j.tls;

import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test CAs and SVIDs from the minting primitive. Keys come from a small pool generated once per run (RSA keys are
 * slow to make), handed out round-robin, so two SVIDs minted in a row have different keys.
 */
final class TestPki {
  static final TrustDomain EXAMPLE = TrustDomain.parse("example.org");
  static final TrustDomain OTHER = TrustDomain.parse("other.org");
  static final SpiffeId SERVER = SpiffeId.parse("spiffe://example.org/server");
  static final SpiffeId CLIENT = SpiffeId.parse("spiffe://example.org/client");

  private static final int POOL_SIZE = 4;
  private static final int RSA_POOL_SIZE = 2;
  private static final Map<KeyAlgorithm, List<KeyPair>> POOL = new EnumMap<>(KeyAlgorithm.class);
  private static final AtomicInteger NEXT = new AtomicInteger();
  private static final Map<TrustDomain, Ca> CAS = new HashMap<>();

  private TestPki() {
  }

  static synchronized KeyPair key(KeyAlgorithm algorithm) {
    List<KeyPair> keys = POOL.computeIfAbsent(algorithm, a -> {
      List<KeyPair> generated = new ArrayList<>();
      for (int i = 0; i < (a.name().startsWith("RSA") ? RSA_POOL_SIZE : POOL_SIZE); i++) {
        generated.add(a.generate());
      }
      return generated;
    });
    return keys.get(Math.floorMod(NEXT.getAndIncrement(), keys.size()));
  }

  /** The shared CA of a trust domain (EC P-256 root). */
  static synchronized Ca ca(TrustDomain trustDomain) {
    return CAS.computeIfAbsent(trustDomain, Ca::new);
  }

  /** A CA that claims the trust domain but is in no bundle: an attacker's. */
  static Ca rogueCa(TrustDomain trustDomain) {
    return new Ca(trustDomain);
  }

  static X509Svid svid(SpiffeId id, KeyAlgorithm algorithm) {
    return ca(id.trustDomain()).svid(id, algorithm);
  }

  /** A bundle source holding the bundles of the given trust domains. */
  static X509BundleSource bundles(TrustDomain... trustDomains) {
    Map<TrustDomain, X509Bundle> bundles = new HashMap<>();
    for (TrustDomain trustDomain : trustDomains) {
      bundles.put(trustDomain, ca(trustDomain).bundle());
    }
    return trustDomain -> {
      X509Bundle bundle = bundles.get(trustDomain);
      if (bundle == null) {
        throw new BundleNotFoundException("X.509", trustDomain);
      }
      return bundle;
    };
  }

  /** The verified form of an SVID, as a trust manager would hand it to an authorizer. */
  static VerifiedX509Svid verified(SpiffeId id) {
    return X509SvidVerifier.of(bundles(id.trustDomain())).verify(svid(id, KeyAlgorithm.EC_P256).chain());
  }

  static final class Ca {
    private final TrustDomain trustDomain;
    private final KeyPair key = KeyAlgorithm.EC_P256.generate();
    private final X509Certificate certificate;

    private Ca(TrustDomain trustDomain) {
      this.trustDomain = trustDomain;
      certificate = CertificateMinter.ca(key.getPublic(), trustDomain.id()).sign(key.getPrivate());
    }

    X509Bundle bundle() {
      return X509Bundle.of(trustDomain, List.of(certificate));
    }

    X509Svid svid(SpiffeId id, KeyAlgorithm algorithm) {
      Instant now = Instant.now();
      return svid(id, algorithm, now.minusSeconds(60), now.plus(Duration.ofHours(1)));
    }

    X509Svid svid(SpiffeId id, KeyAlgorithm algorithm, Instant notBefore, Instant notAfter) {
      KeyPair leafKey = key(algorithm);
      X509Certificate leaf = CertificateMinter.x509Svid(leafKey.getPublic(), id)
          .validity(notBefore, notAfter)
          .issuedBy(certificate, key.getPrivate())
          .sign(null);
      return X509Svid.of(List.of(leaf), leafKey.getPrivate());
    }
  }
}
