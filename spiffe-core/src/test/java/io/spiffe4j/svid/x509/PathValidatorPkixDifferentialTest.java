package io.spiffe4j.svid.x509;

import static io.spiffe4j.svid.x509.TestPki.NOT_AFTER;
import static io.spiffe4j.svid.x509.TestPki.NOT_BEFORE;
import static io.spiffe4j.svid.x509.TestPki.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import java.security.KeyPair;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.junit.jupiter.api.Test;

/**
 * Differential test of the path validation (X509-16) against the JDK's PKIX {@link CertPathValidator}: the bundle's
 * authorities as trust anchors, revocation off, the date fixed, critical policy qualifiers allowed (the JDK's API
 * default refuses them; RFC 5280 does not, nor does Go). Over a few hundred generated chains, each with zero, one or
 * two deliberate defects, our verdict must equal PKIX's, except for the defects where this validator is stricter on
 * purpose and follows go-spiffe: the authority's own validity, path length constraint and CA capability (cA=true,
 * keyCertSign when it has key usage), which PKIX takes as given.
 * For those the verdict must be a rejection, and when that is the only defect, PKIX must accept (so the divergence
 * stays documented by a test).
 *
 * <p>Leaves always satisfy the SPIFFE leaf rules, so the verdict is the path's. Chains are presented in path order
 * without extras, the one form PKIX validates; pool handling is tested in {@link X509SvidVerifierTest}. CAs have
 * common names that are no DNS names, since the JDK (unlike RFC 5280 and Go) would check those against DNS name
 * constraints.
 */
class PathValidatorPkixDifferentialTest {
  private static final int CHAINS = 320;
  private static final long SEED = 0x5eed_f1ffL;
  private static final String UNKNOWN_OID = "1.3.6.1.4.1.99999.7";
  private static final SpiffeId SUBDOMAIN_WORKLOAD = SpiffeId.parse("spiffe://sub.example.org/web");

  enum Defect {
    NONE,
    LEAF_EXPIRED,
    LEAF_NOT_YET_VALID,
    LEAF_UNKNOWN_CRITICAL_EXTENSION,
    LEAF_UNKNOWN_NON_CRITICAL_EXTENSION,
    LEAF_EMAIL_PROTECTION_EKU_ONLY,
    LEAF_WRONG_SIGNER,
    LEAF_BROKEN_SIGNATURE,
    INTERMEDIATE_EXPIRED,
    INTERMEDIATE_NOT_YET_VALID,
    INTERMEDIATE_NOT_CA,
    INTERMEDIATE_WITHOUT_BASIC_CONSTRAINTS,
    INTERMEDIATE_KEY_USAGE_WITHOUT_KEY_CERT_SIGN,
    INTERMEDIATE_WITHOUT_KEY_USAGE,
    INTERMEDIATE_UNKNOWN_CRITICAL_EXTENSION,
    INTERMEDIATE_CRITICAL_POLICIES,
    INTERMEDIATE_WRONG_SIGNER,
    INTERMEDIATE_BROKEN_SIGNATURE,
    INTERMEDIATE_SELF_ISSUED,
    PATH_LENGTH_EXCEEDED,
    PATH_LENGTH_EXACT,
    /** A self-issued CA below one with pathLen 0 is not counted (RFC 5280 §6.1.4(l)). */
    PATH_LENGTH_SELF_ISSUED_EXEMPT,
    UNTRUSTED_ROOT,
    URI_PERMITTED,
    URI_NOT_PERMITTED,
    URI_EXCLUDED,
    URI_DOMAIN_PERMITS_SUBDOMAIN,
    URI_DOMAIN_EXCLUDES_ITSELF,
    URI_HOST_EXCLUDES_SUBDOMAIN,
    /** A self-issued CA below a constrained one is exempt from its constraints (RFC 5280 §6.1.3(b)). */
    URI_DOMAIN_SELF_ISSUED_EXEMPT,
    DNS_PERMITTED,
    DNS_NOT_PERMITTED,
    DNS_EXCLUDED,
    AUTHORITY_EXPIRED,
    AUTHORITY_PATH_LENGTH,
    AUTHORITY_NOT_CA,
    AUTHORITY_WITHOUT_BASIC_CONSTRAINTS,
    AUTHORITY_KEY_USAGE_WITHOUT_KEY_CERT_SIGN;

