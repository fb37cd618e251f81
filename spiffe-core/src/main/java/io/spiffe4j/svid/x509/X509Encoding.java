package io.spiffe4j.svid.x509;

import io.spiffe4j.internal.DerCertificates;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.internal.PrivateKeys;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Decoding of certificate chains and private keys from PEM or DER. Every failure is an {@link X509SvidException}
 * carrying the caller's rule; parser exceptions never escape, and messages never echo key or certificate bytes.
 */
final class X509Encoding {
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String PKCS8 = "PRIVATE KEY";

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
    try {
      return DerCertificates.parseConcatenated(data);
    } catch (IllegalArgumentException e) {
      throw new X509SvidException("malformed DER: " + e.getMessage(), rule, e.getCause());
    }
  }

  private static X509Certificate certificate(byte[] der, String rule) {
    try {
      return DerCertificates.parseSingle(der, "certificate");
    } catch (IllegalArgumentException e) {
      throw new X509SvidException("malformed PEM certificate: " + e.getMessage(), rule, e.getCause());
    }
  }

  /**
   * A private key from one PEM block ({@code PRIVATE KEY}, or the legacy {@code EC PRIVATE KEY} and
   * {@code RSA PRIVATE KEY}, which are rewrapped as PKCS#8) or from PKCS#8 DER. Certificate blocks are skipped.
   */
  static PrivateKey privateKey(byte[] data, String rule) {
    try {
      return PrivateKeys.parse(data);
    } catch (IllegalArgumentException e) {
      throw new X509SvidException(e.getMessage(), rule, e.getCause());
    }
  }

  /** An unencrypted PKCS#8 key (X509-21) of a type an X509-SVID may have: RSA, EC or Ed25519. */
  static PrivateKey pkcs8PrivateKey(byte[] der, String rule) {
    try {
      return PrivateKeys.parsePkcs8(der);
    } catch (IllegalArgumentException e) {
      throw new X509SvidException(e.getMessage(), rule, e.getCause());
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
