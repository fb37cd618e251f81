package io.spiffe4j.authority;

import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.svid.x509.X509SvidException;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.security.KeyPair;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The checks SPIRE's {@code X509CAValidator} applies to an upstream's answer before using it (SPIRE plugin protocol
 * §5.2), so that a CA this authority accepts would be accepted by a SPIRE Server too.
 */
final class MintedCaCheck {
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;
  private static final int URI = 6;

  private MintedCaCheck() {}

  /**
   * Checks that the first certificate of the answer is a CA for {@code caKey}'s public key that SPIRE would accept:
   * {@code cA=true}; key usage with keyCertSign and nothing beyond keyCertSign, cRLSign and digitalSignature; no URI
   * SAN or exactly the trust domain's ID; valid at {@code now}; and an X509-SVID it signs verifies, through the
   * answered chain, against the answered roots at {@code now}.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#MISCONFIGURED} naming the first failed check
   */
  static void check(UpstreamX509Ca answer, KeyPair caKey, TrustDomain trustDomain, Instant now) {
    X509Certificate ca = answer.mintedCa();
    if (!ca.getPublicKey().equals(caKey.getPublic())) {
      throw invalid("it is not for the requested key");
    }
    if (ca.getBasicConstraints() < 0) {
      throw invalid("it is not a CA (basic constraints cA=true is required, X509-09)");
    }
    boolean[] usage = ca.getKeyUsage();
    if (usage == null || usage.length <= KEY_CERT_SIGN || !usage[KEY_CERT_SIGN]) {
      throw invalid("it lacks the keyCertSign key usage (X509-12)");
    }
    for (int bit = 0; bit < usage.length; bit++) {
      if (usage[bit] && bit != DIGITAL_SIGNATURE && bit != KEY_CERT_SIGN && bit != CRL_SIGN) {
        throw invalid("it has key usages other than keyCertSign, cRLSign and digitalSignature");
      }
    }
    List<String> uris = uriSans(ca);
    if (!uris.isEmpty() && !uris.equals(List.of(trustDomain.idString()))) {
      throw invalid("its URI SANs are not exactly " + trustDomain.idString() + " (X509-07)");
    }
    Instant notBefore = ca.getNotBefore().toInstant();
    Instant notAfter = ca.getNotAfter().toInstant();
    if (now.isBefore(notBefore) || now.isAfter(notAfter)) {
      throw invalid("it is not valid at " + now + " (valid from " + notBefore + " to " + notAfter + ")");
    }
    checkSignsVerifiableSvids(answer, caKey, trustDomain, now);
  }

  /** As SPIRE does: an SVID signed by the new key must verify through the answered chain to the answered roots. */
  private static void checkSignsVerifiableSvids(UpstreamX509Ca answer, KeyPair caKey, TrustDomain trustDomain,
      Instant now) {
    X509Certificate ca = answer.mintedCa();
    X509Certificate probe;
    try {
      probe = CertificateMinter.x509Svid(caKey.getPublic(), SpiffeId.fromSegments(trustDomain, "spiffe4j", "probe"))
          .validity(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant())
          .issuedBy(ca, caKey.getPrivate())
          .sign(null);
    } catch (IllegalStateException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
          "the X.509 CA minted by the upstream authority is invalid: the new key cannot sign with it", e);
    }
    List<X509Certificate> chain = new ArrayList<>(answer.caChain().size() + 1);
    chain.add(probe);
    chain.addAll(answer.caChain());
    try {
      X509SvidVerifier.of(X509Bundle.of(trustDomain, answer.upstreamRoots()), Clock.fixed(now, ZoneOffset.UTC))
          .verify(chain);
    } catch (X509SvidException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED, "the X.509 CA minted by the upstream authority is "
          + "invalid: an X509-SVID it signs does not verify against the upstream roots: " + e.getMessage(), e);
    }
  }

  private static List<String> uriSans(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
          "the X.509 CA minted by the upstream authority is invalid: its subject alternative names are malformed", e);
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        if (((Integer) name.get(0)) == URI) {
          uris.add(String.valueOf(name.get(1)));
        }
      }
    }
    return uris;
  }

  private static UpstreamAuthorityException invalid(String why) {
    return new UpstreamAuthorityException(Kind.MISCONFIGURED,
        "the X.509 CA minted by the upstream authority is invalid: " + why);
  }
}
