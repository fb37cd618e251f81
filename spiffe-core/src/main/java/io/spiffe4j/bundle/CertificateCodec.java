package io.spiffe4j.bundle;

import io.spiffe4j.internal.Pem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Strict reading and writing of X.509 certificates as concatenated DER (the Workload API form, X509-21) and as PEM.
 *
 * <p>The JDK's {@code CertificateFactory.generateCertificates} is not used on whole inputs because it also accepts
 * base64 text and PKCS#7; instead each certificate is framed here by its outer DER SEQUENCE and handed to the JDK
 * alone. Every failure is a {@link BundleException} that names the certificate's position, never its bytes.
 */
final class CertificateCodec {
  private static final int SEQUENCE = 0x30;
  private static final String CERTIFICATE = "CERTIFICATE";

  private CertificateCodec() {}

  /** Certificates concatenated as DER with nothing between them; no bytes give no certificates. */
  static List<X509Certificate> parseDer(byte[] der) {
    List<X509Certificate> certificates = new ArrayList<>();
    int position = 0;
    while (position < der.length) {
      String what = "certificate " + (certificates.size() + 1);
      int end = endOfSequence(der, position, what, "X509-21");
      certificates.add(parseFramed(Arrays.copyOfRange(der, position, end), what));
      position = end;
    }
    return certificates;
  }

  /** Exactly one DER certificate, with no trailing bytes. */
  static X509Certificate parseSingleDer(byte[] der, String what, String rule) {
    if (der.length == 0) {
      throw new BundleException(what + " is empty", rule);
    }
    int end = endOfSequence(der, 0, what, rule);
    if (end != der.length) {
      throw new BundleException(what + " has bytes after the certificate", rule);
    }
    return parseFramed(der, what);
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

  /** The index just past the DER SEQUENCE starting at {@code start}; checks DER's minimal definite length. */
  private static int endOfSequence(byte[] der, int start, String what, String rule) {
    if ((der[start] & 0xff) != SEQUENCE) {
      throw malformed(what, "does not start with a DER SEQUENCE", rule);
    }
    if (start + 1 >= der.length) {
      throw malformed(what, "is truncated", rule);
    }
    int first = der[start + 1] & 0xff;
    int contentStart = start + 2;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int octets = first & 0x7f;
      if (octets == 0 || octets > 4) {
        throw malformed(what, "has an indefinite or oversized length", rule);
      }
      if (contentStart + octets > der.length) {
        throw malformed(what, "is truncated", rule);
      }
      if (der[contentStart] == 0) {
        throw malformed(what, "has a non-minimal length (not DER)", rule);
      }
      length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (der[contentStart + i] & 0xff);
      }
      if (length < 0x80) {
        throw malformed(what, "has a non-minimal length (not DER)", rule);
      }
      contentStart += octets;
    }
    long end = contentStart + length;
    if (end > der.length) {
      throw malformed(what, "is truncated", rule);
    }
    return (int) end;
  }

  private static X509Certificate parseFramed(byte[] der, String what) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      // The JDK parser may also fail with unchecked exceptions on hostile input; none may escape.
      throw new BundleException(what + " is not a valid X.509 certificate", null, e);
    }
  }

  private static BundleException malformed(String what, String problem, String rule) {
    return new BundleException(what + " " + problem, rule);
  }
}
