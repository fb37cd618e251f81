package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.internal.DerCertificates;
import io.spiffe4j.internal.Pem;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Certificates from the forms Akeyless may send them in: PEM, base64 of PEM, base64 of DER. Stateless. */
final class Certificates {
  private Certificates() {}

  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new IllegalArgumentException("a certificate cannot be encoded", e);
    }
  }

  /**
   * The certificates in a text that is PEM, base64 of PEM, or base64 of DER (one or several concatenated), as
   * Akeyless may send them.
   *
   * @throws IllegalArgumentException naming the problem (never the bytes) if the text holds none of these
   */
  static List<X509Certificate> parseAnyEncoding(String text) {
    if (text.contains("-----BEGIN")) {
      return parsePem(text);
    }
    byte[] decoded = decodeBase64(text);
    if (Pem.looksLikePem(decoded)) {
      return parsePem(new String(decoded, StandardCharsets.UTF_8));
    }
    return DerCertificates.parseConcatenated(decoded);
  }

  /** The CERTIFICATE blocks of a PEM text; other blocks are ignored. */
  static List<X509Certificate> parsePem(String pem) {
    List<X509Certificate> certificates = new ArrayList<>();
    for (Pem.Block block : Pem.decode(pem)) {
      if (block.type().equals("CERTIFICATE")) {
        certificates.add(DerCertificates.parseSingle(block.der(), "certificate " + (certificates.size() + 1)));
      }
    }
    return certificates;
  }

  /** Standard base64 (padded or not, line breaks allowed), else the URL-safe alphabet. */
  static byte[] decodeBase64(String text) {
    String compact = text.replaceAll("\\s", "");
    try {
      return Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      try {
        return Base64.getUrlDecoder().decode(compact);
      } catch (IllegalArgumentException again) {
        throw new IllegalArgumentException("neither PEM nor base64");
      }
    }
  }
}
