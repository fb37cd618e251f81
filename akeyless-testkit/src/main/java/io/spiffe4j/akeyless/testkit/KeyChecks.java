package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.internal.Signatures;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;

/** Which signature a key makes, and whether a private key belongs to a public one. Thread-safe. */
final class KeyChecks {
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyChecks() {}

  /**
   * The signature Akeyless's certificate authentication expects from a key: SHA-256 with RSASSA-PKCS1-v1_5 for RSA,
   * with DER-encoded ECDSA for EC; null for any other key type (Ed25519 and RSA-PSS are not known to be accepted).
   */
  static String challengeAlgorithm(java.security.Key key) {
    if (key instanceof RSAKey) {
      return "SHA256withRSA";
    }
    if (key instanceof ECKey) {
      return "SHA256withECDSA";
    }
    return null;
  }

  /** The algorithm a CA key signs with, for checking a key against its certificate. */
  static String anyAlgorithm(java.security.Key key) {
    String algorithm = challengeAlgorithm(key);
    if (algorithm != null) {
      return algorithm;
    }
    return "Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm()) ? "Ed25519" : null;
  }

  static byte[] sign(String algorithm, PrivateKey key, byte[] data) throws GeneralSecurityException {
    Signature signer = Signature.getInstance(algorithm);
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
      return Signatures.verifySignature(algorithm, publicKey, probe, sign(algorithm, privateKey, probe));
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
