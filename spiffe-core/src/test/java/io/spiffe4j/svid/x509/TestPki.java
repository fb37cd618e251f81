package io.spiffe4j.svid.x509;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * Test PKI: a key pool generated once per run, a fixed verification instant, and helpers that mint SPIFFE-profile
 * CAs and leaves with {@link CertificateMinter}.
 */
final class TestPki {
  static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  static final Instant NOT_BEFORE = NOW.minus(Duration.ofDays(1));
  static final Instant NOT_AFTER = NOW.plus(Duration.ofDays(1));
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/ns/prod/sa/web");

  private TestPki() {}

  /** Keys per algorithm, generated lazily once per run (RSA generation is slow). */
  private static final class Pool {
    static final Map<KeyAlgorithm, List<KeyPair>> KEYS = new EnumMap<>(KeyAlgorithm.class);

    static {
      generate(KeyAlgorithm.EC_P256, 12);
      generate(KeyAlgorithm.EC_P384, 2);
      generate(KeyAlgorithm.EC_P521, 1);
      generate(KeyAlgorithm.RSA_2048, 2);
      generate(KeyAlgorithm.ED25519, 2);
    }

    private static void generate(KeyAlgorithm algorithm, int count) {
      List<KeyPair> keys = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        keys.add(algorithm.generate());
      }
      KEYS.put(algorithm, keys);
    }
  }

  static KeyPair key(KeyAlgorithm algorithm, int index) {
    List<KeyPair> keys = Pool.KEYS.get(algorithm);
    return keys.get(index % keys.size());
  }

  /** The i-th P-256 key of the pool. */
  static KeyPair ec(int index) {
    return key(KeyAlgorithm.EC_P256, index);
  }

  static X500Principal name(String dn) {
    return new X500Principal(dn);
  }

  /** A self-signed root for the trust domain, valid around {@link #NOW}. */
  static CertificateMinter rootMinter(KeyPair key, String cn) {
    return CertificateMinter.ca(key.getPublic(), TD.id())
        .subject(name("CN=" + cn + ", O=SPIFFE"))
        .validity(NOT_BEFORE, NOT_AFTER);
  }

  static X509Certificate root(KeyPair key) {
    return rootMinter(key, "Root CA").sign(key.getPrivate());
  }

  static CertificateMinter intermediateMinter(KeyPair key, String cn, X509Certificate issuer, KeyPair issuerKey) {
    return CertificateMinter.ca(key.getPublic(), TD.id())
        .subject(name("CN=" + cn + ", O=SPIFFE"))
        .validity(NOT_BEFORE, NOT_AFTER)
        .issuedBy(issuer, issuerKey.getPrivate());
  }

  static X509Certificate intermediate(KeyPair key, String cn, X509Certificate issuer, KeyPair issuerKey) {
    return intermediateMinter(key, cn, issuer, issuerKey).sign(null);
  }

  static CertificateMinter leafMinter(KeyPair key, SpiffeId id, X509Certificate issuer, KeyPair issuerKey) {
    return CertificateMinter.x509Svid(key.getPublic(), id)
        .validity(NOT_BEFORE, NOT_AFTER)
        .issuedBy(issuer, issuerKey.getPrivate());
  }

  static X509Certificate leaf(KeyPair key, X509Certificate issuer, KeyPair issuerKey) {
    return leafMinter(key, WORKLOAD, issuer, issuerKey).sign(null);
  }

  static X509Bundle bundle(X509Certificate... authorities) {
    return X509Bundle.of(TD, List.of(authorities));
  }

  /** The certificate with one bit of its last byte (inside the signature value) flipped. */
  static X509Certificate withBrokenSignature(X509Certificate certificate) {
    try {
      byte[] der = certificate.getEncoded();
      der[der.length - 1] ^= 0x01;
      return parse(der);
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  static X509Certificate parse(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A ready-made chain: root, {@code depth} intermediates, leaf; all P-256 unless stated. */
  static final class Chain {
    final KeyPair rootKey;
    final X509Certificate root;
    final List<KeyPair> intermediateKeys = new ArrayList<>();
    /** Top (issued by the root) first. */
    final List<X509Certificate> intermediates = new ArrayList<>();
    final KeyPair leafKey;
    final X509Certificate leaf;

    Chain(int depth) {
      rootKey = ec(0);
      root = root(rootKey);
      X509Certificate issuer = root;
      KeyPair issuerKey = rootKey;
      for (int i = 1; i <= depth; i++) {
        KeyPair key = ec(i);
        X509Certificate ca = intermediate(key, "Intermediate " + i, issuer, issuerKey);
        intermediateKeys.add(key);
        intermediates.add(ca);
        issuer = ca;
        issuerKey = key;
      }
      leafKey = ec(depth + 1);
      leaf = leaf(leafKey, issuer, issuerKey);
    }

    /** Leaf first, then the intermediates from the leaf's issuer upwards, as TLS presents them. */
    List<X509Certificate> presented() {
      List<X509Certificate> chain = new ArrayList<>();
      chain.add(leaf);
      for (int i = intermediates.size() - 1; i >= 0; i--) {
        chain.add(intermediates.get(i));
      }
      return chain;
    }

    X509Certificate lastIssuer() {
      return intermediates.isEmpty() ? root : intermediates.get(intermediates.size() - 1);
    }

    KeyPair lastIssuerKey() {
      return intermediates.isEmpty() ? rootKey : intermediateKeys.get(intermediateKeys.size() - 1);
    }
  }
}
