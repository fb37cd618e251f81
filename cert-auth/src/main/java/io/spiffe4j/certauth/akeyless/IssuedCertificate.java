package io.spiffe4j.certauth.akeyless;

import java.nio.ByteBuffer;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A certificate issued by {@code /get-pki-certificate}: the {@linkplain #leaf() leaf} for the CSR's key, the
 * {@linkplain #intermediates() intermediates} from it towards the issuer's root, and the self-signed
 * {@linkplain #roots() roots} the answer carried.
 *
 * <p><b>Guarantees.</b> The leaf carries exactly the CSR's public key. Each intermediate's subject is the issuer of
 * the certificate before it, in order from the leaf. Roots are the answer's self-issued certificates other than the
 * leaf; the list is empty if the answer held no root. The answer's certificates are de-duplicated and ones that fit
 * nowhere are dropped. Signatures and validity are <em>not</em> checked here: validate the chain against the trust
 * anchors you configured before relying on it.
 *
 * <p>Immutable and thread-safe.
 */
public final class IssuedCertificate {
  private final X509Certificate leaf;
  private final List<X509Certificate> intermediates;
  private final List<X509Certificate> roots;
  private final String displayId;

  private IssuedCertificate(X509Certificate leaf, List<X509Certificate> intermediates,
      List<X509Certificate> roots, String displayId) {
    this.leaf = leaf;
    this.intermediates = List.copyOf(intermediates);
    this.roots = List.copyOf(roots);
    this.displayId = displayId;
  }

  /**
   * Sorts what Akeyless sent in {@code data} (the leaf, possibly followed by its chain) and {@code parent_cert}
   * (the issuer or its chain, possibly repeating {@code data}).
   */
  static IssuedCertificate assemble(List<X509Certificate> data, List<X509Certificate> parent,
      byte[] requestedKey, String displayId) {
    X509Certificate leaf = data.stream()
        .filter(certificate -> Arrays.equals(certificate.getPublicKey().getEncoded(), requestedKey))
        .findFirst()
        .orElseThrow(() -> ApiResponses.protocol(PkiCertificateRequest.OPERATION, 0,
            "no certificate in \"data\" carries the CSR's public key"));
    Map<ByteBuffer, X509Certificate> unused = new LinkedHashMap<>();
    for (List<X509Certificate> part : List.of(data, parent)) {
      part.forEach(certificate -> unused.put(ByteBuffer.wrap(Certificates.encoded(certificate)), certificate));
    }
    unused.values().remove(leaf);
    List<X509Certificate> intermediates = new ArrayList<>();
    List<X509Certificate> roots = new ArrayList<>();
    X509Certificate current = leaf;
    while (!selfIssued(current)) {
      X509Certificate issuer = issuerOf(current, unused.values());
      if (issuer == null) {
        break;
      }
      unused.values().remove(issuer);
      (selfIssued(issuer) ? roots : intermediates).add(issuer);
      current = issuer;
    }
    unused.values().stream().filter(IssuedCertificate::selfIssued).forEach(roots::add);
    return new IssuedCertificate(leaf, intermediates, roots, displayId);
  }

  private static X509Certificate issuerOf(X509Certificate certificate, Iterable<X509Certificate> candidates) {
    for (X509Certificate candidate : candidates) {
      if (candidate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal())) {
        return candidate;
      }
    }
    return null;
  }

  private static boolean selfIssued(X509Certificate certificate) {
    return certificate.getSubjectX500Principal().equals(certificate.getIssuerX500Principal());
  }

  /** The issued certificate, for the CSR's public key. */
  public X509Certificate leaf() {
    return leaf;
  }

  /** The CA certificates between the leaf and a root, nearest the leaf first; possibly empty. */
  public List<X509Certificate> intermediates() {
    return intermediates;
  }

  /** The self-signed roots the answer carried; empty if it carried none. */
  public List<X509Certificate> roots() {
    return roots;
  }

  /** The leaf followed by the intermediates: what a TLS peer or an X509-SVID presents. */
  public List<X509Certificate> chain() {
    List<X509Certificate> chain = new ArrayList<>(intermediates.size() + 1);
    chain.add(leaf);
    chain.addAll(intermediates);
    return List.copyOf(chain);
  }

  /** Akeyless's {@code cert_display_id} for the certificate, if it sent one. */
  public Optional<String> displayId() {
    return Optional.ofNullable(displayId);
  }

  @Override
  public String toString() {
    return "IssuedCertificate[subject=" + leaf.getSubjectX500Principal().getName() + ", serial="
        + leaf.getSerialNumber().toString(16) + ", notAfter=" + leaf.getNotAfter().toInstant() + ", intermediates="
        + intermediates.size() + ", roots=" + roots.size() + (displayId == null ? "" : ", displayId=" + displayId)
        + "]";
  }
}
