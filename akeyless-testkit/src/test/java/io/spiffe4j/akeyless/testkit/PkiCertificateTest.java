package io.spiffe4j.akeyless.testkit;

import static io.spiffe4j.akeyless.testkit.GatewayHttp.body;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /get-pki-certificate}: what the issuers sign, how, and what they refuse. */
class PkiCertificateTest {
  private static final MutableClock CLOCK = MutableClock.at(Fixtures.START);
  private static final KeyPair CSR_KEY = Fixtures.key(KeyAlgorithm.EC_P256, 2);
  private static final String SPIRE_SUBJECT = "O=SPIFFE, C=US";
  private static final GeneralName TRUST_DOMAIN =
      new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org");
  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static PkiIssuer spire;
  private static String token;

  @BeforeAll
  static void start() {
    gateway = AkeylessGateway.builder().clock(CLOCK).start();
    http = new GatewayHttp(gateway);
    spire = gateway.createPkiIssuer(PkiIssuerSettings.builder("/spire/upstream", Duration.ofHours(24))
        .ca(true).maxPathLen(1).keyUsage("CertSign,CRLSign").notRequireCn(true)
        .allowedUriSans("spiffe://example.org").build());
    gateway.createPkiIssuer(PkiIssuerSettings.builder("leaves", Duration.ofHours(2))
        .allowedDomains("example.org").allowSubdomains(true).allowedUriSans("spiffe://example.org/*")
        .allowedIpSans("10.0.0.0/8").clientFlag(true).build());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void freshToken() {
    CLOCK.set(Fixtures.START);
    token = gateway.issueToken();
  }

  private static GatewayHttp.Reply request(String issuer, PKCS10CertificationRequest csr, Object... more) {
    Map<String, Object> body = body("token", token, "cert-issuer-name", issuer,
        "csr-data-base64", Fixtures.b64(Fixtures.csrPem(csr)), "json", false);
    body.putAll(body(more));
    return http.post("get-pki-certificate", body);
  }

  @Test
  void signsASpireCaCsrWithOnlyTheTrustDomainUriSan() throws Exception {
    GatewayHttp.Reply reply = request("spire/upstream", Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN),
        "ttl", "3600").assertOk();
    assertEquals(List.of("data", "parent_cert", "cert_display_id"), fieldNames(reply));
    X509Certificate issued = single(reply.text("data"));
    X509Certificate root = spire.rootCertificate();
    issued.verify(root.getPublicKey());
    assertEquals(List.of(root), certificates(reply.text("parent_cert")));
    assertEquals(1, issued.getBasicConstraints(), "CA with max-path-len 1");
    assertTrue(issued.getCriticalExtensionOIDs().contains("2.5.29.19"));
    assertArrayEquals(new boolean[] {false, false, false, false, false, true, true, false, false},
        issued.getKeyUsage(), "exactly CertSign and CRLSign");
    assertTrue(issued.getCriticalExtensionOIDs().contains("2.5.29.15"));
    assertEquals(CLOCK.instant().plusSeconds(3600), issued.getNotAfter().toInstant());
    assertTrue(!issued.getNotBefore().toInstant().isAfter(CLOCK.instant()));
    assertEquals(List.of(List.of(6, "spiffe://example.org")), new ArrayList<>(issued.getSubjectAlternativeNames()));
    assertEquals(SPIRE_SUBJECT.replace(" ", ""), issued.getSubjectX500Principal().getName());
    assertEquals(CertAuthSettings.certId(issued), reply.text("cert_display_id"));
    byte[] authorityKeyId = AuthorityKeyIdentifier.getInstance(
        ASN1OctetString.getInstance(issued.getExtensionValue("2.5.29.35")).getOctets()).getKeyIdentifierOctets();
    byte[] rootKeyId = SubjectKeyIdentifier.getInstance(
        ASN1OctetString.getInstance(root.getExtensionValue("2.5.29.14")).getOctets()).getKeyIdentifier();
    assertArrayEquals(rootKeyId, authorityKeyId);
    assertTrue(issued.getExtensionValue("2.5.29.14") != null, "subject key identifier");
  }

  @Test
  void rsaIssuersSignRsaCsrs() throws Exception {
    PkiIssuer rsa = gateway.createPkiIssuer(PkiIssuerSettings.builder("rsa", Duration.ofHours(1))
        .keyAlgorithm(KeyAlgorithm.RSA_2048).ca(true).notRequireCn(true).allowedUriSans("spiffe://example.org")
        .build());
    KeyPair rsaKey = Fixtures.key(KeyAlgorithm.RSA_2048, 1);
    X509Certificate issued = single(request("rsa", Fixtures.csr(rsaKey, SPIRE_SUBJECT, TRUST_DOMAIN)).assertOk()
        .text("data"));
    issued.verify(rsa.rootCertificate().getPublicKey());
    assertEquals("SHA256withRSA", issued.getSigAlgName());
    assertEquals(rsaKey.getPublic(), issued.getPublicKey());
  }

