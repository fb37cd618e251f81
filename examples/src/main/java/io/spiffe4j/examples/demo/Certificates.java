package io.spiffe4j.examples.demo;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.svid.x509.X509Svid;
import java.security.cert.X509Certificate;
import java.util.List;

/** How the demo names certificates in its output, and tells which CA issued an SVID. */
final class Certificates {
  private Certificates() {
  }

  /** The serial number, shortened to its first 8 hex digits: enough to tell the demo's certificates apart. */
  static String serial(X509Certificate certificate) {
    String hex = certificate.getSerialNumber().toString(16);
    return "#" + (hex.length() > 8 ? hex.substring(0, 8) : hex);
  }

  /** The subject's common name, or the whole subject if it has none. */
  static String name(X509Certificate certificate) {
    String subject = certificate.getSubjectX500Principal().getName();
    for (String part : subject.split(",")) {
      if (part.startsWith("CN=")) {
        return part.substring(3);
      }
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
