package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.akeyless.testkit.CloudAuthSettings;
import io.spiffe4j.akeyless.testkit.MutableClock;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.akeyless.testkit.RequestRecord;
import io.spiffe4j.akeyless.testkit.TestIdentityProvider;
import io.spiffe4j.certauth.ChallengeSigner;
import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.SuiteSecrets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every access type the client offers, end to end over HTTPS through the Akeyless testkit's gateway, which verifies
 * access keys, challenge signatures, key-mode keys, certificate chains and cloud JWTs for real: authenticate, then
 * get a certificate from a PKI issuer with the token, and check what the issuer signed.
 */
class AccessTypeRoundTripTest {
  private static final MutableClock CLOCK = MutableClock.startingNow();
  private static final TestIdentityProvider IDP = TestIdentityProvider.builder().clock(CLOCK).build();
  private static final KeyPair WORKLOAD_KEY = TestPki.ecKey(83);
  private static final String WORKLOAD_ID = "spiffe://example.org/workload";
  private static final Duration TTL = Duration.ofMinutes(10);

  /** One access type: how to create its auth method on the gateway and the client's credentials for it. */
  enum AccessType {
    ACCESS_KEY("access_key", 0) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        AccessKeyCredentials credentials = gw.accessKeyMethod("access-key");
        return AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey());
      }
    },
    API_KEY("api_key", 0) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        AccessKeyCredentials credentials = gw.accessKeyMethod("api-key");
        return AkeylessAuth.apiKey(credentials.accessId(), credentials.accessKey());
      }
    },
    CERT_CHALLENGE("cert", 1) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        KeyPair key = TestPki.rsaKey();
        X509Certificate leaf = TestPki.clientCertificate(key, "spire-server-1");
        ClientCertificate certificate = SuiteSecrets.observeToString(ClientCertificate.of(List.of(leaf),
            SuiteSecrets.recording(ChallengeSigner.ofKey(key.getPrivate()))));
        return AkeylessAuth.certificate(certMethod(gw, "cert-challenge"), certificate);
      }
    },
    CERT_KEY_DATA("cert", 0) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        KeyPair key = TestPki.ecKey(84);
        return AkeylessAuth.certificateSendingPrivateKey(certMethod(gw, "cert-key-data"),
            List.of(TestPki.clientCertificate(key, "spire-server-2")), key.getPrivate());
      }
    },
    K8S("k8s", 0) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        String accessId = gw.gateway.createCloudAuthMethod(
            CloudAuthSettings.kubernetes("k8s", "cluster-1", IDP).boundNamespaces("spire").build());
        return AkeylessAuth.kubernetes(accessId, "cluster-1",
            TestGateway.identityToken(() -> IDP.kubernetes("spire", "spire-server").sign()));
      }
    },
    GCP("gcp", 0) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        String email = "spire@project.iam.gserviceaccount.com";
        String accessId = gw.gateway.createCloudAuthMethod(
            CloudAuthSettings.gcp("gcp", IDP).boundServiceAccounts(email).build());
        return AkeylessAuth.gcp(accessId, CloudAuthSettings.GCP_AUDIENCE,
            TestGateway.identityToken(() -> IDP.gcp(email).sign()));
      }
    },
    AZURE_AD("azure_ad", 0) {
      @Override
      AkeylessAuth setUp(TestGateway gw) {
        String accessId = gw.gateway.createCloudAuthMethod(
            CloudAuthSettings.azureAd("azure", "tenant-1", IDP).boundObjectIds("object-1").build());
        return AkeylessAuth.azureAd(accessId,
            TestGateway.identityToken(() -> IDP.azure("tenant-1", "object-1").sign()));
      }
    };

    final String wireName;
    final long challenges;

    AccessType(String wireName, long challenges) {
      this.wireName = wireName;
      this.challenges = challenges;
    }

    abstract AkeylessAuth setUp(TestGateway gw);

    private static String certMethod(TestGateway gw, String name) {
      return gw.gateway.createCertAuthMethod(CertAuthSettings.builder(name, TestPki.ROOT)
          .boundCommonNames("spire-server-*").build());
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(AccessType.class)
  void authenticatesThenGetsAPkiCertificateWithTheToken(AccessType type) throws Exception {
    try (TestGateway gw = new TestGateway(CLOCK, Duration.ofHours(1))) {
      PkiIssuer issuer = gw.gateway.createPkiIssuer(PkiIssuerSettings.builder("workloads", Duration.ofHours(1))
          .notRequireCn(true).allowedUriSans("spiffe://example.org/*").clientFlag(true).build());
      AkeylessAuth auth = type.setUp(gw);
      assertEquals(type.wireName, auth.accessType());

      try (AkeylessClient client = gw.open(auth)) {
        AkeylessToken token = SuiteSecrets.observeToString(client.token());
        IssuedCertificate issued = SuiteSecrets.observeToString(client.getPkiCertificate(
            PkiCertificateRequest.builder("workloads").csr(TestPki.caCsr(WORKLOAD_KEY, WORKLOAD_ID)).ttl(TTL)
                .build()));

        issued.leaf().verify(issuer.certificate().getPublicKey());
        assertEquals(WORKLOAD_KEY.getPublic(), issued.leaf().getPublicKey());
        assertEquals(List.of(List.of(6, WORKLOAD_ID)), List.copyOf(issued.leaf().getSubjectAlternativeNames()));
        assertEquals(TTL.toMillis(), issued.leaf().getNotAfter().getTime() - issued.leaf().getNotBefore().getTime());
        assertEquals(List.of(), issued.intermediates());
        assertEquals(List.of(issuer.rootCertificate()), issued.roots());
        assertEquals(token.reveal(), client.token().reveal(), "the issuance used the token from /auth");
      }
      assertEquals(1, gw.gateway.requestCount(Op.AUTH));
      assertEquals(type.challenges, gw.gateway.requestCount(Op.GET_CERT_CHALLENGE));
      assertEquals(1, gw.gateway.requestCount(Op.GET_PKI_CERTIFICATE));
      for (RequestRecord request : gw.gateway.requests()) {
        assertEquals(200, request.status(), request::toString);
        assertTrue(request.path().startsWith("/api/v2/"), request::toString);
      }
    }
  }
}
