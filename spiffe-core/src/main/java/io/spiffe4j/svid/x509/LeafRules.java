package io.spiffe4j.svid.x509;

import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.SpiffeId;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;

/**
 * The SPIFFE rules on a leaf certificate (X509-SVID §2, §4 and §5.2), shared by parsing one's own SVID and verifying
 * a peer's. The two differ only in the rule they report for the CA/key-usage checks (§4 for issuers' output, §5.2
 * X509-17 for validators) and in digitalSignature, which only one's own SVID must have (see {@link #check}).
 *
 * <p>Key usage and basic constraints are read as the certificate parser reports them. The JDK's parser refuses a
 * certificate with a malformed critical extension and treats a malformed non-critical one as absent, as PKIX does.
 */
final class LeafRules {
  static final int DIGITAL_SIGNATURE = 0;
  static final int KEY_CERT_SIGN = 5;
  static final int CRL_SIGN = 6;
  private static final Integer URI_NAME = 6;

  private LeafRules() {}

  /**
   * Checks the leaf and returns its SPIFFE ID.
   *
   * @param ownSvid true when parsing one's own SVID (rules X509-04/09/13, digitalSignature required), false when
   *     verifying a peer (rule X509-17; digitalSignature is not required, as in go-spiffe's Verify: §4.3 binds
   *     issuers, §5.2 lists only the MUST NOTs)
   */
  static SpiffeId check(X509Certificate leaf, boolean ownSvid) {
    SpiffeId id = spiffeId(leaf);
    if (id.isRootPath()) {
      throw new X509SvidException(
          "leaf SPIFFE ID " + id + " has no path; a workload ID needs one", ownSvid ? "X509-04" : "X509-17");
    }
    if (leaf.getBasicConstraints() >= 0) {
      throw new X509SvidException("leaf certificate has the CA flag set", ownSvid ? "X509-09" : "X509-17");
    }
    boolean[] keyUsage = leaf.getKeyUsage();
    if (ownSvid && !bit(keyUsage, DIGITAL_SIGNATURE)) {
      throw new X509SvidException("leaf certificate lacks the digitalSignature key usage", "X509-13");
    }
    if (bit(keyUsage, KEY_CERT_SIGN)) {
      throw new X509SvidException("leaf certificate has the keyCertSign key usage", ownSvid ? "X509-13" : "X509-17");
    }
    if (bit(keyUsage, CRL_SIGN)) {
      throw new X509SvidException("leaf certificate has the cRLSign key usage", ownSvid ? "X509-13" : "X509-17");
    }
    return id;
  }

  /** The SPIFFE ID in the only URI SAN (X509-01/02; two identical URIs count as two), checked by SID-xx. */
  static SpiffeId spiffeId(X509Certificate leaf) {
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException | RuntimeException e) {
      throw new X509SvidException("leaf certificate has a malformed subject alternative name extension", "X509-01", e);
    }
    int uriCount = 0;
    Object uri = null;
    if (names != null) {
      for (List<?> name : names) {
        if (name.size() >= 2 && URI_NAME.equals(name.get(0))) {
          uriCount++;
          uri = name.get(1);
        }
      }
    }
    if (uriCount == 0 || !(uri instanceof String)) {
      throw new X509SvidException("leaf certificate contains no URI SAN", "X509-01");
    }
    if (uriCount > 1) {
      throw new X509SvidException("leaf certificate contains more than one URI SAN (" + uriCount + ")", "X509-02");
    }
    try {
      return SpiffeId.parse((String) uri);
    } catch (InvalidSpiffeIdException e) {
      throw new X509SvidException("leaf URI SAN is not a valid SPIFFE ID: " + e.reason(), e.rule().orElse(null), e);
    }
  }

  static boolean bit(boolean[] bits, int index) {
    return bits != null && bits.length > index && bits[index];
  }
}
