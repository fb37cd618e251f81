package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.akeyless.testkit.CloudAuthSettings;
import io.spiffe4j.akeyless.testkit.MutableClock;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiAnswerShape;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.akeyless.testkit.TestIdentityProvider;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A few end-to-end runs through the Akeyless testkit's gateway, which really verifies challenge signatures, chains,
 * tokens and cloud JWTs, and really signs CSRs. The full matrix through it is written elsewhere.
 */
class GatewayRoundTripTest {
  private static final KeyPair CLIENT_KEY = TestPki.ecKey(80);
  private static final KeyPair CA_KEY = TestPki.ecKey(81);

  private final MutableClock clock = MutableClock.startingNow();
  private final AkeylessGateway gateway = AkeylessGateway.builder().clock(clock).https(true)
      .tokenLifetime(Duration.ofMinutes(10)).start();

  @AfterEach
  void stop() {
    gateway.close();
  }

  private AkeylessClient.Builder client(AkeylessAuth auth) {
    return AkeylessClient.builder(gateway.url().toString(), auth)
        .trustedCertificates(List.of(gateway.tlsCaCertificate()))
        .clock(clock).sleeper(clock::advance);
  }

  private String certAuthMethod() {
    return gateway.createCertAuthMethod(CertAuthSettings.builder("spire-server", TestPki.ROOT)
        .boundCommonNames("spire-*").build());
  }

  private static AkeylessAuth certificateAuth(String accessId) {
    X509Certificate leaf = TestPki.clientCertificate(CLIENT_KEY, "spire-server-1");
    return AkeylessAuth.certificate(accessId, TestPki.clientCertificate(CLIENT_KEY, leaf, TestPki.ROOT));
  }

  private static PkiCertificateRequest caRequest(String issuer) {
    return PkiCertificateRequest.builder(issuer).csr(TestPki.caCsr(CA_KEY, "spiffe://example.org"))
        .ttl(Duration.ofMinutes(20)).build();
  }

  private PkiIssuer spireIssuer(PkiAnswerShape shape) {
    return gateway.createPkiIssuer(PkiIssuerSettings.builder("spire-ca", Duration.ofHours(24))
        .intermediateUnder(TestPki.ROOT, TestPki.ROOT_KEY.getPrivate())
        .ca(true).keyUsage("CertSign,CRLSign").notRequireCn(true).allowedUriSans("spiffe://example.org")
        .answerShape(shape).build());
  }

  @ParameterizedTest
  @EnumSource(PkiAnswerShape.class)
  void certificateAuthThenCaIssuance_overHttps(PkiAnswerShape shape) throws Exception {
    PkiIssuer issuer = spireIssuer(shape);
    try (AkeylessClient client = client(certificateAuth(certAuthMethod())).build()) {
      IssuedCertificate issued = client.getPkiCertificate(caRequest("spire-ca"));

      issued.leaf().verify(issuer.certificate().getPublicKey());
      assertEquals(CA_KEY.getPublic(), issued.leaf().getPublicKey());
      assertEquals(List.of(issuer.certificate()), issued.intermediates());
      assertEquals(List.of(issuer.rootCertificate()), issued.roots());
      assertEquals(TestPki.ROOT, issuer.rootCertificate());
      assertEquals(issued.leaf().getSerialNumber().toString(16), issued.displayId().orElseThrow());
    }
    assertEquals(1, gateway.requestCount(Op.GET_CERT_CHALLENGE));
  }

  @Test
  void certificateFromAnotherCa_isRefused() {
    KeyPair otherCaKey = TestPki.ecKey(82);
    X509Certificate otherCa = io.spiffe4j.mint.CertificateMinter.ca(otherCaKey.getPublic(),
        io.spiffe4j.id.SpiffeId.parse("spiffe://other.test")).sign(otherCaKey.getPrivate());
    X509Certificate leaf = io.spiffe4j.mint.CertificateMinter.bare(CLIENT_KEY.getPublic())
        .subject(new javax.security.auth.x500.X500Principal("CN=spire-server-1")).ca(false)
        .issuedBy(otherCa, otherCaKey.getPrivate()).sign(null);
    AkeylessAuth auth = AkeylessAuth.certificate(certAuthMethod(), TestPki.clientCertificate(CLIENT_KEY, leaf));
    try (AkeylessClient client = client(auth).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(Kind.UNAUTHENTICATED, e.kind());
      assertEquals("certificate does not chain to the auth method's CA certificate", e.serverError().orElseThrow());
    }
  }

