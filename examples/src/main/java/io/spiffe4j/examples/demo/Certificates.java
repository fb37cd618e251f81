package io.spiffe4j.examples.demo;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.svid.x509.X509Svid;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/** How the demo names certificates in its output, and tells which CA issued an SVID. */
final class Certificates {
  private static final int URI_SAN = 6;

  private Certificates() {
  }

  /** The serial number, shortened to its first 8 hex digits: enough to tell the demo's certificates apart. */
  static String serial(X509Certificate certificate) {
    String hex = certificate.getSerialNumber().toString(16);
    return "#" + (hex.length() > 8 ? hex.substring(0, 8) : hex);
  }

  /**
   * The subject's common name; else, for an authority's CA (whose subject, like SPIRE's, has none), the trust domain
   * ID it carries as URI SAN; else the whole subject.
   */
  static String name(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    for (String part : subject.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
    }
    try {
      Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (Integer.valueOf(URI_SAN).equals(san.get(0))) {
            return String.valueOf(san.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // An unreadable SAN extension: the subject names it well enough for a demo line.
    }
    return subject;
  }

  /**
   * Whether {@code ca} issued the SVID: an authority's SVID carries, after its leaf, the chain of the CA that
   * signed it (the CA's certificate first, then any intermediates up to the root). That the signatures along it
   * hold is for a verifier to check, as every TLS handshake of the demo does.
   */
  static boolean isSignedBy(X509Svid svid, AuthorityCa ca) {
    List<X509Certificate> chain = svid.chain();
    return !ca.chain().isEmpty() && chain.subList(1, chain.size()).equals(ca.chain());
  }
}
