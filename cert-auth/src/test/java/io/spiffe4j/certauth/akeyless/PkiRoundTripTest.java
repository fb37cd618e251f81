package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.akeyless.testkit.MutableClock;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.akeyless.testkit.RequestRecord;
import io.spiffe4j.certauth.ChallengeSigner;
import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.SuiteSecrets;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Certificate issuance through the client against the testkit gateway's PKI issuers: refusals carry the gateway's
 * reason, and a token that expires between two issuances is replaced without the caller noticing.
 */
class PkiRoundTripTest {
  private static final KeyPair WORKLOAD_KEY = TestPki.ecKey(88);
  private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);

  private final TestGateway gw = new TestGateway(TOKEN_LIFETIME);

  @AfterEach
  void stop() {
    gw.close();
  }

  private void workloadIssuer() {
    gw.gateway.createPkiIssuer(PkiIssuerSettings.builder("workloads", Duration.ofHours(1))
        .notRequireCn(true).allowedUriSans("spiffe://example.org/*").build());
  }

  private static PkiCertificateRequest request(String issuer, String uri, Duration ttl) {
    return SuiteSecrets.observeToString(PkiCertificateRequest.builder(issuer)
        .csr(TestPki.caCsr(WORKLOAD_KEY, uri)).ttl(ttl).build());
  }

  private static PkiCertificateRequest request() {
    return request("workloads", "spiffe://example.org/workload", Duration.ofMinutes(5));
  }

  private AkeylessClient accessKeyClient() {
    AccessKeyCredentials credentials = gw.accessKeyMethod("ak");
    return gw.open(AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey()));
  }

  @Test
  void unknownIssuer_isNotFound() {
    workloadIssuer();
    try (AkeylessClient client = accessKeyClient()) {
      gw.refused(Kind.NOT_FOUND, "no such PKI issuer",
          () -> client.getPkiCertificate(request("no-such-issuer", "spiffe://example.org/workload",
              Duration.ofMinutes(5))));
    }
  }

  @Test
  void uriSanOutsideTheIssuersPolicy_isDenied() {
    workloadIssuer();
    try (AkeylessClient client = accessKeyClient()) {
      gw.refused(Kind.PERMISSION_DENIED, "URI SAN spiffe://other.org/workload is not allowed by the issuer",
          () -> client.getPkiCertificate(request("workloads", "spiffe://other.org/workload", Duration.ofMinutes(5))));
    }
  }

  @Test
  void ttlOverTheIssuersMaximum_isDenied() {
    workloadIssuer();
    try (AkeylessClient client = accessKeyClient()) {
      gw.refused(Kind.PERMISSION_DENIED, "requested ttl exceeds the issuer's ttl of 3600 seconds",
          () -> client.getPkiCertificate(request("workloads", "spiffe://example.org/workload",
              Duration.ofHours(1).plusSeconds(1))));
      // The boundary itself is allowed.
      client.getPkiCertificate(request("workloads", "spiffe://example.org/workload", Duration.ofHours(1)));
    }
  }

  /**
   * The gateway's clock passes the token's lifetime between two issuances. A client on the same clock sees the
   * expiry and authenticates again first; a client whose clock lags learns it from the gateway's 401, authenticates
   * again and repeats the issuance once. Either way the caller only sees two certificates.
   */
  @ParameterizedTest(name = "{0}, client clock follows the gateway: {1}")
  @CsvSource({"access_key, true", "access_key, false", "cert, true", "cert, false"})
  void tokenExpiredBetweenIssuances_isRenewedTransparently(String accessType, boolean clientFollowsGatewayClock) {
    workloadIssuer();
    AkeylessAuth auth;
    if (accessType.equals("cert")) {
      KeyPair key = TestPki.ecKey(89);
      String accessId = gw.gateway.createCertAuthMethod(CertAuthSettings.builder("cert", TestPki.ROOT).build());
      auth = AkeylessAuth.certificate(accessId, SuiteSecrets.observeToString(ClientCertificate.of(
          List.of(TestPki.clientCertificate(key, "spire-server-1")),
          SuiteSecrets.recording(ChallengeSigner.ofKey(key.getPrivate())))));
    } else {
      AccessKeyCredentials credentials = gw.accessKeyMethod("ak");
      auth = AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey());
    }
    MutableClock clientClock = clientFollowsGatewayClock ? gw.clock : MutableClock.at(gw.clock.instant());
    try (AkeylessClient client = gw.client(auth).clock(clientClock).build()) {
      IssuedCertificate first = client.getPkiCertificate(request());
      gw.clock.advance(TOKEN_LIFETIME.plusMinutes(1));
      IssuedCertificate second = client.getPkiCertificate(request());
      assertNotEquals(first.leaf().getSerialNumber(), second.leaf().getSerialNumber());
    }

    assertEquals(2, gw.gateway.requestCount(Op.AUTH));
    assertEquals(accessType.equals("cert") ? 2 : 0, gw.gateway.requestCount(Op.GET_CERT_CHALLENGE));
    List<RequestRecord> issuances = gw.gateway.requests().stream()
        .filter(record -> record.op() == Op.GET_PKI_CERTIFICATE).collect(Collectors.toList());
    List<Integer> statuses = issuances.stream().map(RequestRecord::status).collect(Collectors.toList());
    if (clientFollowsGatewayClock) {
      assertEquals(List.of(200, 200), statuses, "renewed before the expired token was sent");
    } else {
      assertEquals(List.of(200, 401, 200), statuses, "the expired token refused once, then renewed");
      assertEquals(Optional.of("token is missing, unknown or expired"), issuances.get(1).error());
    }
  }
}
