package io.spiffe4j.bundle;

import io.spiffe4j.internal.DerCertificates;
import io.spiffe4j.internal.Pem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Strict reading and writing of X.509 certificates as concatenated DER (the Workload API form, X509-21) and as PEM.
 *
 * <p>DER framing is {@link DerCertificates}'s; every failure becomes a {@link BundleException} that names the
 * certificate's position, never its bytes.
 */
final class CertificateCodec {
  private static final String CERTIFICATE = "CERTIFICATE";

  private CertificateCodec() {}

  /** Certificates concatenated as DER with nothing between them; no bytes give no certificates. */
  static List<X509Certificate> parseDer(byte[] der) {
    try {
      return DerCertificates.parseConcatenated(der);
    } catch (IllegalArgumentException e) {
      throw new BundleException(e.getMessage(), "X509-21", e.getCause());
    }
  }

  /** Exactly one DER certificate, with no trailing bytes. */
  static X509Certificate parseSingleDer(byte[] der, String what, String rule) {
    try {
      return DerCertificates.parseSingle(der, what);
    } catch (IllegalArgumentException e) {
      throw new BundleException(e.getMessage(), rule, e.getCause());
    }
  }

  /**
   * The certificates of every PEM block; text outside blocks is ignored. Any block that is not a
   * {@code CERTIFICATE} is an error, and so is text with no block at all.
   */
  static List<X509Certificate> parsePem(byte[] pem) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.decode(new String(pem, StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      throw new BundleException("malformed PEM: " + e.getMessage(), null);
    }
    if (blocks.isEmpty()) {
      throw new BundleException("no PEM blocks", null);
    }
    List<X509Certificate> certificates = new ArrayList<>();
    for (Pem.Block block : blocks) {
      if (!CERTIFICATE.equals(block.type())) {
        throw new BundleException("PEM block " + (certificates.size() + 1) + describeLabel(block.type())
            + " is not a CERTIFICATE block", null);
      }
      certificates.add(parseSingleDer(block.der(), "PEM block " + (certificates.size() + 1), null));
    }
    return certificates;
  }

  /** Labels are shown only when plainly harmless: they come from input. */
  private static String describeLabel(String type) {
    return type.matches("[A-Z0-9 ]{1,40}") ? " (" + type + ")" : "";
  }

  static byte[] encodeDer(List<X509Certificate> certificates) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate certificate : certificates) {
      out.writeBytes(encoded(certificate));
    }
    return out.toByteArray();
  }

  static byte[] encodePem(List<X509Certificate> certificates) {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      pem.append(Pem.encode(CERTIFICATE, encoded(certificate)));
    }
    return pem.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (CertificateEncodingException e) {
      throw new BundleException("an authority certificate cannot be encoded", null, e);
    }
  }
}
