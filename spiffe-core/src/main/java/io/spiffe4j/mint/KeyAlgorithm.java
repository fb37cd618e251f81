package io.spiffe4j.mint;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/**
 * Key types the minting primitive can generate, with the signature algorithm each signs with by default.
 * Thread-safe.
 */
public enum KeyAlgorithm {
  EC_P256("EC", "secp256r1", 0, "SHA256withECDSA", "ES256"),
  EC_P384("EC", "secp384r1", 0, "SHA384withECDSA", "ES384"),
  EC_P521("EC", "secp521r1", 0, "SHA512withECDSA", "ES512"),
  RSA_2048("RSA", null, 2048, "SHA256withRSA", "RS256"),
  RSA_3072("RSA", null, 3072, "SHA256withRSA", "RS256"),
  RSA_4096("RSA", null, 4096, "SHA256withRSA", "RS256"),
  ED25519("Ed25519", null, 0, "Ed25519", null);

  private final String jcaName;
  private final String curve;
  private final int bits;
  private final String signatureAlgorithm;
  private final String jwsAlgorithm;

  KeyAlgorithm(String jcaName, String curve, int bits, String signatureAlgorithm, String jwsAlgorithm) {
    this.jcaName = jcaName;
    this.curve = curve;
    this.bits = bits;
    this.signatureAlgorithm = signatureAlgorithm;
    this.jwsAlgorithm = jwsAlgorithm;
  }

  /** A fresh key pair from the JDK's providers. */
  public KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(jcaName);
      if (curve != null) {
        generator.initialize(new ECGenParameterSpec(curve));
      } else if (bits > 0) {
        generator.initialize(bits);
      }
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot generate " + name() + " keys", e);
    }
  }

  /** The JCA signature algorithm a certificate signed by a key of this type uses by default. */
  public String signatureAlgorithm() {
    return signatureAlgorithm;
  }

  /** The JWS algorithm a JWT-SVID signed by a key of this type uses by default; null where JWT-SVID allows none. */
  String jwsAlgorithm() {
    return jwsAlgorithm;
  }

  /** The type of an existing key, judged by its algorithm and size. */
  static KeyAlgorithm of(java.security.Key key) {
    if (key instanceof java.security.interfaces.ECKey) {
      int fieldBits = ((java.security.interfaces.ECKey) key).getParams().getCurve().getField().getFieldSize();
      return fieldBits <= 256 ? EC_P256 : fieldBits <= 384 ? EC_P384 : EC_P521;
    }
    if (key instanceof java.security.interfaces.RSAKey) {
      return RSA_2048;
    }
    if ("Ed25519".equals(key.getAlgorithm()) || "EdDSA".equals(key.getAlgorithm())) {
      return ED25519;
    }
    throw new IllegalArgumentException("unsupported key algorithm " + key.getAlgorithm());
  }
}
