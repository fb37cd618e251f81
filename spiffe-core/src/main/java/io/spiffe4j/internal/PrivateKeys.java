package io.spiffe4j.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Decoding of unencrypted RSA, EC and Ed25519 private keys: PKCS#8 DER, or one PEM block of PKCS#8
 * ({@code PRIVATE KEY}), SEC 1 ({@code EC PRIVATE KEY}) or PKCS#1 ({@code RSA PRIVATE KEY}); the legacy forms are
 * rewrapped as PKCS#8 with BouncyCastle. Errors are {@link IllegalArgumentException}s (with the parser's exception as
 * cause) whose message names the problem but never echoes key bytes; public callers wrap them into their own typed
 * exception. Thread-safe.
 */
public final class PrivateKeys {
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PKCS8 = "PRIVATE KEY";
  private static final String SEC1_EC = "EC PRIVATE KEY";
  private static final String PKCS1_RSA = "RSA PRIVATE KEY";
  private static final String ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY";

  private PrivateKeys() {}

  /**
   * A private key from PEM text (certificate blocks are skipped, so a combined certificate and key file works) or
   * from PKCS#8 DER.
   */
  public static PrivateKey parse(byte[] pemOrDer) {
    if (!Pem.looksLikePem(pemOrDer)) {
      return parsePkcs8(pemOrDer);
    }
    Pem.Block keyBlock = null;
    for (Pem.Block block : pemBlocks(pemOrDer)) {
      if (CERTIFICATE.equals(block.type())) {
        continue;
      }
      if (keyBlock != null) {
        throw new IllegalArgumentException("more than one PEM block in the private key");
      }
      keyBlock = block;
    }
    if (keyBlock == null) {
      throw new IllegalArgumentException("no private key block in PEM");
    }
    switch (keyBlock.type()) {
      case PKCS8:
        return parsePkcs8(keyBlock.der());
      case SEC1_EC:
        return parsePkcs8(sec1ToPkcs8(keyBlock.der()));
      case PKCS1_RSA:
        return parsePkcs8(pkcs1ToPkcs8(keyBlock.der()));
      case ENCRYPTED_PKCS8:
        throw new IllegalArgumentException("encrypted private keys are not supported");
      default:
        throw new IllegalArgumentException("unexpected PEM block for a private key: " + printable(keyBlock.type()));
    }
  }

  /** An unencrypted PKCS#8 DER key of a type SPIFFE credentials may have: RSA, EC or Ed25519. */
  public static PrivateKey parsePkcs8(byte[] der) {
    ASN1ObjectIdentifier algorithm;
    try {
      algorithm = PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("private key is not PKCS#8 DER", e);
    }
    String jcaName;
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      jcaName = "RSA";
    } else if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      jcaName = "EC";
    } else if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
      jcaName = "Ed25519";
    } else {
      throw new IllegalArgumentException("unsupported private key algorithm " + algorithm.getId());
    }
    try {
      return KeyFactory.getInstance(jcaName).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("malformed " + jcaName + " private key", e);
    }
  }

  private static byte[] sec1ToPkcs8(byte[] der) {
    ECPrivateKey key;
    try {
      key = ECPrivateKey.getInstance(der);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("malformed EC PRIVATE KEY", e);
    }
    if (key.getParametersObject() == null) {
      throw new IllegalArgumentException("EC PRIVATE KEY does not name its curve");
    }
    try {
      AlgorithmIdentifier algorithm =
          new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, key.getParametersObject());
      return new PrivateKeyInfo(algorithm, key).getEncoded();
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed EC PRIVATE KEY", e);
    }
  }

  private static byte[] pkcs1ToPkcs8(byte[] der) {
    try {
      AlgorithmIdentifier algorithm = new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
      return new PrivateKeyInfo(algorithm, RSAPrivateKey.getInstance(der)).getEncoded();
    } catch (java.io.IOException | RuntimeException e) {
      throw new IllegalArgumentException("malformed RSA PRIVATE KEY", e);
    }
  }

  private static List<Pem.Block> pemBlocks(byte[] data) {
    try {
      return Pem.decode(new String(data, StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("malformed PEM: " + e.getMessage(), e);
    }
  }

  /** Block labels come from input: clipped and printable ASCII only. */
  private static String printable(String text) {
    String clipped = text.length() > 120 ? text.substring(0, 120) + "..." : text;
    return clipped.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