    boolean onIntermediate() {
      return name().startsWith("INTERMEDIATE_") || name().startsWith("PATH_LENGTH") || name().startsWith("URI_")
          || name().startsWith("DNS_") || this == AUTHORITY_PATH_LENGTH;
    }

    /** Where this validator is stricter than PKIX on purpose (go-spiffe's behaviour). */
    boolean goSpiffeOnly() {
      return name().startsWith("AUTHORITY_");
    }

    /** Defects that shape two intermediates; they are generated alone. */
    boolean selfIssuedExemption() {
      return this == PATH_LENGTH_SELF_ISSUED_EXEMPT || this == URI_DOMAIN_SELF_ISSUED_EXEMPT;
    }
  }

  private static final class Case {
    final String description;
    final List<X509Certificate> presented;
    final X509Certificate trusted;

    Case(String description, List<X509Certificate> presented, X509Certificate trusted) {
      this.description = description;
      this.presented = presented;
      this.trusted = trusted;
    }
  }

  @Test
  void X509_16_verdictsEqualJdkPkixOnGeneratedChains() throws Exception {
    Random random = new Random(SEED);
    Defect[] defects = Defect.values();
    Map<Defect, int[]> verdictsByDefect = new EnumMap<>(Defect.class);
    int accepted = 0;
    for (int i = 0; i < CHAINS; i++) {
      Set<Defect> chosen = EnumSet.of(defects[i % defects.length]);
      Defect second = defects[random.nextInt(defects.length)];
      boolean compatible = !(constrainsNames(second) && chosen.stream().anyMatch(
          PathValidatorPkixDifferentialTest::constrainsNames))
          && !second.selfIssuedExemption() && chosen.stream().noneMatch(Defect::selfIssuedExemption);
      if (random.nextInt(4) == 0 && compatible) {
        chosen.add(second);
      }
      chosen.remove(Defect.NONE);
      Case generated = generate(random, chosen, i);
      boolean pkix = pkixAccepts(generated);
      boolean ours = weAccept(generated);
      boolean divergent = chosen.stream().anyMatch(Defect::goSpiffeOnly);
      if (divergent) {
        assertFalse(ours, "go-spiffe-only defect must be rejected: " + generated.description);
        if (chosen.stream().allMatch(Defect::goSpiffeOnly)) {
          assertTrue(pkix, "PKIX accepts what only go-spiffe rejects: " + generated.description);
        }
      } else if (ours != pkix) {
        fail("verdicts differ (ours " + ours + ", PKIX " + pkix + ") for " + generated.description);
      }
      accepted += ours ? 1 : 0;
      for (Defect defect : chosen.isEmpty() ? EnumSet.of(Defect.NONE) : chosen) {
        verdictsByDefect.computeIfAbsent(defect, d -> new int[2])[ours ? 0 : 1]++;
      }
    }
    assertTrue(accepted > CHAINS / 5 && accepted < CHAINS * 4 / 5, "a mix of verdicts: " + accepted + " accepted");
    assertEquals(defects.length, verdictsByDefect.size(), "every defect was generated");
    // The defect-free and harmless cases must actually have produced acceptances.
    for (Defect harmless : List.of(Defect.NONE, Defect.PATH_LENGTH_EXACT, Defect.URI_PERMITTED,
        Defect.PATH_LENGTH_SELF_ISSUED_EXEMPT, Defect.URI_DOMAIN_SELF_ISSUED_EXEMPT,
        Defect.URI_DOMAIN_PERMITS_SUBDOMAIN, Defect.DNS_PERMITTED, Defect.INTERMEDIATE_WITHOUT_KEY_USAGE,
        Defect.LEAF_EMAIL_PROTECTION_EKU_ONLY)) {
      assertTrue(verdictsByDefect.get(harmless)[0] > 0, harmless + " was never accepted");
    }
  }

