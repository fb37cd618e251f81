package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.internal.Signatures;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;

/**
 * Which signature a key makes, as an X.509 algorithm OID for {@link Signatures#verifySignedData} and a JCA name for
 * signing, and whether a private key belongs to a public one. Thread-safe.
 */
final class KeyChecks {
  /** sha256WithRSAEncryption: RSASSA-PKCS1-v1_5 with SHA-256. */
  static final String SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
  /** ecdsa-with-SHA256, whose signature is ASN.1 DER, on any curve. */
  static final String SHA256_WITH_ECDSA = "1.2.840.10045.4.3.2";
  private static final String ED25519 = "1.3.101.112";
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyChecks() {}

  /**
   * The signature Akeyless's certificate authentication expects from a key: SHA-256 with RSASSA-PKCS1-v1_5 for RSA,
   * with DER-encoded ECDSA for EC; null for any other key type (Ed25519 and RSA-PSS are not known to be accepted).
   */
  static String challengeAlgorithm(Key key) {
    if (key instanceof RSAKey) {
      return SHA256_WITH_RSA;
    }
    if (key instanceof ECKey) {
      return SHA256_WITH_ECDSA;
    }
    return null;
  }

  /** Signs with the JCA counterpart of one of this class's algorithm OIDs. */
  static byte[] sign(String algorithmOid, PrivateKey key, byte[] data) throws GeneralSecurityException {
    String jcaName = SHA256_WITH_RSA.equals(algorithmOid) ? "SHA256withRSA"
        : SHA256_WITH_ECDSA.equals(algorithmOid) ? "SHA256withECDSA" : "Ed25519";
    Signature signer = Signature.getInstance(jcaName);
    signer.initSign(key);
    signer.update(data);
    return signer.sign();
  }

  /** Whether {@code privateKey} signs what {@code publicKey} verifies: a fresh random message proves it. */
  static boolean belongTogether(PrivateKey privateKey, PublicKey publicKey) {
    String algorithm = anyAlgorithm(publicKey);
    if (algorithm == null || !algorithm.equals(anyAlgorithm(privateKey))) {
      return false;
    }
    byte[] probe = new byte[32];
    RANDOM.nextBytes(probe);
    try {
      return Signatures.verifySignedData(algorithm, null, publicKey, probe, sign(algorithm, privateKey, probe));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static String anyAlgorithm(Key key) {
    String algorithm = challengeAlgorithm(key);
    if (algorithm != null) {
      return algorithm;
    }
    return "Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm()) ? ED25519 : null;
  }
}
