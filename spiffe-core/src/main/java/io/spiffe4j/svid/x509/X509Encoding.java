package io.spiffe4j.svid.x509;

import io.spiffe4j.internal.Pem;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
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
 * Decoding of certificate chains and private keys from PEM or DER. Every failure is an {@link X509SvidException}
 * carrying the caller's rule; parser exceptions never escape, and messages never echo key or certificate bytes.
 */
final class X509Encoding {
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PKCS8 = "PRIVATE KEY";
  private static final String SEC1_EC = "EC PRIVATE KEY";
  private static final String PKCS1_RSA = "RSA PRIVATE KEY";
  private static final String ENCRYPTED_PKCS8 = "ENCRYPTED PRIVATE KEY";

  private X509Encoding() {}

  /** Certificates from PEM {@code CERTIFICATE} blocks (private key blocks are skipped) or concatenated DER. */
  static List<X509Certificate> certificates(byte[] data, String rule) {
    if (!Pem.looksLikePem(data)) {
      return derCertificates(data, rule);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Pem.Block block : pemBlocks(data, rule)) {
      if (CERTIFICATE.equals(block.type())) {
        certificates.add(certificate(block.der(), rule));
      } else if (!block.type().endsWith(PKCS8)) {
        // A combined certificate + key file is common, so key blocks are tolerated here; anything else is a mistake.
        throw new X509SvidException(
            "unexpected PEM block in certificates: " + PathValidator.printable(block.type()), rule);
      }
    }
    if (certificates.isEmpty()) {
      throw new X509SvidException("no CERTIFICATE block in PEM certificates", rule);
    }
    return certificates;
  }

  /** Concatenated DER certificates (the Workload API form), each one a complete, definite-length SEQUENCE. */
  static List<X509Certificate> derCertificates(byte[] data, String rule) {
    if (data.length == 0) {
      throw new X509SvidException("certificate chain is empty", rule);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    int offset = 0;
    while (offset < data.length) {
      int end = endOfSequence(data, offset, rule);
      byte[] der = new byte[end - offset];
      System.arraycopy(data, offset, der, 0, der.length);
      certificates.add(certificate(der, rule));
      offset = end;
    }
    return certificates;
  }

  /** The end offset of the DER SEQUENCE starting at {@code offset}; rejects anything that is not one. */
  private static int endOfSequence(byte[] data, int offset, String rule) {
    int remaining = data.length - offset;
    if (remaining < 2 || data[offset] != 0x30) {
      throw new X509SvidException("malformed DER certificate at byte " + offset + ": not a SEQUENCE", rule);
    }
    int first = data[offset + 1] & 0xff;
    long length;
    int header;
    if (first < 0x80) {
      length = first;
      header = 2;
    } else {
      int count = first & 0x7f;
      // 0x80 is the indefinite form, which DER forbids; more than 4 length bytes cannot describe a real certificate.
      if (count == 0 || count > 4 || remaining < 2 + count) {
        throw new X509SvidException("malformed DER certificate at byte " + offset + ": bad length", rule);
      }
      length = 0;
      for (int i = 0; i < count; i++) {
        length = (length << 8) | (data[offset + 2 + i] & 0xff);
      }
      header = 2 + count;
    }
    if (length > remaining - header) {
      throw new X509SvidException("malformed DER certificate at byte " + offset + ": truncated", rule);
    }
    return offset + header + (int) length;
  }

  private static X509Certificate certificate(byte[] der, String rule) {
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      throw new X509SvidException("malformed certificate: " + e.getClass().getSimpleName(), rule, e);
    }
  }

