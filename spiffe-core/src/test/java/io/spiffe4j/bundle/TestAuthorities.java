package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Keys and CA certificates generated once per test run and shared by all bundle tests (RSA keys are slow). */
final class TestAuthorities {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final TrustDomain OTHER_TD = TrustDomain.parse("other.example");

  private TestAuthorities() {}

  /** The pool, built on first use. */
  private static final class Pool {
    static final List<KeyPair> JWT_KEYS = List.of(
        KeyAlgorithm.EC_P256.generate(),
        KeyAlgorithm.EC_P256.generate(),
        KeyAlgorithm.EC_P256.generate(),
        KeyAlgorithm.EC_P384.generate(),
        KeyAlgorithm.EC_P521.generate(),
        KeyAlgorithm.RSA_2048.generate(),
        KeyAlgorithm.RSA_2048.generate());
    static final KeyPair ED25519 = KeyAlgorithm.ED25519.generate();
    static final List<X509Certificate> CAS = mintCas();

    private static List<X509Certificate> mintCas() {
      List<X509Certificate> cas = new ArrayList<>();
      for (KeyPair key : JWT_KEYS) {
        cas.add(selfSignedCa(key));
      }
      cas.add(selfSignedCa(ED25519));
      return List.copyOf(cas);
    }
  }

  static X509Certificate selfSignedCa(KeyPair key) {
    return CertificateMinter.ca(key.getPublic(), TD.id()).sign(key.getPrivate());
  }

  /** Key pairs usable for JWT-SVID: three P-256, one P-384, one P-521, two RSA-2048. */
  static List<KeyPair> jwtKeyPairs() {
    return Pool.JWT_KEYS;
  }

  static KeyPair ed25519() {
    return Pool.ED25519;
  }

  /** Self-signed CA certificates, one per JWT key plus one Ed25519 CA. */
  static List<X509Certificate> cas() {
    return Pool.CAS;
  }

  static X509Certificate ca(int i) {
    return Pool.CAS.get(i);
  }

  static PublicKey jwtKey(int i) {
    return Pool.JWT_KEYS.get(i).getPublic();
  }

  /** The first {@code n} JWT keys as {@code kid-0 .. kid-(n-1)}. */
  static Map<String, PublicKey> jwtKeys(int n) {
    Map<String, PublicKey> keys = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      keys.put("kid-" + i, jwtKey(i));
    }
    return keys;
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Single quotes in test JSON are double quotes, to keep literals readable. */
  static byte[] json(String singleQuoted) {
    return utf8(singleQuoted.replace('\'', '"'));
  }
}