  /** Name constraint defects each set the extension, which a certificate may carry only once. */
  private static boolean constrainsNames(Defect defect) {
    return defect.name().startsWith("URI_") || defect.name().startsWith("DNS_");
  }

  private static boolean weAccept(Case generated) {
    X509SvidVerifier verifier = X509SvidVerifier.of(td -> X509Bundle.of(td, List.of(generated.trusted)),
        Clock.fixed(NOW, ZoneOffset.UTC));
    try {
      verifier.verify(generated.presented);
      return true;
    } catch (X509SvidException rejected) {
      assertEquals("X509-16", rejected.rule().orElse(null), generated.description + ": " + rejected.getMessage());
      return false;
    }
  }

  private static boolean pkixAccepts(Case generated) throws Exception {
    PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(generated.trusted, null)));
    parameters.setRevocationEnabled(false);
    parameters.setDate(Date.from(NOW));
    parameters.setPolicyQualifiersRejected(false);
    try {
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(generated.presented), parameters);
      return true;
    } catch (CertPathValidatorException rejected) {
      return false;
    }
  }

  private static KeyPair randomKey(Random random) {
    int pick = random.nextInt(10);
    KeyAlgorithm algorithm = pick < 7 ? KeyAlgorithm.EC_P256
        : pick == 7 ? KeyAlgorithm.EC_P384 : pick == 8 ? KeyAlgorithm.RSA_2048 : KeyAlgorithm.ED25519;
    return TestPki.key(algorithm, random.nextInt(16));
  }

  private static Case generate(Random random, Set<Defect> defects, int index) throws Exception {
    int depth = random.nextInt(4);
    if (defects.stream().anyMatch(Defect::onIntermediate)) {
      depth = Math.max(depth, 1);
    }
    if (defects.contains(Defect.PATH_LENGTH_EXCEEDED)) {
      depth = Math.max(depth, 2);
    }
    // Defects hit one intermediate. Under name constraints, CAs below the target carry spiffe://example.org URIs,
    // which subdomain-only constraints forbid: that exercises constraints on intermediates too.
    int target = random.nextInt(Math.max(depth, 1));
    if (defects.contains(Defect.PATH_LENGTH_EXCEEDED)) {
      target = random.nextInt(depth - 1);
    }
    boolean selfIssuedExemption = defects.stream().anyMatch(Defect::selfIssuedExemption);
    if (selfIssuedExemption) {
      depth = Math.max(depth, 2);
      target = depth - 2;
    }
    StringBuilder description = new StringBuilder("chain #" + index + " depth " + depth + " defects " + defects
        + " on intermediate " + target);

    KeyPair rootKey = randomKey(random);
    CertificateMinter rootMinter = TestPki.rootMinter(rootKey, "Root CA");
    if (defects.contains(Defect.AUTHORITY_EXPIRED)) {
      rootMinter.validity(NOW.minus(Duration.ofDays(3)), NOW.minusSeconds(1));
    }
    if (defects.contains(Defect.AUTHORITY_PATH_LENGTH)) {
      rootMinter.pathLength(depth - 1);
    }
    if (defects.contains(Defect.AUTHORITY_NOT_CA)) {
      rootMinter.ca(false);
    }
    if (defects.contains(Defect.AUTHORITY_WITHOUT_BASIC_CONSTRAINTS)) {
      rootMinter.ca(null);
    }
    if (defects.contains(Defect.AUTHORITY_KEY_USAGE_WITHOUT_KEY_CERT_SIGN)) {
      rootMinter.keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CRL_SIGN));
    }
    X509Certificate root = rootMinter.sign(rootKey.getPrivate());
    X509Certificate trusted = root;
    if (defects.contains(Defect.UNTRUSTED_ROOT)) {
      KeyPair otherKey = randomKey(random);
      trusted = TestPki.rootMinter(otherKey, "Other Root").sign(otherKey.getPrivate());
    }

    List<X509Certificate> intermediates = new ArrayList<>();
    X509Certificate issuer = root;
    KeyPair issuerKey = rootKey;
    for (int j = 0; j < depth; j++) {
      KeyPair key = randomKey(random);
      CertificateMinter minter = TestPki.intermediateMinter(key, "Intermediate " + (j + 1), issuer, issuerKey);
      X509Certificate previousIssuer = issuer;
      if (j == target) {
        int below = depth - 1 - j;
        applyIntermediateDefects(minter, defects, below, random, previousIssuer);
      }
      if (selfIssuedExemption && j == target + 1) {
        minter.subject(previousIssuer.getSubjectX500Principal());
      }
      X509Certificate certificate = minter.sign(null);
      if (j == target && defects.contains(Defect.INTERMEDIATE_BROKEN_SIGNATURE)) {
        certificate = TestPki.withBrokenSignature(certificate);
      }
      intermediates.add(certificate);
      issuer = certificate;
      issuerKey = key;
    }

    SpiffeId id = defects.contains(Defect.URI_DOMAIN_PERMITS_SUBDOMAIN)
        || defects.contains(Defect.URI_HOST_EXCLUDES_SUBDOMAIN)
        || defects.contains(Defect.URI_DOMAIN_SELF_ISSUED_EXEMPT) ? SUBDOMAIN_WORKLOAD : TestPki.WORKLOAD;
    KeyPair leafKey = randomKey(random);
    CertificateMinter leaf = TestPki.leafMinter(leafKey, id, issuer, issuerKey);
    applyLeafDefects(leaf, defects, random, issuer);
    X509Certificate leafCertificate = leaf.sign(null);
    if (defects.contains(Defect.LEAF_BROKEN_SIGNATURE)) {
      leafCertificate = TestPki.withBrokenSignature(leafCertificate);
    }

    List<X509Certificate> presented = new ArrayList<>();
    presented.add(leafCertificate);
    for (int j = intermediates.size() - 1; j >= 0; j--) {
      presented.add(intermediates.get(j));
    }
    description.append(", keys ").append(rootKey.getPublic().getAlgorithm()).append('/')
        .append(leafKey.getPublic().getAlgorithm());
    return new Case(description.toString(), presented, trusted);
  }

  private static void applyIntermediateDefects(CertificateMinter minter, Set<Defect> defects, int below,
      Random random, X509Certificate issuer) throws Exception {
    for (Defect defect : defects) {
      switch (defect) {
        case INTERMEDIATE_EXPIRED:
          minter.validity(NOT_BEFORE, NOW.minusSeconds(1));
          break;
        case INTERMEDIATE_NOT_YET_VALID:
          minter.validity(NOW.plusSeconds(1), NOT_AFTER);
          break;
        case INTERMEDIATE_NOT_CA:
          minter.ca(false);
          break;
        case INTERMEDIATE_WITHOUT_BASIC_CONSTRAINTS:
          minter.ca(null);
          break;
        case INTERMEDIATE_KEY_USAGE_WITHOUT_KEY_CERT_SIGN:
          minter.keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CRL_SIGN));
          break;
        case INTERMEDIATE_WITHOUT_KEY_USAGE:
          minter.keyUsage(null);
          break;
        case INTERMEDIATE_UNKNOWN_CRITICAL_EXTENSION:
          minter.extension(UNKNOWN_OID, true, new byte[] {0x05, 0x00});
          break;
        case INTERMEDIATE_CRITICAL_POLICIES:
          minter.extension("2.5.29.32", true, der(new CertificatePolicies(
              new PolicyInformation(new ASN1ObjectIdentifier("2.23.140.1.2.1")))));
          break;
        case INTERMEDIATE_WRONG_SIGNER:
          minter.issuedBy(issuer, randomKey(random).getPrivate());
          break;
        case INTERMEDIATE_SELF_ISSUED:
          minter.subject(issuer.getSubjectX500Principal());
          break;
        case PATH_LENGTH_EXCEEDED:
          minter.pathLength(below - 1);
          break;
        case PATH_LENGTH_EXACT:
          minter.pathLength(below);
          break;
        case PATH_LENGTH_SELF_ISSUED_EXEMPT:
          minter.pathLength(0);
          break;
        case URI_PERMITTED:
          minter.extension("2.5.29.30", true, nameConstraints(subtrees(GeneralName.uniformResourceIdentifier,
              "other.org", "example.org"), null));
          break;
        case URI_NOT_PERMITTED:
          minter.extension("2.5.29.30", true, nameConstraints(subtrees(GeneralName.uniformResourceIdentifier,
              "other.org"), null));
          break;
        case URI_EXCLUDED:
          minter.extension("2.5.29.30", true, nameConstraints(null, subtrees(GeneralName.uniformResourceIdentifier,
              "example.org")));
          break;
        case URI_HOST_EXCLUDES_SUBDOMAIN:
          minter.extension("2.5.29.30", true, nameConstraints(subtrees(GeneralName.uniformResourceIdentifier,
              "example.org"), null));
          break;
        case URI_DOMAIN_PERMITS_SUBDOMAIN:
        case URI_DOMAIN_EXCLUDES_ITSELF:
        case URI_DOMAIN_SELF_ISSUED_EXEMPT:
          minter.extension("2.5.29.30", true, nameConstraints(subtrees(GeneralName.uniformResourceIdentifier,
              ".example.org"), null));
          break;
        case DNS_PERMITTED:
        case DNS_NOT_PERMITTED:
          minter.extension("2.5.29.30", true, nameConstraints(subtrees(GeneralName.dNSName, "example.org"), null));
          break;
        case DNS_EXCLUDED:
          minter.extension("2.5.29.30", true, nameConstraints(null, subtrees(GeneralName.dNSName,
              "internal.example.org")));
          break;
        default:
          break;
      }
    }
  }

  private static void applyLeafDefects(CertificateMinter leaf, Set<Defect> defects, Random random,
      X509Certificate issuer) throws Exception {
    for (Defect defect : defects) {
      switch (defect) {
        case LEAF_EXPIRED:
          leaf.validity(NOT_BEFORE, NOW.minusSeconds(1));
          break;
        case LEAF_NOT_YET_VALID:
          leaf.validity(NOW.plusSeconds(1), NOT_AFTER);
          break;
        case LEAF_UNKNOWN_CRITICAL_EXTENSION:
          leaf.extension(UNKNOWN_OID, true, new byte[] {0x05, 0x00});
          break;
        case LEAF_UNKNOWN_NON_CRITICAL_EXTENSION:
          leaf.extension(UNKNOWN_OID + ".1", false, new byte[] {0x05, 0x00});
          break;
        case LEAF_EMAIL_PROTECTION_EKU_ONLY:
          leaf.serverAndClientAuth(false).extension("2.5.29.37", true,
              der(new ExtendedKeyUsage(KeyPurposeId.id_kp_emailProtection)));
          break;
        case LEAF_WRONG_SIGNER:
          leaf.issuedBy(issuer, randomKey(random).getPrivate());
          break;
        case DNS_PERMITTED:
          leaf.dnsSans("web.example.org");
          break;
        case DNS_NOT_PERMITTED:
          leaf.dnsSans("web.other.org");
          break;
        case DNS_EXCLUDED:
          leaf.dnsSans("db.internal.example.org");
          break;
        default:
          break;
      }
    }
  }

  private static GeneralSubtree[] subtrees(int form, String... bases) {
    GeneralSubtree[] subtrees = new GeneralSubtree[bases.length];
    for (int i = 0; i < bases.length; i++) {
      subtrees[i] = new GeneralSubtree(new GeneralName(form, bases[i]));
    }
    return subtrees;
  }

  private static byte[] nameConstraints(GeneralSubtree[] permitted, GeneralSubtree[] excluded) throws Exception {
    return der(new NameConstraints(permitted, excluded));
  }

  private static byte[] der(ASN1Encodable value) throws Exception {
    return value.toASN1Primitive().getEncoded();
  }
}
