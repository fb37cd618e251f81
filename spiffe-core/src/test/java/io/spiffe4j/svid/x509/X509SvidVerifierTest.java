package io.spiffe4j.svid.x509;

import static io.spiffe4j.svid.x509.TestPki.NOT_AFTER;
import static io.spiffe4j.svid.x509.TestPki.NOT_BEFORE;
import static io.spiffe4j.svid.x509.TestPki.NOW;
import static io.spiffe4j.svid.x509.TestPki.TD;
import static io.spiffe4j.svid.x509.TestPki.WORKLOAD;
import static io.spiffe4j.svid.x509.TestPki.ec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.BundleException;
import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.CertificatePolicies;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;
import org.bouncycastle.asn1.x509.PolicyConstraints;
import org.bouncycastle.asn1.x509.PolicyInformation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Verification of presented chains: leaf rules (X509-17), path validation (X509-16), bundle choice, the cache. */
class X509SvidVerifierTest {
  private static final String UNKNOWN_OID = "1.3.6.1.4.1.99999.1";

  private static X509SvidVerifier verifier(X509Certificate... authorities) {
    return X509SvidVerifier.of(TestPki.bundle(authorities), Clock.fixed(NOW, ZoneOffset.UTC));
  }

  private static X509SvidException rejected(String rule, X509SvidVerifier verifier, List<X509Certificate> chain) {
    X509SvidException e = assertThrows(X509SvidException.class, () -> verifier.verify(chain));
    assertEquals(rule, e.rule().orElse(null), e.getMessage());
    return e;
  }

  private static void rejectedBecause(String reason, X509SvidVerifier verifier, List<X509Certificate> chain) {
    X509SvidException e = rejected("X509-16", verifier, chain);
    assertTrue(e.reason().contains(reason), () -> "expected '" + reason + "' in: " + e.reason());
  }

  private static byte[] der(ASN1Encodable value) throws Exception {
    return value.toASN1Primitive().getEncoded();
  }

  private static byte[] nameConstraints(GeneralSubtree[] permitted, GeneralSubtree[] excluded) throws Exception {
    return der(new NameConstraints(permitted, excluded));
  }

  private static GeneralSubtree[] uris(String... bases) {
    GeneralSubtree[] subtrees = new GeneralSubtree[bases.length];
    for (int i = 0; i < bases.length; i++) {
      subtrees[i] = new GeneralSubtree(new GeneralName(GeneralName.uniformResourceIdentifier, bases[i]));
    }
    return subtrees;
  }

  private static GeneralSubtree[] dns(String... bases) {
    GeneralSubtree[] subtrees = new GeneralSubtree[bases.length];
    for (int i = 0; i < bases.length; i++) {
      subtrees[i] = new GeneralSubtree(new GeneralName(GeneralName.dNSName, bases[i]));
    }
    return subtrees;
  }

  // ---- valid chains

  @Test
  void leafSignedDirectlyByAnAuthorityVerifies() {
    TestPki.Chain chain = new TestPki.Chain(0);
    VerifiedX509Svid verified = verifier(chain.root).verify(chain.presented());
    assertEquals(WORKLOAD, verified.id());
    assertEquals(List.of(chain.leaf, chain.root), verified.verifiedChain());
  }