  @Test
  void csrSignaturesFollowCoresAllowList() {
    KeyPair rsaKey = Fixtures.key(KeyAlgorithm.RSA_2048, 1);
    request("spire/upstream", Fixtures.csr("SHA256withRSAandMGF1", rsaKey, SPIRE_SUBJECT, TRUST_DOMAIN)).assertOk();
    request("spire/upstream", Fixtures.csr("SHA1withRSA", rsaKey, SPIRE_SUBJECT, TRUST_DOMAIN))
        .assertError(400, "CSR signature does not verify");
  }

  @Test
  void akeylessDefaultKeyUsageIsUsedWhenNoneIsSet() throws Exception {
    gateway.createPkiIssuer(PkiIssuerSettings.builder("default-usage", Duration.ofHours(1)).ca(true)
        .notRequireCn(true).allowedUriSans("spiffe://example.org").build());
    X509Certificate issued = single(request("default-usage", Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN))
        .assertOk().text("data"));
    // DigitalSignature, KeyEncipherment and KeyAgreement; no CertSign, although the certificate is a CA.
    assertArrayEquals(new boolean[] {true, false, true, false, true, false, false, false, false},
        issued.getKeyUsage());
    assertEquals(Integer.MAX_VALUE, issued.getBasicConstraints(), "CA without a path length limit");
  }

  @Test
  void uriSansMustBeAllowedAndTheBareTrustDomainMustBeListed() {
    request("spire/upstream", Fixtures.csr(CSR_KEY, SPIRE_SUBJECT,
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://other.org")))
        .assertError(403, "URI SAN spiffe://other.org is not allowed");
    request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org", TRUST_DOMAIN))
        .assertError(403, "URI SAN spiffe://example.org is not allowed");
    request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org",
        new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/workload"))).assertOk();
  }

  @Test
  void ttlIsAStringOrANumberAndMayNotExceedTheIssuers() throws Exception {
    PKCS10CertificationRequest csr = Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN);
    assertEquals(CLOCK.instant().plusSeconds(600),
        single(request("spire/upstream", csr, "ttl", 600).assertOk().text("data")).getNotAfter().toInstant());
    assertEquals(CLOCK.instant().plus(Duration.ofHours(2)),
        single(request("spire/upstream", csr, "ttl", "2h").assertOk().text("data")).getNotAfter().toInstant());
    assertEquals(CLOCK.instant().plus(Duration.ofHours(24)),
        single(request("spire/upstream", csr).assertOk().text("data")).getNotAfter().toInstant(),
        "the issuer's ttl when none is asked for");
    request("spire/upstream", csr, "ttl", 86401).assertError(403, "requested ttl exceeds the issuer's ttl of 86400");
    request("spire/upstream", csr, "ttl", "soon").assertError(400, "ttl must be a positive number of seconds");
    request("spire/upstream", csr, "ttl", 0).assertError(400, "ttl must be positive");
  }

  @Test
  void unknownIssuerIsA404() {
    request("nope", Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN)).assertError(404, "no such PKI issuer");
    http.post("get-pki-certificate", body("token", token)).assertError(400, "cert-issuer-name is required");
  }

  @Test
  void aBadOrExpiredTokenIsA401() {
    PKCS10CertificationRequest csr = Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN);
    token = "t-00000000000000000000000000000000";
    request("spire/upstream", csr).assertError(401, "token is missing, unknown or expired");
    token = null;
    request("spire/upstream", csr).assertError(401, "token is missing, unknown or expired");
    token = gateway.issueToken();
    CLOCK.advance(Duration.ofHours(1));
    request("spire/upstream", csr).assertError(401, "token is missing, unknown or expired");
  }

  @Test
  void aCsrWithABadSignatureIsRefused() throws Exception {
    byte[] der = Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN).getEncoded();
    der[der.length - 5] ^= 0x01;
    http.post("get-pki-certificate", body("token", token, "cert-issuer-name", "spire/upstream",
        "csr-data-base64", Fixtures.b64(Pem.encode("CERTIFICATE REQUEST", der))))
        .assertError(400, "CSR signature does not verify");
  }

  @Test
  void malformedCsrDataIsRefused() {
    http.post("get-pki-certificate", body("token", token, "cert-issuer-name", "spire/upstream",
        "csr-data-base64", "not base64!")).assertError(400, "csr-data-base64 is not valid base64");
    http.post("get-pki-certificate", body("token", token, "cert-issuer-name", "spire/upstream",
        "csr-data-base64", Fixtures.b64("garbage"))).assertError(400, "does not hold a parseable CSR");
    http.post("get-pki-certificate", body("token", token, "cert-issuer-name", "spire/upstream"))
        .assertError(400, "csr-data-base64 or key-data-base64 is required");
  }

  @Test
  void base64OfDerCsrIsAcceptedToo() throws Exception {
    byte[] der = Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN).getEncoded();
    http.post("get-pki-certificate", body("token", token, "cert-issuer-name", "spire/upstream",
        "csr-data-base64", Fixtures.b64(der))).assertOk();
  }

  @Test
  void namesAreCheckedAgainstAllowedDomains() throws Exception {
    request("leaves", Fixtures.csr(CSR_KEY, "O=No CN")).assertError(403, "a common name is required");
    request("leaves", Fixtures.csr(CSR_KEY, "CN=example.org")).assertOk();
    request("leaves", Fixtures.csr(CSR_KEY, "CN=a.b.example.org")).assertOk();
    request("leaves", Fixtures.csr(CSR_KEY, "CN=example.net")).assertError(403, "common name is not allowed");
    request("leaves", Fixtures.csr(CSR_KEY, "CN=badexample.org")).assertError(403, "common name is not allowed");
    request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org",
        new GeneralName(GeneralName.dNSName, "evil.example.net"))).assertError(403, "DNS or email SAN");
    request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org",
        new GeneralName(GeneralName.iPAddress, "10.1.2.3"))).assertOk();
    request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org",
        new GeneralName(GeneralName.iPAddress, "192.168.1.1"))).assertError(403, "IP SAN is not allowed");
    gateway.createPkiIssuer(PkiIssuerSettings.builder("any-name", Duration.ofHours(1)).allowAnyName(true).build());
    X509Certificate any = single(request("any-name", Fixtures.csr(CSR_KEY, "CN=whatever.test")).assertOk()
        .text("data"));
    assertEquals(0, any.getBasicConstraints() + 1, "not a CA: basicConstraints cA=false");
  }

  @Test
  void clientFlagAndRequestedExtendedKeyUsagesAreSet() throws Exception {
    X509Certificate issued = single(request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org"),
        "extended-key-usage", "serverauth,critical").assertOk().text("data"));
    assertEquals(List.of("1.3.6.1.5.5.7.3.2", "1.3.6.1.5.5.7.3.1"), issued.getExtendedKeyUsage());
    assertTrue(issued.getCriticalExtensionOIDs().contains("2.5.29.37"));
    request("leaves", Fixtures.csr(CSR_KEY, "CN=svc.example.org"), "extended-key-usage", "timestamping")
        .assertError(400, "extended-key-usage must list");
  }

  @Test
  void requestedPathLengthMayOnlyBeSmaller() throws Exception {
    PKCS10CertificationRequest csr = Fixtures.csr(CSR_KEY, SPIRE_SUBJECT, TRUST_DOMAIN);
    assertEquals(0, single(request("spire/upstream", csr, "max-path-len", 0).assertOk().text("data"))
        .getBasicConstraints());
    request("spire/upstream", csr, "max-path-len", 2).assertError(403, "max-path-len exceeds the issuer's");
  }

  @Test
  void keyDataWithFieldsInsteadOfACsr() throws Exception {
    String publicKey = Pem.encode("PUBLIC KEY", CSR_KEY.getPublic().getEncoded());
    X509Certificate issued = single(http.post("get-pki-certificate", body("token", token, "cert-issuer-name",
        "leaves", "key-data-base64", Fixtures.b64(publicKey), "common-name", "svc.example.org",
        "alt-names", "a.example.org,ops@example.org", "uri-sans", "spiffe://example.org/svc")).assertOk()
        .text("data"));
    assertEquals(CSR_KEY.getPublic(), issued.getPublicKey());
    assertEquals("CN=svc.example.org", issued.getSubjectX500Principal().getName());
    assertEquals(3, issued.getSubjectAlternativeNames().size());
    String privateKey = Pem.encode("PRIVATE KEY", CSR_KEY.getPrivate().getEncoded());
    assertEquals(CSR_KEY.getPublic(), single(http.post("get-pki-certificate", body("token", token,
        "cert-issuer-name", "leaves", "key-data-base64", Fixtures.b64(privateKey), "common-name",
        "svc.example.org")).assertOk().text("data")).getPublicKey(), "the public half of a private key");
  }

  @ParameterizedTest
  @EnumSource(PkiAnswerShape.class)
  void everyAnswerShapeCarriesTheLeafAndTheChain(PkiAnswerShape shape) throws Exception {
    KeyPair rootKey = Fixtures.key(KeyAlgorithm.EC_P384, 0);
    X509Certificate root = Fixtures.ca(rootKey, "CN=Given Root " + shape, null, null);
    PkiIssuer issuer = gateway.createPkiIssuer(PkiIssuerSettings.builder("shape-" + shape, Duration.ofHours(1))
        .intermediateUnder(root, rootKey.getPrivate()).allowAnyName(true).answerShape(shape).build());
    assertEquals(List.of(issuer.certificate(), root), issuer.chain());
    GatewayHttp.Reply reply = request("shape-" + shape, Fixtures.csr(CSR_KEY, "CN=svc")).assertOk();
    String data = reply.text("data");
    String parent = reply.text("parent_cert");
    if (shape == PkiAnswerShape.BASE64_PEM) {
      data = new String(Base64.getDecoder().decode(data), StandardCharsets.US_ASCII);
      parent = new String(Base64.getDecoder().decode(parent), StandardCharsets.US_ASCII);
    }
    List<X509Certificate> inData = certificates(data);
    List<X509Certificate> expectedChain = List.of(issuer.certificate(), root);
    switch (shape) {
      case CHAIN_IN_DATA:
        assertNull(parent);
        assertEquals(expectedChain, inData.subList(1, inData.size()));
        break;
      case CHAIN_IN_DATA_AND_PARENT:
        assertEquals(expectedChain, inData.subList(1, inData.size()));
        assertEquals(expectedChain, certificates(parent));
        break;
      default:
        assertEquals(1, inData.size());
        assertEquals(expectedChain, certificates(parent));
    }
    inData.get(0).verify(issuer.certificate().getPublicKey());
    issuer.certificate().verify(root.getPublicKey());
  }

  @Test
  void aGivenCaMustComeWithItsOwnKey() {
    KeyPair caKey = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate ca = Fixtures.ca(caKey, "CN=Given CA", null, null);
    PkiIssuerSettings wrongKey = PkiIssuerSettings.builder("wrong-key", Duration.ofHours(1))
        .signingCa(ca, Fixtures.key(KeyAlgorithm.EC_P256, 1).getPrivate()).build();
    assertThrows(AkeylessGatewayException.class, () -> gateway.createPkiIssuer(wrongKey));
    PkiIssuer given = gateway.createPkiIssuer(PkiIssuerSettings.builder("given", Duration.ofHours(1))
        .signingCa(ca, caKey.getPrivate()).allowAnyName(true).build());
    assertEquals(ca, given.rootCertificate());
    assertEquals(ca, given.certificate());
    assertThrows(AkeylessGatewayException.class, () -> gateway.createPkiIssuer(
        PkiIssuerSettings.builder("given", Duration.ofHours(1)).build()), "names are unique");
  }

  @Test
  void failureStatusesAreConfigurable() {
    try (AkeylessGateway custom = AkeylessGateway.builder().clock(CLOCK)
        .pkiFailureStatus(PkiFailure.UNKNOWN_ISSUER, 400).pkiFailureStatus(PkiFailure.BAD_TOKEN, 403)
        .pkiFailureStatus(PkiFailure.POLICY_VIOLATION, 400).start()) {
      custom.createPkiIssuer(PkiIssuerSettings.builder("strict", Duration.ofHours(1)).build());
      GatewayHttp client = new GatewayHttp(custom);
      String csr = Fixtures.b64(Fixtures.csrPem(Fixtures.csr(CSR_KEY, "CN=x")));
      String valid = custom.issueToken();
      client.post("get-pki-certificate", body("token", valid, "cert-issuer-name", "none", "csr-data-base64", csr))
          .assertError(400, "no such PKI issuer");
      client.post("get-pki-certificate", body("token", "t-x", "cert-issuer-name", "strict", "csr-data-base64", csr))
          .assertError(403, "token");
      client.post("get-pki-certificate", body("token", valid, "cert-issuer-name", "strict", "csr-data-base64", csr))
          .assertError(400, "common name is not allowed");
    }
  }

  static X509Certificate single(String pem) throws Exception {
    List<X509Certificate> certificates = certificates(pem);
    assertEquals(1, certificates.size(), "one certificate");
    return certificates.get(0);
  }

  static List<X509Certificate> certificates(String pem) throws Exception {
    List<X509Certificate> list = new ArrayList<>();
    for (Object certificate : CertificateFactory.getInstance("X.509").generateCertificates(
        new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
      list.add((X509Certificate) certificate);
    }
    return list;
  }

  private static List<String> fieldNames(GatewayHttp.Reply reply) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = reply.json.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