  @Test
  void unknownIssuer_isNotFound() {
    try (AkeylessClient client = client(certificateAuth(certAuthMethod())).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, () -> client.getPkiCertificate(caRequest("nope")));
      assertEquals(Kind.NOT_FOUND, e.kind());
    }
  }

  @Test
  void accessKey_retriesInjected503s_andRefreshesTheTokenBeforeExpiry() {
    AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("ak");
    gateway.faults().failNext(2, 503);
    try (AkeylessClient client = client(AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey()))
        .build()) {
      AkeylessToken first = client.token();
      assertEquals(3, gateway.requestCount(Op.AUTH), "two injected 503s, then success");
      assertTrue(first.expirationFromServer());
      assertEquals(clock.instant().plus(Duration.ofMinutes(10)).getEpochSecond(),
          first.expiresAt().getEpochSecond(), 1);
      clock.advance(Duration.ofMinutes(7));
      assertEquals(first.reveal(), client.token().reveal());
      clock.advance(Duration.ofMinutes(1).plusSeconds(1));
      assertNotEquals(first.reveal(), client.token().reveal(), "refreshed two minutes before expiry");
      assertEquals(4, gateway.requestCount(Op.AUTH));
    }
  }

  @Test
  void tokenExpiredAtTheGateway_isRenewedOnce() {
    AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("ak");
    spireIssuer(PkiAnswerShape.PEM_LEAF_AND_PARENT);
    MutableClock clientClock = MutableClock.at(clock.instant());
    try (AkeylessClient client = client(AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey()))
        .clock(clientClock).build()) {
      client.getPkiCertificate(caRequest("spire-ca"));
      clock.advance(Duration.ofMinutes(11));
      client.getPkiCertificate(caRequest("spire-ca"));
    }
    assertEquals(2, gateway.requestCount(Op.AUTH));
    assertEquals(3, gateway.requestCount(Op.GET_PKI_CERTIFICATE), "ok, 401 for the expired token, ok");
  }

  @Test
  void cloudIdentities_areAccepted() {
    TestIdentityProvider idp = TestIdentityProvider.builder().clock(clock).build();
    String k8s = gateway.createCloudAuthMethod(CloudAuthSettings.kubernetes("k8s", "cluster-1", idp).build());
    String gcp = gateway.createCloudAuthMethod(CloudAuthSettings.gcp("gcp", idp).build());
    String azure = gateway.createCloudAuthMethod(CloudAuthSettings.azureAd("az", "tenant-1", idp).build());
    List<AkeylessAuth> methods = List.of(
        AkeylessAuth.kubernetes(k8s, "cluster-1", () -> idp.kubernetes("spire", "spire-server").sign()),
        AkeylessAuth.gcp(gcp, "akeyless.io", () -> idp.gcp("spire@project.iam.gserviceaccount.com").sign()),
        AkeylessAuth.azureAd(azure, () -> idp.azure("tenant-1", "object-1").sign()));
    for (AkeylessAuth auth : methods) {
      try (AkeylessClient client = client(auth).build()) {
        assertTrue(client.token().reveal().startsWith("t-"), auth.toString());
      }
    }
    AkeylessAuth expired = AkeylessAuth.kubernetes(k8s, "cluster-1",
        () -> idp.kubernetes("spire", "spire-server").expired().sign());
    try (AkeylessClient client = client(expired).build()) {
      assertEquals(Kind.UNAUTHENTICATED, assertThrows(AkeylessException.class, client::token).kind());
    }
  }
}