  @Test
  void chainWithIntermediatesVerifiesAndEndsWithTheAuthority() {
    TestPki.Chain chain = new TestPki.Chain(3);
    VerifiedX509Svid verified = verifier(chain.root).verify(chain.presented());
    List<X509Certificate> expected = new ArrayList<>(chain.presented());
    expected.add(chain.root);
    assertEquals(expected, verified.verifiedChain());
    assertTrue(verified.toString().contains(WORKLOAD.toString()));
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "EC_P521", "RSA_2048", "ED25519"})
  void everyKeyTypeVerifies(KeyAlgorithm algorithm) {
    KeyPair caKey = TestPki.key(algorithm, 0);
    X509Certificate root = TestPki.root(caKey);
    X509Certificate leaf = TestPki.leaf(TestPki.key(algorithm, 1), root, caKey);
    assertEquals(WORKLOAD, verifier(root).verify(List.of(leaf)).id());
  }

  @Test
  void arrayOverloadAndExplicitInstantVerify() {
    TestPki.Chain chain = new TestPki.Chain(1);
    X509SvidVerifier verifier = verifier(chain.root);
    assertEquals(WORKLOAD, verifier.verify(chain.presented().toArray(new X509Certificate[0])).id());
    assertEquals(WORKLOAD, verifier.verify(chain.presented(), NOW.plusSeconds(60)).id());
  }

  @Test
  void intermediatesOutOfOrderWithExtrasAndTheRootAreAccepted() {
    TestPki.Chain chain = new TestPki.Chain(3);
    X509Certificate unrelated = TestPki.root(ec(9));
    List<X509Certificate> presented = new ArrayList<>(chain.presented());
    List<X509Certificate> rest = new ArrayList<>(presented.subList(1, presented.size()));
    Collections.reverse(rest);
    rest.add(1, unrelated);
    rest.add(chain.root);
    rest.add(rest.get(0));
    presented = new ArrayList<>(List.of(chain.leaf));
    presented.addAll(rest);
    VerifiedX509Svid verified = verifier(chain.root).verify(presented);
    assertEquals(5, verified.verifiedChain().size());
    assertEquals(chain.root, verified.verifiedChain().get(4));
  }

  @Test
  void rotatedAuthoritiesWithTheSameNameAreTriedInTurn() {
    KeyPair oldKey = ec(5);
    KeyPair newKey = ec(6);
    X509Certificate oldRoot = TestPki.root(oldKey);
    X509Certificate newRoot = TestPki.root(newKey);
    X509Certificate leaf = TestPki.leaf(ec(7), newRoot, newKey);
    assertEquals(newRoot, verifier(oldRoot, newRoot).verify(List.of(leaf)).verifiedChain().get(1));
    assertEquals(oldRoot, verifier(oldRoot, newRoot)
        .verify(List.of(TestPki.leaf(ec(7), oldRoot, oldKey))).verifiedChain().get(1));
  }

  @Test
  void validityBoundsAreInclusive() {
    TestPki.Chain chain = new TestPki.Chain(1);
    X509SvidVerifier verifier = verifier(chain.root);
    assertEquals(WORKLOAD, verifier.verify(chain.presented(), NOT_AFTER).id());
    assertEquals(WORKLOAD, verifier.verify(chain.presented(), NOT_BEFORE).id());
    assertThrows(X509SvidException.class, () -> verifier.verify(chain.presented(), NOT_AFTER.plusSeconds(1)));
    assertThrows(X509SvidException.class, () -> verifier.verify(chain.presented(), NOT_BEFORE.minusSeconds(1)));
  }

  // ---- leaf rules

  @Test
  void X509_01_leafWithoutUriSanIsRejected() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, chain.root, chain.rootKey).uriSans().sign(null);
    rejected("X509-01", verifier(chain.root), List.of(leaf));
  }

  @Test
  void X509_02_twoUriSansAreRejectedEvenWhenIdentical() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, chain.root, chain.rootKey)
        .uriSans(WORKLOAD.toString(), WORKLOAD.toString()).sign(null);
    rejected("X509-02", verifier(chain.root), List.of(leaf));
  }

  @Test
  void SID_leafUriSanThatIsNoSpiffeIdKeepsTheIdRule() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, chain.root, chain.rootKey)
        .uriSans("spiffe://example.org/a//b").sign(null);
    rejected("SID-12", verifier(chain.root), List.of(leaf));
  }

  @Test
  void X509_17_leafWithRootPathIsRejected() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(ec(3), TD.id(), chain.root, chain.rootKey).sign(null);
    rejected("X509-17", verifier(chain.root), List.of(leaf));
  }

  @Test
  void X509_17_leafThatIsACaIsRejected() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, chain.root, chain.rootKey).ca(true).sign(null);
    rejected("X509-17", verifier(chain.root), List.of(leaf));
  }

  @Test
  void X509_17_leafWithKeyCertSignOrCrlSignIsRejected() {
    TestPki.Chain chain = new TestPki.Chain(0);
    for (KeyUsage usage : List.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)) {
      X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, chain.root, chain.rootKey)
          .keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, usage)).sign(null);
      rejected("X509-17", verifier(chain.root), List.of(leaf));
    }
  }

  @Test
  void X509_13_leafWithoutDigitalSignatureIsAcceptedByVerifyAsGoSpiffeDoes() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, chain.root, chain.rootKey)
        .keyUsage(EnumSet.of(KeyUsage.KEY_AGREEMENT)).sign(null);
    assertEquals(WORKLOAD, verifier(chain.root).verify(List.of(leaf)).id());
  }

  // ---- bundle selection

  @Test
  void WAPI_07_noBundleForTheLeafTrustDomainIsUntrusted() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509Bundle other = X509Bundle.of(TrustDomain.parse("other.org"), List.of(chain.root));
    X509SvidVerifier verifier = X509SvidVerifier.of(other, Clock.fixed(NOW, ZoneOffset.UTC));
    X509SvidException e = rejected("WAPI-07", verifier, chain.presented());
    assertTrue(e.getCause() instanceof BundleNotFoundException);
  }

  @Test
  void SVID_01_anotherTrustDomainsAuthorityCannotVouchForThisOne() {
    TrustDomain evil = TrustDomain.parse("evil.org");
    KeyPair evilKey = ec(8);
    X509Certificate evilRoot = TestPki.rootMinter(evilKey, "Evil Root").sign(evilKey.getPrivate());
    X509Certificate impostor = TestPki.leafMinter(ec(3), WORKLOAD, evilRoot, evilKey).sign(null);
    TestPki.Chain chain = new TestPki.Chain(0);
    X509BundleSource source = td -> td.equals(TD) ? TestPki.bundle(chain.root) : X509Bundle.of(evil, List.of(evilRoot));
    X509SvidVerifier verifier = X509SvidVerifier.of(source, Clock.fixed(NOW, ZoneOffset.UTC));
    rejectedBecause("unknown authority", verifier, List.of(impostor));

    X509BundleSource lying = td -> X509Bundle.of(evil, List.of(evilRoot));
    rejected("SVID-01", X509SvidVerifier.of(lying, Clock.fixed(NOW, ZoneOffset.UTC)), List.of(impostor));
  }

  @Test
  void BUN_06_emptyBundleTrustsNothing() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509SvidVerifier verifier = X509SvidVerifier.of(X509Bundle.of(TD, List.of()), Clock.fixed(NOW, ZoneOffset.UTC));
    rejected("BUN-06", verifier, chain.presented());
  }

  // ---- path validation

  @Test
  void X509_16_unknownAuthority() {
    TestPki.Chain chain = new TestPki.Chain(1);
    X509Certificate otherRoot = TestPki.rootMinter(ec(9), "Other Root").sign(ec(9).getPrivate());
    rejectedBecause("certificate signed by unknown authority", verifier(otherRoot), chain.presented());
    rejectedBecause("certificate signed by unknown authority", verifier(chain.root), List.of(chain.leaf));
  }

  @Test
  void X509_16_expiredOrNotYetValidCertificates() {
    TestPki.Chain chain = new TestPki.Chain(1);
    X509Certificate intermediate = chain.intermediates.get(0);
    KeyPair intermediateKey = chain.intermediateKeys.get(0);
    X509Certificate expiredLeaf = TestPki.leafMinter(ec(3), WORKLOAD, intermediate, intermediateKey)
        .validity(NOW.minus(Duration.ofDays(2)), NOW.minusSeconds(1)).sign(null);
    X509Certificate futureLeaf = TestPki.leafMinter(ec(3), WORKLOAD, intermediate, intermediateKey)
        .validity(NOW.plusSeconds(1), NOT_AFTER).sign(null);
    rejectedBecause("certificate has expired or is not yet valid: leaf", verifier(chain.root),
        List.of(expiredLeaf, intermediate));
    rejectedBecause("certificate has expired or is not yet valid: leaf", verifier(chain.root),
        List.of(futureLeaf, intermediate));

    X509Certificate expiredIntermediate = TestPki.intermediateMinter(intermediateKey, "Intermediate 1", chain.root,
        chain.rootKey).validity(NOT_BEFORE, NOW.minusSeconds(1)).sign(null);
    rejectedBecause("certificate has expired or is not yet valid: intermediate", verifier(chain.root),
        List.of(chain.leaf, expiredIntermediate));
  }

  @Test
  void X509_16_expiredAuthorityIsRejectedAsGoSpiffeDoes() {
    KeyPair rootKey = ec(0);
    X509Certificate expiredRoot = TestPki.rootMinter(rootKey, "Root CA")
        .validity(NOW.minus(Duration.ofDays(2)), NOW.minusSeconds(1)).sign(rootKey.getPrivate());
    X509Certificate leaf = TestPki.leaf(ec(3), expiredRoot, rootKey);
    rejectedBecause("certificate has expired or is not yet valid: authority", verifier(expiredRoot), List.of(leaf));
  }

  @Test
  void X509_16_intermediateThatIsNoCaCannotSign() {
    TestPki.Chain chain = new TestPki.Chain(0);
    KeyPair key = ec(4);
    for (Boolean ca : new Boolean[] {false, null}) {
      X509Certificate notCa = TestPki.intermediateMinter(key, "Not a CA", chain.root, chain.rootKey).ca(ca).sign(null);
      X509Certificate leaf = TestPki.leaf(ec(3), notCa, key);
      rejectedBecause("not authorized to sign other certificates", verifier(chain.root), List.of(leaf, notCa));
    }
  }

  @Test
  void X509_12_issuerKeyUsageMustIncludeKeyCertSignWhenPresent() {
    TestPki.Chain chain = new TestPki.Chain(0);
    KeyPair key = ec(4);
    X509Certificate crlOnly = TestPki.intermediateMinter(key, "CRL only", chain.root, chain.rootKey)
        .keyUsage(EnumSet.of(KeyUsage.CRL_SIGN, KeyUsage.DIGITAL_SIGNATURE)).sign(null);
    rejectedBecause("without keyCertSign", verifier(chain.root), List.of(TestPki.leaf(ec(3), crlOnly, key), crlOnly));

    X509Certificate noKeyUsage = TestPki.intermediateMinter(key, "No KU", chain.root, chain.rootKey)
        .keyUsage(null).sign(null);
    assertEquals(WORKLOAD,
        verifier(chain.root).verify(List.of(TestPki.leaf(ec(3), noKeyUsage, key), noKeyUsage)).id());
  }

  @Test
  void X509_09_authorityThatIsNoCaCannotVouchForAnything() {
    KeyPair rootKey = ec(0);
    KeyPair k1 = ec(1);
    for (Boolean ca : new Boolean[] {false, null}) {
      X509Certificate notCa = TestPki.rootMinter(rootKey, "Not a CA").ca(ca).sign(rootKey.getPrivate());
      String reason = "certificate is not authorized to sign other certificates: authority \"CN=Not a CA,O=SPIFFE\""
          + " is not a CA";
      rejectedBecause(reason, verifier(notCa), List.of(TestPki.leaf(ec(3), notCa, rootKey)));
      X509Certificate intermediate = TestPki.intermediate(k1, "Intermediate", notCa, rootKey);
      rejectedBecause(reason, verifier(notCa), List.of(TestPki.leaf(ec(3), intermediate, k1), intermediate));
    }
    // A version 1 certificate has no extensions, so it cannot set cA=true (go-spiffe accepts it as a root).
    X509Certificate v1 = TestPki.rootMinter(rootKey, "Version 1").version1().sign(rootKey.getPrivate());
    assertEquals(1, v1.getVersion());
    rejectedBecause("certificate is not authorized to sign other certificates: authority \"CN=Version 1,O=SPIFFE\""
        + " is a version 1 certificate, which cannot be a CA", verifier(v1), List.of(TestPki.leaf(ec(3), v1, rootKey)));
  }

  @Test
  void X509_09_authorityThatIsNoCaIsSkippedForAnotherThatIs() {
    KeyPair rootKey = ec(0);
    X509Certificate notCa = TestPki.rootMinter(rootKey, "Root CA").ca(false).sign(rootKey.getPrivate());
    X509Certificate root = TestPki.root(rootKey);
    X509Certificate leaf = TestPki.leaf(ec(3), root, rootKey);
    assertEquals(List.of(leaf, root), verifier(notCa, root).verify(List.of(leaf)).verifiedChain());
  }

  @Test
  void X509_12_authorityKeyUsageMustIncludeKeyCertSignWhenPresent() {
    KeyPair rootKey = ec(0);
    X509Certificate crlOnly = TestPki.rootMinter(rootKey, "CRL only")
        .keyUsage(EnumSet.of(KeyUsage.CRL_SIGN, KeyUsage.DIGITAL_SIGNATURE)).sign(rootKey.getPrivate());
    rejectedBecause("certificate is not authorized to sign other certificates: authority \"CN=CRL only,O=SPIFFE\""
        + " has a key usage without keyCertSign", verifier(crlOnly), List.of(TestPki.leaf(ec(3), crlOnly, rootKey)));

    X509Certificate noKeyUsage = TestPki.rootMinter(rootKey, "No KU").keyUsage(null).sign(rootKey.getPrivate());
    assertEquals(WORKLOAD, verifier(noKeyUsage).verify(List.of(TestPki.leaf(ec(3), noKeyUsage, rootKey))).id());
  }

  @Test
  void X509_16_certificatesSignedWithADisallowedAlgorithmAreRejectedNamingIt() {
    KeyPair rsaKey = TestPki.key(KeyAlgorithm.RSA_2048, 0);
    X509Certificate rsaRoot = TestPki.root(rsaKey);
    for (String algorithm : List.of("MD5withRSA", "SHA1withRSA")) {
      X509Certificate leaf = TestPki.leafMinter(ec(3), WORKLOAD, rsaRoot, rsaKey).signatureAlgorithm(algorithm)
          .sign(null);
      rejectedBecause("certificate signed with a disallowed algorithm " + algorithm + ": leaf", verifier(rsaRoot),
          List.of(leaf));
    }
    KeyPair ecKey = ec(0);
    X509Certificate ecRoot = TestPki.root(ecKey);
    X509Certificate sha1Leaf = TestPki.leafMinter(ec(3), WORKLOAD, ecRoot, ecKey).signatureAlgorithm("SHA1withECDSA")
        .sign(null);
    rejectedBecause("certificate signed with a disallowed algorithm SHA1withECDSA: leaf", verifier(ecRoot),
        List.of(sha1Leaf));

    KeyPair k1 = ec(1);
    X509Certificate weakIntermediate = TestPki.intermediateMinter(k1, "Weak", rsaRoot, rsaKey)
        .signatureAlgorithm("SHA1withRSA").sign(null);
    rejectedBecause("certificate signed with a disallowed algorithm SHA1withRSA: intermediate \"CN=Weak,O=SPIFFE\"",
        verifier(rsaRoot), List.of(TestPki.leaf(ec(3), weakIntermediate, k1), weakIntermediate));

    // An authority's own signature is never checked (the bundle is the input of trust), so neither is its algorithm.
    X509Certificate sha1Root = TestPki.rootMinter(rsaKey, "SHA-1 root").signatureAlgorithm("SHA1withRSA")
        .sign(rsaKey.getPrivate());
    assertEquals(WORKLOAD, verifier(sha1Root).verify(List.of(TestPki.leaf(ec(3), sha1Root, rsaKey))).id());
  }

  @Test
  void X509_09_pathLengthConstraints() {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.root(rootKey);
    KeyPair k1 = ec(1);
    KeyPair k2 = ec(2);
    X509Certificate top = TestPki.intermediateMinter(k1, "Top", root, rootKey).pathLength(0).sign(null);
    X509Certificate below = TestPki.intermediate(k2, "Below", top, k1);
    X509Certificate leafBelow = TestPki.leaf(ec(3), below, k2);
    rejectedBecause("too many intermediates for the path length constraint of intermediate \"CN=Top",
        verifier(root), List.of(leafBelow, below, top));
    // pathLen 0 still allows the CA to issue leaves.
    assertEquals(WORKLOAD, verifier(root).verify(List.of(TestPki.leaf(ec(3), top, k1), top)).id());

    X509Certificate topOne = TestPki.intermediateMinter(k1, "Top", root, rootKey).pathLength(1).sign(null);
    assertEquals(WORKLOAD, verifier(root).verify(List.of(leafBelow, below, topOne)).id());
  }

  @Test
  void X509_09_authorityPathLengthBindsAsInGoSpiffe() {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.rootMinter(rootKey, "Root CA").pathLength(0).sign(rootKey.getPrivate());
    KeyPair k1 = ec(1);
    X509Certificate intermediate = TestPki.intermediate(k1, "Intermediate", root, rootKey);
    rejectedBecause("path length constraint of authority", verifier(root),
        List.of(TestPki.leaf(ec(3), intermediate, k1), intermediate));
    assertEquals(WORKLOAD, verifier(root).verify(List.of(TestPki.leaf(ec(3), root, rootKey))).id());
  }

  @Test
  void selfIssuedIntermediatesDoNotCountTowardsPathLength() {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.root(rootKey);
    KeyPair k1 = ec(1);
    KeyPair k2 = ec(2);
    X509Certificate top = TestPki.intermediateMinter(k1, "Top", root, rootKey).pathLength(0).sign(null);
    // A key rollover certificate: same name as its issuer, new key.
    X509Certificate rollover = TestPki.intermediateMinter(k2, "Top", top, k1).sign(null);
    assertEquals(WORKLOAD,
        verifier(root).verify(List.of(TestPki.leaf(ec(3), rollover, k2), rollover, top)).id());
  }

  @Test
  void X509_16_unknownCriticalExtensionsAreRejectedAnywhereInThePath() {
    KeyPair rootKey = ec(0);
    byte[] value = new byte[] {0x05, 0x00};
    X509Certificate root = TestPki.root(rootKey);
    KeyPair k1 = ec(1);
    X509Certificate intermediate = TestPki.intermediate(k1, "Intermediate", root, rootKey);

    X509Certificate criticalLeaf = TestPki.leafMinter(ec(3), WORKLOAD, intermediate, k1)
        .extension(UNKNOWN_OID, true, value).sign(null);
    rejectedBecause("unhandled critical extension " + UNKNOWN_OID + " in leaf", verifier(root),
        List.of(criticalLeaf, intermediate));

    X509Certificate criticalIntermediate = TestPki.intermediateMinter(k1, "Intermediate", root, rootKey)
        .extension(UNKNOWN_OID, true, value).sign(null);
    rejectedBecause("unhandled critical extension " + UNKNOWN_OID + " in intermediate", verifier(root),
        List.of(TestPki.leaf(ec(3), criticalIntermediate, k1), criticalIntermediate));

    X509Certificate criticalRoot = TestPki.rootMinter(rootKey, "Root CA").extension(UNKNOWN_OID, true, value)
        .sign(rootKey.getPrivate());
    rejectedBecause("unhandled critical extension " + UNKNOWN_OID + " in authority", verifier(criticalRoot),
        List.of(TestPki.leaf(ec(3), criticalRoot, rootKey)));

    X509Certificate nonCritical = TestPki.leafMinter(ec(3), WORKLOAD, intermediate, k1)
        .extension(UNKNOWN_OID, false, value).sign(null);
    assertEquals(WORKLOAD, verifier(root).verify(List.of(nonCritical, intermediate)).id());
  }

  @Test
  void X509_16_brokenSignatureOrWrongSignerIsRejected() {
    TestPki.Chain chain = new TestPki.Chain(1);
    X509Certificate intermediate = chain.intermediates.get(0);
    rejectedBecause("certificate signature invalid: leaf", verifier(chain.root),
        List.of(TestPki.withBrokenSignature(chain.leaf), intermediate));
    rejectedBecause("certificate signature invalid: intermediate", verifier(chain.root),
        List.of(chain.leaf, TestPki.withBrokenSignature(intermediate)));
    // Names the intermediate as issuer but is signed by another key.
    X509Certificate forged = TestPki.leafMinter(ec(3), WORKLOAD, intermediate, ec(9)).sign(null);
    rejectedBecause("certificate signature invalid", verifier(chain.root), List.of(forged, intermediate));
  }

  @Test
  void policiesAreIgnoredButPolicyConstraintsAndMappingsAreRefused() throws Exception {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.root(rootKey);
    KeyPair k1 = ec(1);
    byte[] policies = der(new CertificatePolicies(new PolicyInformation(new ASN1ObjectIdentifier("2.23.140.1.2.1"))));
    X509Certificate withPolicies = TestPki.intermediateMinter(k1, "Policies", root, rootKey)
        .extension("2.5.29.32", true, policies).sign(null);
    assertEquals(WORKLOAD,
        verifier(root).verify(List.of(TestPki.leaf(ec(3), withPolicies, k1), withPolicies)).id());

    byte[] constraints = der(new PolicyConstraints(java.math.BigInteger.ZERO, null));
    X509Certificate constrained = TestPki.intermediateMinter(k1, "Constrained", root, rootKey)
        .extension("2.5.29.36", true, constraints).sign(null);
    rejectedBecause("policy constraints are not supported", verifier(root),
        List.of(TestPki.leaf(ec(3), constrained, k1), constrained));
  }

  // ---- name constraints (X509-10)

  private static void assertNameConstraint(boolean accepted, byte[] constraints, SpiffeId leafId,
      String... dnsSans) {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.root(rootKey);
    KeyPair k1 = ec(1);
    X509Certificate constrainedCa = TestPki.intermediateMinter(k1, "Constrained", root, rootKey)
        .extension("2.5.29.30", true, constraints).sign(null);
    X509Certificate leaf = TestPki.leafMinter(ec(3), leafId, constrainedCa, k1).dnsSans(dnsSans).sign(null);
    List<X509Certificate> chain = List.of(leaf, constrainedCa);
    X509SvidVerifier verifier = X509SvidVerifier.of(td -> X509Bundle.of(td, List.of(root)),
        Clock.fixed(NOW, ZoneOffset.UTC));
    if (accepted) {
      assertEquals(leafId, verifier.verify(chain).id());
    } else {
      rejected("X509-16", verifier, chain);
    }
  }

  @Test
  void X509_10_uriNameConstraintsAreEnforcedOnTheTrustDomain() throws Exception {
    SpiffeId sub = SpiffeId.parse("spiffe://sub.example.org/web");
    assertNameConstraint(true, nameConstraints(uris("example.org"), null), WORKLOAD);
    assertNameConstraint(true, nameConstraints(uris("other.org", "EXAMPLE.org"), null), WORKLOAD);
    assertNameConstraint(false, nameConstraints(uris("other.org"), null), WORKLOAD);
    // A host constraint is that host only; a leading period means proper subdomains only.
    assertNameConstraint(false, nameConstraints(uris("example.org"), null), sub);
    assertNameConstraint(true, nameConstraints(uris(".example.org"), null), sub);
    assertNameConstraint(false, nameConstraints(uris(".example.org"), null), WORKLOAD);
    assertNameConstraint(false, nameConstraints(null, uris("example.org")), WORKLOAD);
    assertNameConstraint(true, nameConstraints(null, uris("other.org")), WORKLOAD);
    // DNS constraints do not constrain URIs.
    assertNameConstraint(true, nameConstraints(dns("other.org"), null), WORKLOAD);
  }

  @Test
  void X509_10_dnsNameConstraintsAreEnforcedOnDnsSans() throws Exception {
    assertNameConstraint(true, nameConstraints(dns("example.org"), null), WORKLOAD, "web.example.org");
    assertNameConstraint(true, nameConstraints(dns("example.org"), null), WORKLOAD, "example.org");
    assertNameConstraint(false, nameConstraints(dns("example.org"), null), WORKLOAD, "badexample.org");
    assertNameConstraint(false, nameConstraints(dns(".example.org"), null), WORKLOAD, "example.org");
    assertNameConstraint(false, nameConstraints(null, dns("internal.example.org")), WORKLOAD,
        "db.internal.example.org");
  }

  @Test
  void X509_10_unsupportedNameConstraintFormsFailTheChainClearly() throws Exception {
    GeneralSubtree[] directory = {new GeneralSubtree(new GeneralName(GeneralName.directoryName, "O=SPIFFE"))};
    GeneralSubtree[] ip = {new GeneralSubtree(new GeneralName(GeneralName.iPAddress, "10.0.0.0/8"))};
    for (GeneralSubtree[] subtrees : List.of(directory, ip)) {
      KeyPair rootKey = ec(0);
      X509Certificate root = TestPki.root(rootKey);
      KeyPair k1 = ec(1);
      X509Certificate ca = TestPki.intermediateMinter(k1, "Constrained", root, rootKey)
          .extension("2.5.29.30", true, nameConstraints(subtrees, null)).sign(null);
      rejectedBecause("only URI and DNS name constraints are supported", verifier(root),
          List.of(TestPki.leaf(ec(3), ca, k1), ca));
    }
  }

  @Test
  void X509_10_authorityNameConstraintsBindAsInGoSpiffe() throws Exception {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.rootMinter(rootKey, "Root CA")
        .extension("2.5.29.30", true, nameConstraints(uris("other.org"), null)).sign(rootKey.getPrivate());
    rejectedBecause("not permitted by the name constraints of authority", verifier(root),
        List.of(TestPki.leaf(ec(3), root, rootKey)));
  }

  @Test
  void pathBuildingIsBoundedBySignatureChecks() {
    List<X509Certificate> impostors = new ArrayList<>();
    for (int i = 0; i < PathValidator.MAX_SIGNATURE_CHECKS + 8; i++) {
      KeyPair key = ec(i);
      impostors.add(TestPki.rootMinter(key, "Root CA").sign(key.getPrivate()));
    }
    KeyPair attackerKey = TestPki.key(KeyAlgorithm.EC_P384, 0);
    X509Certificate attackerRoot = TestPki.rootMinter(attackerKey, "Root CA").sign(attackerKey.getPrivate());
    X509Certificate leaf = TestPki.leaf(ec(3), attackerRoot, attackerKey);
    rejectedBecause("gave up after " + PathValidator.MAX_SIGNATURE_CHECKS + " signature checks",
        verifier(impostors.toArray(new X509Certificate[0])), List.of(leaf));
  }

  @Test
  void bundleSourceFailuresBecomeTypedVerificationErrors() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509SvidVerifier verifier = X509SvidVerifier.of(td -> {
      throw new BundleException("bundle is being rotated", "BUN-06");
    }, Clock.fixed(NOW, ZoneOffset.UTC));
    rejected("BUN-06", verifier, chain.presented());
    rejected("WAPI-07", X509SvidVerifier.of(td -> null, Clock.fixed(NOW, ZoneOffset.UTC)), chain.presented());
  }

  // ---- input shape

  @Test
  void emptyChainNullElementsAndOverlongChainsAreTypedErrors() {
    TestPki.Chain chain = new TestPki.Chain(0);
    X509SvidVerifier verifier = verifier(chain.root);
    rejected("X509-16", verifier, List.of());
    List<X509Certificate> withNull = new ArrayList<>(chain.presented());
    withNull.add(null);
    X509SvidException e = rejected("X509-16", verifier, withNull);
    assertTrue(e.getMessage().contains("null element at index 1"), e.getMessage());
    rejected("X509-16", verifier, Collections.nCopies(33, chain.leaf));
    assertThrows(NullPointerException.class, () -> verifier.verify((List<X509Certificate>) null));
    assertThrows(NullPointerException.class, () -> verifier.verify(chain.presented(), null));
  }

  // ---- cache

  @Test
  void cacheHitReturnsTheRememberedResult() {
    TestPki.Chain chain = new TestPki.Chain(2);
    X509SvidVerifier verifier = verifier(chain.root);
    VerifiedX509Svid first = verifier.verify(chain.presented());
    assertSame(first, verifier.verify(chain.presented()));
    // Same DER in new objects is the same chain.
    List<X509Certificate> reparsed = new ArrayList<>();
    for (X509Certificate certificate : chain.presented()) {
      reparsed.add(TestPki.parse(encoded(certificate)));
    }
    assertSame(first, verifier.verify(reparsed));
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void cacheFollowsTheBundle() {
    TestPki.Chain chain = new TestPki.Chain(1);
    X509Certificate otherRoot = TestPki.rootMinter(ec(9), "Other Root").sign(ec(9).getPrivate());
    AtomicReference<X509Bundle> current = new AtomicReference<>(TestPki.bundle(chain.root));
    X509SvidVerifier verifier = X509SvidVerifier.of(td -> current.get(), Clock.fixed(NOW, ZoneOffset.UTC));
    VerifiedX509Svid first = verifier.verify(chain.presented());

    current.set(TestPki.bundle(chain.root));
    assertSame(first, verifier.verify(chain.presented()), "an equal bundle keeps the entry");

    current.set(TestPki.bundle(chain.root, otherRoot));
    VerifiedX509Svid second = verifier.verify(chain.presented());
    assertNotSame(first, second, "a changed bundle forces a fresh verification");

    current.set(TestPki.bundle(otherRoot));
    rejectedBecause("unknown authority", verifier, chain.presented());
  }

  @Test
  void cacheChecksTheWholePathsValidityOnEveryHit() {
    KeyPair rootKey = ec(0);
    X509Certificate root = TestPki.root(rootKey);
    KeyPair k1 = ec(1);
    Instant intermediateExpiry = NOW.plus(Duration.ofHours(1));
    X509Certificate intermediate = TestPki.intermediateMinter(k1, "Short-lived", root, rootKey)
        .validity(NOT_BEFORE, intermediateExpiry).sign(null);
    List<X509Certificate> chain = List.of(TestPki.leaf(ec(3), intermediate, k1), intermediate);
    X509SvidVerifier verifier = verifier(root);
    VerifiedX509Svid first = verifier.verify(chain, NOW);
    assertSame(first, verifier.verify(chain, intermediateExpiry));
    rejectedBecause("certificate has expired or is not yet valid: intermediate", verifier,
        List.of(chain.get(0), chain.get(1)), intermediateExpiry.plusSeconds(1));
    rejectedBecause("not yet valid", verifier, chain, NOT_BEFORE.minusSeconds(1));
  }

  private static void rejectedBecause(String reason, X509SvidVerifier verifier, List<X509Certificate> chain,
      Instant at) {
    X509SvidException e = assertThrows(X509SvidException.class, () -> verifier.verify(chain, at));
    assertEquals("X509-16", e.rule().orElse(null), e.getMessage());
    assertTrue(e.reason().contains(reason), () -> "expected '" + reason + "' in: " + e.reason());
  }

  @Test
  void cacheHitStillNeedsTheBundle() {
    TestPki.Chain chain = new TestPki.Chain(0);
    AtomicReference<X509BundleSource> source = new AtomicReference<>(TestPki.bundle(chain.root));
    X509SvidVerifier verifier = X509SvidVerifier.of(td -> source.get().x509BundleFor(td),
        Clock.fixed(NOW, ZoneOffset.UTC));
    verifier.verify(chain.presented());
    source.set(X509Bundle.of(TrustDomain.parse("other.org"), List.of(chain.root)));
    rejected("WAPI-07", verifier, chain.presented());
  }

  @Test
  void failuresAreNotCached() {
    TestPki.Chain chain = new TestPki.Chain(1);
    AtomicReference<X509Bundle> current =
        new AtomicReference<>(TestPki.bundle(TestPki.rootMinter(ec(9), "Other Root").sign(ec(9).getPrivate())));
    X509SvidVerifier verifier = X509SvidVerifier.of(td -> current.get(), Clock.fixed(NOW, ZoneOffset.UTC));
    rejectedBecause("unknown authority", verifier, chain.presented());
    current.set(TestPki.bundle(chain.root));
    assertEquals(WORKLOAD, verifier.verify(chain.presented()).id());
  }
}