  /**
   * A private key from one PEM block ({@code PRIVATE KEY}, or the legacy {@code EC PRIVATE KEY} and
   * {@code RSA PRIVATE KEY}, which are rewrapped as PKCS#8) or from PKCS#8 DER. Certificate blocks are skipped.
   */
  static PrivateKey privateKey(byte[] data, String rule) {
    if (!Pem.looksLikePem(data)) {
      return pkcs8PrivateKey(data, rule);
    }
    Pem.Block keyBlock = null;
    for (Pem.Block block : pemBlocks(data, rule)) {
      if (CERTIFICATE.equals(block.type())) {
        continue;
      }
      if (keyBlock != null) {
        throw new X509SvidException("more than one PEM block in the private key", rule);
      }
      keyBlock = block;
    }
    if (keyBlock == null) {
      throw new X509SvidException("no private key block in PEM", rule);
    }
    switch (keyBlock.type()) {
      case PKCS8:
        return pkcs8PrivateKey(keyBlock.der(), rule);
      case SEC1_EC:
        return pkcs8PrivateKey(sec1ToPkcs8(keyBlock.der(), rule), rule);
      case PKCS1_RSA:
        return pkcs8PrivateKey(pkcs1ToPkcs8(keyBlock.der(), rule), rule);
      case ENCRYPTED_PKCS8:
        throw new X509SvidException("encrypted private keys are not supported", rule);
      default:
        throw new X509SvidException(
            "unexpected PEM block for a private key: " + PathValidator.printable(keyBlock.type()), rule);
    }
  }

  /** An unencrypted PKCS#8 key (X509-21) of a type an X509-SVID may have: RSA, EC or Ed25519. */
  static PrivateKey pkcs8PrivateKey(byte[] der, String rule) {
    ASN1ObjectIdentifier algorithm;
    try {
      algorithm = PrivateKeyInfo.getInstance(der).getPrivateKeyAlgorithm().getAlgorithm();
    } catch (RuntimeException e) {
      throw new X509SvidException("private key is not PKCS#8 DER", rule, e);
    }
    String jcaName;
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      jcaName = "RSA";
    } else if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      jcaName = "EC";
    } else if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
      jcaName = "Ed25519";
    } else {
      throw new X509SvidException("unsupported private key algorithm " + algorithm.getId(), rule);
    }
    try {
      return KeyFactory.getInstance(jcaName).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new X509SvidException("malformed " + jcaName + " private key", rule, e);
    }
  }

  private static byte[] sec1ToPkcs8(byte[] der, String rule) {
    ECPrivateKey key;
    try {
      key = ECPrivateKey.getInstance(der);
    } catch (RuntimeException e) {
      throw new X509SvidException("malformed EC PRIVATE KEY", rule, e);
    }
    if (key.getParametersObject() == null) {
      throw new X509SvidException("EC PRIVATE KEY does not name its curve", rule);
    }
    try {
      AlgorithmIdentifier algorithm =
          new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, key.getParametersObject());
      return new PrivateKeyInfo(algorithm, key).getEncoded();
    } catch (java.io.IOException | RuntimeException e) {
      throw new X509SvidException("malformed EC PRIVATE KEY", rule, e);
    }
  }

  private static byte[] pkcs1ToPkcs8(byte[] der, String rule) {
    try {
      AlgorithmIdentifier algorithm = new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE);
      return new PrivateKeyInfo(algorithm, RSAPrivateKey.getInstance(der)).getEncoded();
    } catch (java.io.IOException | RuntimeException e) {
      throw new X509SvidException("malformed RSA PRIVATE KEY", rule, e);
    }
  }

  private static List<Pem.Block> pemBlocks(byte[] data, String rule) {
    try {
      return Pem.decode(new String(data, StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      throw new X509SvidException("malformed PEM: " + e.getMessage(), rule, e);
    }
  }

  /** PEM: the chain's certificates, leaf first. */
  static byte[] chainPem(List<X509Certificate> chain) {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : chain) {
      try {
        pem.append(Pem.encode(CERTIFICATE, certificate.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new X509SvidException("certificate cannot be encoded", null, e);
      }
    }
    return pem.toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** PEM: the key as PKCS#8. */
  static byte[] keyPem(PrivateKey key) {
    byte[] der = key.getEncoded();
    if (der == null || !"PKCS#8".equals(key.getFormat())) {
      throw new X509SvidException("private key is not exportable as PKCS#8", null);
    }
    return Pem.encode(PKCS8, der).getBytes(StandardCharsets.US_ASCII);
  }
}
