package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiAnswerShape;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * End-to-end runs through the Akeyless testkit's gateway, which really verifies challenge signatures, chains and
 * tokens and really signs CSRs: SPIRE's CA issuance in every answer shape, and retries of injected 503s. Every access
 * type is in {@link AccessTypeRoundTripTest}, every key file format in
 * {@code io.spiffe4j.certauth.KeyFormatRoundTripTest}, and the refusals in {@link CertAuthRejectionTest},
 * {@link CloudAuthRejectionTest} and {@link PkiRoundTripTest}.
 */
class GatewayRoundTripTest {
  private static final KeyPair CLIENT_KEY = TestPki.ecKey(80);
  private static final KeyPair CA_KEY = TestPki.ecKey(81);

  private final TestGateway gw = new TestGateway(Duration.ofMinutes(10));

  @AfterEach
  void stop() {
    gw.close();
  }

  private String certAuthMethod() {
    return gw.gateway.createCertAuthMethod(CertAuthSettings.builder("spire-server", TestPki.ROOT)
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
    return gw.gateway.createPkiIssuer(PkiIssuerSettings.builder("spire-ca", Duration.ofHours(24))
        .intermediateUnder(TestPki.ROOT, TestPki.ROOT_KEY.getPrivate())
        .ca(true).keyUsage("CertSign,CRLSign").notRequireCn(true).allowedUriSans("spiffe://example.org")
        .answerShape(shape).build());
  }

  @ParameterizedTest
  @EnumSource(PkiAnswerShape.class)
  void certificateAuthThenCaIssuance_overHttps(PkiAnswerShape shape) throws Exception {
    PkiIssuer issuer = spireIssuer(shape);
    try (AkeylessClient client = gw.open(certificateAuth(certAuthMethod()))) {
      IssuedCertificate issued = client.getPkiCertificate(caRequest("spire-ca"));

      issued.leaf().verify(issuer.certificate().getPublicKey());
      assertEquals(CA_KEY.getPublic(), issued.leaf().getPublicKey());
      assertEquals(List.of(issuer.certificate()), issued.intermediates());
      assertEquals(List.of(issuer.rootCertificate()), issued.roots());
      assertEquals(TestPki.ROOT, issuer.rootCertificate());
      assertEquals(issued.leaf().getSerialNumber().toString(16), issued.displayId().orElseThrow());
    }
    assertEquals(1, gw.gateway.requestCount(Op.GET_CERT_CHALLENGE));
  }

  @Test
  void accessKey_retriesInjected503s_andRefreshesTheTokenBeforeExpiry() {
    AccessKeyCredentials credentials = gw.accessKeyMethod("ak");
    gw.gateway.faults().failNext(2, 503);
    try (AkeylessClient client = gw.open(AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey()))) {
      AkeylessToken first = client.token();
      assertEquals(3, gw.gateway.requestCount(Op.AUTH), "two injected 503s, then success");
      assertTrue(first.expirationFromServer());
      assertEquals(gw.clock.instant().plus(Duration.ofMinutes(10)).getEpochSecond(),
          first.expiresAt().getEpochSecond(), 1);
      gw.clock.advance(Duration.ofMinutes(7));
      assertEquals(first.reveal(), client.token().reveal());
      gw.clock.advance(Duration.ofMinutes(1).plusSeconds(1));
      assertNotEquals(first.reveal(), client.token().reveal(), "refreshed two minutes before expiry");
      assertEquals(4, gw.gateway.requestCount(Op.AUTH));
    }
  }
}
