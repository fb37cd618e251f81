package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import io.spiffe4j.internal.DerCertificates;
import io.spiffe4j.internal.Pem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Loads X.509 certificate chains, leaf first, from PEM (one or more {@code CERTIFICATE} blocks; other blocks, such
 * as a private key in the same file, and text between blocks are ignored) or from DER (one certificate, or several
 * concatenated). The order is kept as given; nothing is verified here. Failures are {@link CertAuthException}s of
 * kind {@code UNREADABLE_FILE} or {@code MALFORMED} naming the file and the certificate's position, never its bytes.
 * Stateless and thread-safe.
 */
public final class Certificates {
  private static final String CERTIFICATE = "CERTIFICATE";
  private static final String BEGIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
  private static final String END_CERTIFICATE = "-----END CERTIFICATE-----";

  private Certificates() {}

  /**
   * The certificates in a PEM or DER file, in file order.
   *
   * @throws CertAuthException if the file cannot be read or holds no valid certificate, or a malformed one
   */
  public static List<X509Certificate> load(Path certificateFile) {
    Objects.requireNonNull(certificateFile, "certificateFile");
    return parse(InputFiles.read(certificateFile, "certificate file"), "certificate file " + certificateFile);
  }

  /**
   * The certificates in PEM text, in order.
   *
   * @throws CertAuthException if the text holds no valid certificate, or a malformed one
   */
  public static List<X509Certificate> parse(String pem) {
    Objects.requireNonNull(pem, "pem");
    return parse(pem.getBytes(StandardCharsets.ISO_8859_1), "certificates");
  }

  /**
   * The certificates in PEM text or DER bytes (told apart by a PEM BEGIN line), in order.
   *
   * @throws CertAuthException if the bytes hold no valid certificate, or a malformed one
   */
  public static List<X509Certificate> parse(byte[] pemOrDer) {
    Objects.requireNonNull(pemOrDer, "pemOrDer");
    return parse(pemOrDer, "certificates");
  }

  private static List<X509Certificate> parse(byte[] data, String source) {
    List<X509Certificate> chain;
    try {
      chain = Pem.looksLikePem(data) ? fromPem(new String(data, StandardCharsets.ISO_8859_1))
          : DerCertificates.parseConcatenated(data);
    } catch (IllegalArgumentException e) {
      throw new CertAuthException(Kind.MALFORMED, source + ": " + e.getMessage(), e);
    }
    if (chain.isEmpty()) {
      throw new CertAuthException(Kind.MALFORMED, source + ": no certificate");
    }
    return List.copyOf(chain);
  }

  /**
   * Only the {@code CERTIFICATE} blocks are cut out and decoded: other blocks (a private key in a combined file,
   * perhaps legacy-encrypted with headers the strict PEM reader refuses) never pass through here.
   */
  private static List<X509Certificate> fromPem(String text) {
    List<X509Certificate> chain = new ArrayList<>();
    int from = 0;
    while (true) {
      int begin = text.indexOf(BEGIN_CERTIFICATE, from);
      if (begin < 0) {
        return chain;
      }
      int end = text.indexOf(END_CERTIFICATE, begin);
      // Without an END line the block runs to the end of the text, and the PEM reader reports it unterminated.
      String block = text.substring(begin, end < 0 ? text.length() : end + END_CERTIFICATE.length());
      byte[] der = Pem.decode(block).get(0).der();
      chain.add(DerCertificates.parseSingle(der, "certificate " + (chain.size() + 1)));
      from = begin + block.length();
    }
  }

  /** The chain as PEM, one {@code CERTIFICATE} block per certificate, in order. */
  static String toPem(List<X509Certificate> chain) {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : chain) {
      try {
        pem.append(Pem.encode(CERTIFICATE, certificate.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new CertAuthException(Kind.MALFORMED, "cannot encode certificate " + certificate.getSerialNumber(), e);
      }
    }
    return pem.toString();
  }
}
