package io.spiffe4j.authority;

import static io.spiffe4j.authority.AuthorityFixtures.KEY_A;
import static io.spiffe4j.authority.AuthorityFixtures.KEY_B;
import static io.spiffe4j.authority.AuthorityFixtures.THEN;
import static io.spiffe4j.authority.AuthorityFixtures.csr;
import static io.spiffe4j.authority.AuthorityFixtures.uri;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.authority.AuthorityFixtures.MovingClock;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built-in upstreams: how they read a CSR, what they sign, how long for, and how the disk upstream reads its
 * files and reports what is wrong with them.
 */
class UpstreamAuthoritiesTest {
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static final Clock FIXED = Clock.fixed(THEN, ZoneOffset.UTC);
  private static final KeyPair ROOT_KEY = KeyAlgorithm.EC_P256.generate();
  private static final KeyPair RSA_KEY = KeyAlgorithm.RSA_2048.generate();
  /** A self-signed upstream root, valid for 30 days from {@link #THEN}. */
  private static final X509Certificate ROOT = root(ROOT_KEY, Duration.ofDays(30));

  @TempDir
  Path dir;

  private static X509Certificate root(KeyPair key, Duration ttl) {
    return CertificateMinter.bare(key.getPublic())
        .subject(new X500Principal("O=Test, CN=upstream root"))
        .ca(true)
        .keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN))
        .validFor(THEN, ttl)
        .sign(key.getPrivate());
  }

  private static LocalUpstreamAuthority upstream() {
    return UpstreamAuthorities.of(ROOT, ROOT_KEY.getPrivate()).withClock(FIXED);
  }

  private static byte[] goodCsr() {
    return CaRequests.create(KEY_A, KeyAlgorithm.EC_P256, TD);
  }

  private static UpstreamAuthorityException refused(Kind kind, Runnable call) {
    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class, call::run);
    assertEquals(kind, e.kind(), e.getMessage());
    return e;
  }

  @Test
  void mintsAnIntermediateCaThatSpireWouldAccept() {
    byte[] csr = goodCsr();
    UpstreamX509Ca answer = upstream().mintX509Ca(csr, Duration.ofHours(24));
    X509Certificate ca = answer.mintedCa();
    assertEquals(List.of(ca), answer.caChain(), "the root is not repeated in the chain");
    assertEquals(List.of(ROOT), answer.upstreamRoots());
    assertEquals(KEY_A.getPublic(), ca.getPublicKey());
    assertEquals(CaRequests.parse(csr).subject, ca.getSubjectX500Principal(), "the CSR's subject");
    assertFalse(ca.getSubjectX500Principal().getName().contains("CN="), "no common name, as SPIRE's requests");
    assertEquals(ROOT.getSubjectX500Principal(), ca.getIssuerX500Principal());
    // SPIRE plugin protocol §5.2: CA:TRUE, keyCertSign and only keyCertSign/cRLSign/digitalSignature, URI SAN
    // exactly spiffe://td, valid now, and an SVID it signs verifies to the roots.
    assertTrue(ca.getBasicConstraints() >= 0);
    assertTrue(ca.getCriticalExtensionOIDs().contains("2.5.29.19"), "basic constraints critical");
    assertTrue(ca.getCriticalExtensionOIDs().contains("2.5.29.15"), "key usage critical (X509-11)");
    assertArrayEquals(new boolean[] {false, false, false, false, false, true, true, false, false},
        ca.getKeyUsage());
    assertEquals(List.of("spiffe://example.org"), SpiffeAuthorityTest.uriSans(ca));
    assertEquals(THEN.minusSeconds(60), ca.getNotBefore().toInstant());
    assertEquals(THEN.plus(Duration.ofHours(24)), ca.getNotAfter().toInstant());
    MintedCaCheck.check(answer, KEY_A, TD, THEN);
  }

  @Test
  void theTtlIsThePreferredOne_cutToTheMaximum_andNeverBeyondTheUpstream() {
    LocalUpstreamAuthority upstream = upstream();
    assertEquals(THEN.plus(Duration.ofDays(30)), notAfter(upstream, Duration.ZERO), "zero: the upstream decides");
    assertEquals(THEN.plus(Duration.ofDays(30)), notAfter(upstream, Duration.ofDays(400)), "capped at the root");
    assertEquals(THEN.plus(Duration.ofDays(30)), notAfter(upstream, Duration.ofSeconds(Long.MAX_VALUE)));
    LocalUpstreamAuthority capped = upstream.withMaxCaTtl(Duration.ofHours(12));
    assertEquals(THEN.plus(Duration.ofHours(12)), notAfter(capped, Duration.ZERO));
    assertEquals(THEN.plus(Duration.ofHours(12)), notAfter(capped, Duration.ofHours(24)));
    assertEquals(THEN.plus(Duration.ofHours(1)), notAfter(capped, Duration.ofHours(1)));
    LocalUpstreamAuthority late = upstream.withClock(Clock.fixed(THEN.plus(Duration.ofDays(29)), ZoneOffset.UTC));
    assertEquals(THEN.plus(Duration.ofDays(30)), notAfter(late, Duration.ofDays(2)), "what is left of the root");

    refused(Kind.INVALID_REQUEST, () -> upstream.mintX509Ca(goodCsr(), Duration.ofSeconds(-1)));
    LocalUpstreamAuthority expired = upstream.withClock(Clock.fixed(THEN.plus(Duration.ofDays(31)), ZoneOffset.UTC));
    assertTrue(refused(Kind.MISCONFIGURED, () -> expired.mintX509Ca(goodCsr(), Duration.ofHours(1))).getMessage()
        .contains("not valid at"));
    assertThrows(IllegalArgumentException.class, () -> upstream.withMaxCaTtl(Duration.ZERO));
  }

  private static Instant notAfter(LocalUpstreamAuthority upstream, Duration preferred) {
    return upstream.mintX509Ca(goodCsr(), preferred).mintedCa().getNotAfter().toInstant();
  }

  @Test
  void X509_07_csrsThatAreNotForOneTrustDomainAreInvalidRequests() {
    LocalUpstreamAuthority upstream = upstream();
    List<byte[]> bad = List.of(
        csr(KEY_A, KEY_A),
        csr(KEY_A, KEY_A, new GeneralName(GeneralName.dNSName, "example.org")),
        csr(KEY_A, KEY_A, uri("spiffe://example.org"), uri("spiffe://other.org")),
        csr(KEY_A, KEY_A, uri("spiffe://example.org"), uri("spiffe://example.org")),
        csr(KEY_A, KEY_A, uri("spiffe://example.org/workload")),
        csr(KEY_A, KEY_A, uri("https://example.org")),
        csr(KEY_A, KEY_A, uri("spiffe://Example.org")));
    for (byte[] request : bad) {
      UpstreamAuthorityException e = refused(Kind.INVALID_REQUEST, () -> upstream.mintX509Ca(request, Duration.ZERO));
      assertTrue(e.getMessage().contains("URI SAN"), e.getMessage());
    }
    assertEquals("spiffe://other.org", SpiffeAuthorityTest.uriSans(upstream.mintX509Ca(
        csr(KEY_A, KEY_A, uri("spiffe://other.org"), new GeneralName(GeneralName.dNSName, "ignored.example")),
        Duration.ZERO).mintedCa()).get(0), "other SAN types are ignored; like SPIRE's disk, any trust domain");
  }

  @Test
  void csrsWithABadSignatureOrMalformedBytesAreInvalidRequests() {
    LocalUpstreamAuthority upstream = upstream();
    byte[] signedByAnother = csr(KEY_A, KEY_B, uri("spiffe://example.org"));
    byte[] flipped = goodCsr();
    flipped[flipped.length - 5] ^= 0x01;
    byte[] good = goodCsr();
    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    for (byte[] request : List.of(signedByAnother, flipped)) {
      assertTrue(refused(Kind.INVALID_REQUEST, () -> upstream.mintX509Ca(request, Duration.ZERO)).getMessage()
          .contains("signature"));
    }
    for (byte[] request : List.of(new byte[0], new byte[] {0x30, 0x03, 0x02, 0x01}, trailing,
        Arrays.copyOf(goodCsr(), 40), "not a csr".getBytes(StandardCharsets.US_ASCII))) {
      refused(Kind.INVALID_REQUEST, () -> upstream.mintX509Ca(request, Duration.ZERO));
    }
    KeyPair weak = rsa1024();
    assertTrue(refused(Kind.INVALID_REQUEST, () -> upstream.mintX509Ca(csr(weak, weak, uri("spiffe://example.org")),
        Duration.ZERO)).getMessage().contains("2048"));
  }

  @Test
  void rsaAndEcCsrsAreSignedForTheirOwnKey() {
    LocalUpstreamAuthority upstream = upstream();
    byte[] rsa = CaRequests.create(RSA_KEY, KeyAlgorithm.RSA_2048, TD);
    assertEquals(RSA_KEY.getPublic(), upstream.mintX509Ca(rsa, Duration.ZERO).mintedCa().getPublicKey());
    byte[] p384 = CaRequests.create(KeyAlgorithm.EC_P384.generate(), KeyAlgorithm.EC_P384, TD);
    assertEquals("SHA256withECDSA", upstream.mintX509Ca(p384, Duration.ZERO).mintedCa().getSigAlgName(),
        "signed with the upstream's key");
  }

  private static KeyPair rsa1024() {
    try {
      java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("RSA");
      generator.initialize(1024);
      return generator.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void anUpstreamThatCannotSignCasIsMisconfigured() {
    X509Certificate leaf = CertificateMinter.x509Svid(KEY_B.getPublic(), SpiffeId.parse("spiffe://example.org/w"))
        .issuedBy(ROOT, ROOT_KEY.getPrivate()).sign(null);
    X509Certificate pathLenZero = CertificateMinter.bare(KEY_B.getPublic()).ca(true).pathLength(0)
        .keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN)).sign(KEY_B.getPrivate());
    X509Certificate noCertSign = CertificateMinter.bare(KEY_B.getPublic()).ca(true)
        .keyUsage(EnumSet.of(KeyUsage.CRL_SIGN)).sign(KEY_B.getPrivate());
    assertTrue(refused(Kind.MISCONFIGURED, () -> UpstreamAuthorities.of(leaf, KEY_B.getPrivate())).getMessage()
        .contains("not a CA"));
    assertTrue(refused(Kind.MISCONFIGURED, () -> UpstreamAuthorities.of(pathLenZero, KEY_B.getPrivate()))
        .getMessage().contains("pathLenConstraint 0"));
    assertTrue(refused(Kind.MISCONFIGURED, () -> UpstreamAuthorities.of(noCertSign, KEY_B.getPrivate()))
        .getMessage().contains("keyCertSign"));
    assertTrue(refused(Kind.MISCONFIGURED, () -> UpstreamAuthorities.of(ROOT, KEY_B.getPrivate())).getMessage()
        .contains("not the pair"));
    assertTrue(refused(Kind.MISCONFIGURED, () -> UpstreamAuthorities.of(List.of(intermediate()),
        KEY_B.getPrivate(), List.of(root(KEY_A, Duration.ofDays(1))))).getMessage().contains("not signed by"));
  }

  /** An intermediate upstream CA (key B) under {@link #ROOT}. */
  private static X509Certificate intermediate() {
    return CertificateMinter.bare(KEY_B.getPublic()).subject(new X500Principal("O=Test, CN=upstream intermediate"))
        .ca(true).keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN)).validFor(THEN, Duration.ofDays(20))
        .issuedBy(ROOT, ROOT_KEY.getPrivate()).sign(null);
  }

  @Test
  void selfSignedMakesItsOwnRoot() {
    LocalUpstreamAuthority upstream = UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P384, Duration.ofDays(2), FIXED);
    X509Certificate root = upstream.roots().get(0);
    assertEquals(List.of(root), upstream.roots());
    assertEquals(root, upstream.signingCertificate());
    assertEquals(THEN.plus(Duration.ofDays(2)), root.getNotAfter().toInstant());
    assertEquals(root.getSubjectX500Principal(), root.getIssuerX500Principal());
    UpstreamX509Ca answer = upstream.mintX509Ca(goodCsr(), Duration.ofHours(1));
    MintedCaCheck.check(answer, KEY_A, TD, THEN);
    assertEquals(List.of(root), answer.upstreamRoots());
    assertEquals(365 * 10, Duration.between(Instant.now(), UpstreamAuthorities.selfSigned().roots().get(0)
        .getNotAfter().toInstant()).toDays(), 1);
    assertThrows(IllegalArgumentException.class,
        () -> UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ZERO, FIXED));
  }

  // ---- disk ----

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text);
  }

  private static String pem(X509Certificate... certificates) {
    StringBuilder text = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        text.append(Pem.encode("CERTIFICATE", certificate.getEncoded()));
      } catch (java.security.cert.CertificateEncodingException e) {
        throw new AssertionError(e);
      }
    }
    return text.toString();
  }

  private static String pkcs8(KeyPair key) {
    return Pem.encode("PRIVATE KEY", key.getPrivate().getEncoded());
  }

  /** The legacy form: SEC 1 {@code EC PRIVATE KEY} naming its curve, as OpenSSL writes it, or PKCS#1. */
  private static String legacy(KeyPair key) {
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getPrivate().getEncoded());
      if (key.getPrivate().getAlgorithm().equals("RSA")) {
        return Pem.encode("RSA PRIVATE KEY", info.parsePrivateKey().toASN1Primitive().getEncoded());
      }
      ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
      return Pem.encode("EC PRIVATE KEY", new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
          info.getPrivateKeyAlgorithm().getParameters()).getEncoded());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** SEC 1 without the curve, which the PKCS#8 wrapper held: unusable. */
  private static String sec1WithoutCurve(KeyPair key) {
    try {
      return Pem.encode("EC PRIVATE KEY", PrivateKeyInfo.getInstance(key.getPrivate().getEncoded()).parsePrivateKey()
          .toASN1Primitive().getEncoded());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void diskReadsPkcs8Sec1AndPkcs1Keys() throws IOException {
    Path cert = write("upstream.crt", pem(ROOT));
    for (String key : List.of(pkcs8(ROOT_KEY), legacy(ROOT_KEY))) {
      LocalUpstreamAuthority upstream = UpstreamAuthorities.disk(cert, write("upstream.key", key)).withClock(FIXED);
      assertEquals(List.of(ROOT), upstream.roots());
      assertEquals(List.of(ROOT), upstream.mintX509Ca(goodCsr(), Duration.ZERO).upstreamRoots());
    }
    X509Certificate rsaRoot = root(RSA_KEY, Duration.ofDays(30));
    Path rsaCert = write("rsa.crt", pem(rsaRoot));
    for (String key : List.of(pkcs8(RSA_KEY), legacy(RSA_KEY))) {
      UpstreamX509Ca answer = UpstreamAuthorities.disk(rsaCert, write("rsa.key", key)).withClock(FIXED)
          .mintX509Ca(goodCsr(), Duration.ZERO);
      assertEquals("SHA256withRSA", answer.mintedCa().getSigAlgName());
      MintedCaCheck.check(answer, KEY_A, TD, THEN);
    }
    Path combined = write("combined.pem", pem(ROOT) + pkcs8(ROOT_KEY));
    assertEquals(List.of(ROOT), UpstreamAuthorities.disk(combined, combined).roots(), "one file with both");
  }

  @Test
  void diskWithABundleSignsWithAnIntermediate_andChainsIt() throws IOException {
    X509Certificate intermediate = intermediate();
    LocalUpstreamAuthority upstream = UpstreamAuthorities.disk(write("chain.crt", pem(intermediate)),
        write("chain.key", legacy(KEY_B)), write("bundle.crt", pem(ROOT))).withClock(FIXED);
    UpstreamX509Ca answer = upstream.mintX509Ca(goodCsr(), Duration.ofDays(60));
    assertEquals(List.of(answer.mintedCa(), intermediate), answer.caChain());
    assertEquals(List.of(ROOT), answer.upstreamRoots());
    assertEquals(THEN.plus(Duration.ofDays(20)), answer.mintedCa().getNotAfter().toInstant(),
        "capped at the signing certificate, not the root");
    MintedCaCheck.check(answer, KEY_A, TD, THEN);

    LocalUpstreamAuthority rootAtTheEnd = UpstreamAuthorities.disk(write("full.crt", pem(intermediate, ROOT)),
        write("full.key", pkcs8(KEY_B))).withClock(FIXED);
    assertEquals(List.of(ROOT), rootAtTheEnd.roots());
    assertEquals(2, rootAtTheEnd.mintX509Ca(goodCsr(), Duration.ZERO).caChain().size());
  }

  @Test
  void diskErrorsAreTypedAndNameTheFile_neverTheKey() throws IOException {
    Path cert = write("upstream.crt", pem(ROOT));
    Path key = write("upstream.key", pkcs8(ROOT_KEY));
    String keyBody = pkcs8(ROOT_KEY).split("\n")[1];
    Path missing = dir.resolve("missing.key");
    List<Runnable> broken = List.of(
        () -> UpstreamAuthorities.disk(dir.resolve("missing.crt"), key),
        () -> UpstreamAuthorities.disk(cert, missing),
        () -> UpstreamAuthorities.disk(writeQuietly("empty.crt", ""), key),
        () -> UpstreamAuthorities.disk(writeQuietly("garbage.crt", "-----BEGIN CERTIFICATE-----\n!!!\n"
            + "-----END CERTIFICATE-----\n"), key),
        () -> UpstreamAuthorities.disk(key, key),
        () -> UpstreamAuthorities.disk(cert, cert),
        () -> UpstreamAuthorities.disk(cert, writeQuietly("encrypted.key", Pem.encode("ENCRYPTED PRIVATE KEY",
            new byte[] {0x30, 0x00}))),
        () -> UpstreamAuthorities.disk(cert, writeQuietly("two.key", pkcs8(ROOT_KEY) + pkcs8(KEY_A))),
        () -> UpstreamAuthorities.disk(cert, writeQuietly("other.key", pkcs8(KEY_A))),
        () -> UpstreamAuthorities.disk(cert, writeQuietly("curveless.key", sec1WithoutCurve(ROOT_KEY))),
        () -> UpstreamAuthorities.disk(writeQuietly("intermediate.crt", pem(intermediate())),
            writeQuietly("intermediate.key", pkcs8(KEY_B))),
        () -> UpstreamAuthorities.disk(writeQuietly("intermediate.crt", pem(intermediate())),
            writeQuietly("intermediate.key", pkcs8(KEY_B)), writeQuietly("wrong-bundle.crt",
                pem(root(KEY_A, Duration.ofDays(1))))),
        () -> UpstreamAuthorities.disk(cert, key, dir.resolve("missing-bundle.crt")));
    List<String> expected = List.of("cannot read the upstream certificate file", "cannot read the upstream key file",
        "holds no valid PEM certificates", "holds no valid PEM certificates", "holds no valid PEM certificates",
        "no private key block", "encrypted private keys are not supported", "more than one PEM block",
        "not the pair", "does not name its curve", "is not self-signed", "not signed by any of its roots",
        "cannot read the upstream bundle file");
    for (int i = 0; i < broken.size(); i++) {
      UpstreamAuthorityException e = refused(Kind.MISCONFIGURED, broken.get(i));
      assertTrue(e.getMessage().contains(expected.get(i)), i + ": " + e.getMessage());
      assertFalse(e.getMessage().contains(keyBody), "no key material in messages");
      assertFalse(e.isRetryable());
    }
    assertTrue(refused(Kind.MISCONFIGURED, broken.get(1)).getMessage().contains(missing.toString()));
    assertTrue(refused(Kind.MISCONFIGURED, broken.get(1)).getMessage().toLowerCase(Locale.ROOT)
        .contains("nosuchfile"));
  }

  private Path writeQuietly(String name, String text) {
    try {
      return write(name, text);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void toStringNamesTheCertificate_notTheKey() {
    String text = upstream().withMaxCaTtl(Duration.ofHours(2)).toString();
    assertTrue(text.contains("upstream root") && text.contains("PT2H"), text);
    assertFalse(text.toLowerCase(Locale.ROOT).contains("private"), text);
  }
}
