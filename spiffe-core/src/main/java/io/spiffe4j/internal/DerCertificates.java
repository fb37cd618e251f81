package io.spiffe4j.internal;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Strict reading of X.509 certificates as DER, alone or concatenated (the Workload API form, X509-21).
 *
 * <p>The JDK's {@code CertificateFactory.generateCertificates} is not used on whole inputs because it also accepts
 * base64 text and PKCS#7; instead each certificate is framed here by its outer DER SEQUENCE (definite, minimal
 * length) and handed to the JDK alone. Failures are {@link IllegalArgumentException}s that name the certificate's
 * position, never its bytes; public callers wrap them into their own typed exception.
 */
public final class DerCertificates {
  private static final int SEQUENCE = 0x30;

  private DerCertificates() {}

  /** Certificates concatenated as DER with nothing between them; no bytes give no certificates. */
  public static List<X509Certificate> parseConcatenated(byte[] der) {
    List<X509Certificate> certificates = new ArrayList<>();
    int position = 0;
    while (position < der.length) {
      String what = "certificate " + (certificates.size() + 1);
      int end = endOfSequence(der, position, what);
      certificates.add(parseFramed(Arrays.copyOfRange(der, position, end), what));
      position = end;
    }
    return certificates;
  }

  /** Exactly one DER certificate, with no trailing bytes; {@code what} names it in errors. */
  public static X509Certificate parseSingle(byte[] der, String what) {
    if (der.length == 0) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (endOfSequence(der, 0, what) != der.length) {
      throw new IllegalArgumentException(what + " has bytes after the certificate");
    }
    return parseFramed(der, what);
  }

  /** The index just past the DER SEQUENCE starting at {@code start}. */
  private static int endOfSequence(byte[] der, int start, String what) {
    if ((der[start] & 0xff) != SEQUENCE) {
      throw new IllegalArgumentException(what + " does not start with a DER SEQUENCE");
    }
    if (start + 1 >= der.length) {
      throw new IllegalArgumentException(what + " is truncated");
    }
    int first = der[start + 1] & 0xff;
    int contentStart = start + 2;
    long length;
    if (first < 0x80) {
      length = first;
    } else {
      int octets = first & 0x7f;
      // 0x80 is the indefinite form, which DER forbids; more than 4 length bytes cannot describe a real certificate.
      if (octets == 0 || octets > 4) {
        throw new IllegalArgumentException(what + " has an indefinite or oversized length");
      }
      if (contentStart + octets > der.length) {
        throw new IllegalArgumentException(what + " is truncated");
      }
      if (der[contentStart] == 0) {
        throw new IllegalArgumentException(what + " has a non-minimal length (not DER)");
      }
      length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (der[contentStart + i] & 0xff);
      }
      if (length < 0x80) {
        throw new IllegalArgumentException(what + " has a non-minimal length (not DER)");
      }
      contentStart += octets;
    }
    long end = contentStart + length;
    if (end > der.length) {
      throw new IllegalArgumentException(what + " is truncated");
    }
    return (int) end;
  }

  private static X509Certificate parseFramed(byte[] der, String what) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | RuntimeException e) {
      // The JDK parser may also fail with unchecked exceptions on hostile input; none may escape.
      throw new IllegalArgumentException(what + " is not a valid X.509 certificate", e);
    }
  }
}
