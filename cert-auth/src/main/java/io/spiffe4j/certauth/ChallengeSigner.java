package io.spiffe4j.certauth;

/**
 * Signs an authentication challenge with a private key that may live anywhere: in this process (a key loaded from a
 * file), in a PKCS#11 token, or in a KMS reached through a callback. The key itself never passes through this
 * interface, so it never leaves where it is kept.
 *
 * <p>The signature is SHA-256 over {@code challenge}: RSASSA-PKCS#1 v1.5 for RSA keys, ECDSA with an ASN.1 DER
 * signature (not IEEE P1363) for EC keys, as Akeyless's certificate authentication verifies it.
 *
 * <p>Implementations are thread-safe and their {@code toString()} never shows key material.
 */
@FunctionalInterface
public interface ChallengeSigner {

  /**
   * Signs the raw challenge bytes (already base64-decoded).
   *
   * @return the signature bytes (DER for ECDSA)
   * @throws CertAuthException if the key or the device holding it cannot sign
   */
  byte[] sign(byte[] challenge);
}
