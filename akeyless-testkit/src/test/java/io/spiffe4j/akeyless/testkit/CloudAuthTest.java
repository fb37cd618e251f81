package io.spiffe4j.akeyless.testkit;

import static io.spiffe4j.akeyless.testkit.GatewayHttp.body;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Kubernetes, GCP and Azure AD authentication with tokens from the test identity provider. */
class CloudAuthTest {
  private static final MutableClock CLOCK = MutableClock.at(Fixtures.START);
  private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
  private static final String OBJECT_ID = "5f3a4c1e-0b7e-4f0e-9a3c-3c2d1e0f9a8b";
  private static final TestIdentityProvider IDP = TestIdentityProvider.builder().clock(CLOCK).build();
  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static String k8s;
  private static String gcp;
  private static String azure;

  @BeforeAll
  static void start() {
    gateway = AkeylessGateway.builder().clock(CLOCK).start();
    http = new GatewayHttp(gateway);
    k8s = gateway.createCloudAuthMethod(CloudAuthSettings.kubernetes("k8s", "cluster-1", IDP)
        .boundNamespaces("spire").boundServiceAccountNames("spire-server").build());
    gcp = gateway.createCloudAuthMethod(CloudAuthSettings.gcp("gcp", IDP)
        .boundServiceAccounts("spire@project.iam.gserviceaccount.com").build());
    azure = gateway.createCloudAuthMethod(CloudAuthSettings.azureAd("azure", TENANT, IDP)
        .boundObjectIds(OBJECT_ID).build());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void resetClock() {
    CLOCK.set(Fixtures.START);
  }

  private static GatewayHttp.Reply k8sAuth(String configName, String encodedToken) {
    return http.post("auth", body("access-type", "k8s", "access-id", k8s, "k8s-auth-config-name", configName,
        "k8s-service-account-token", encodedToken, "gcp-audience", "akeyless.io", "azure-cloud", "AzureCloud"));
  }

  private static GatewayHttp.Reply cloudAuth(String accessType, String accessId, String cloudId) {
    return http.post("auth", body("access-type", accessType, "access-id", accessId, "cloud-id", cloudId,
        "gcp-audience", "akeyless.io"));
  }

  private static TestIdentityProvider.TokenBuilder serviceAccount() {
    return IDP.kubernetes("spire", "spire-server");
  }

  @Test
  void kubernetesServiceAccountTokenIsAccepted() {
    k8sAuth("cluster-1", serviceAccount().signBase64()).assertOk();
  }

  @Test
  void kubernetesTokenChecksLikeTokenReview() {
    k8sAuth("cluster-1", serviceAccount().expired().signBase64()).assertError(401, "token has expired");
    k8sAuth("cluster-1", serviceAccount().audience("https://other.example").signBase64())
        .assertError(401, "token audience does not include");
    k8sAuth("cluster-1", serviceAccount().issuer("https://evil.example").signBase64())
        .assertError(401, "token issuer is not the auth method's issuer");
    k8sAuth("cluster-1", serviceAccount().signedByAnotherKey().signBase64())
        .assertError(401, "token signature does not verify");
    k8sAuth("cluster-1", serviceAccount().keyId("unknown-kid").signBase64())
        .assertError(401, "token signature does not verify");
    k8sAuth("cluster-1", serviceAccount().withoutExpiry().signBase64()).assertError(401, "token has no expiry");
    k8sAuth("cluster-1", serviceAccount().notBefore(Fixtures.START.plusSeconds(60)).signBase64())
        .assertError(401, "token is not yet valid");
    k8sAuth("cluster-1", IDP.kubernetes("default", "spire-server").signBase64())
        .assertError(401, "namespace is not bound");
    k8sAuth("cluster-1", IDP.kubernetes("spire", "spire-agent").signBase64())
        .assertError(401, "service account name is not bound");
    k8sAuth("cluster-1", serviceAccount().subject("alice").signBase64())
        .assertError(401, "token is not for a service account");
  }

  @Test
  void kubernetesTokenExpiresByTheGatewayClock() {
    String token = serviceAccount().expiresIn(Duration.ofMinutes(10)).signBase64();
    k8sAuth("cluster-1", token).assertOk();
    CLOCK.advance(Duration.ofMinutes(10));
    k8sAuth("cluster-1", token).assertError(401, "token has expired");
  }

  @Test
  void kubernetesRequestMustNameTheConfigAndCarryBase64() {
    k8sAuth("cluster-2", serviceAccount().signBase64()).assertError(401, "k8s-auth-config-name does not name");
    http.post("auth", body("access-type", "k8s", "access-id", k8s, "k8s-service-account-token",
        serviceAccount().signBase64())).assertError(401, "k8s-auth-config-name is required");
    k8sAuth("cluster-1", serviceAccount().sign())
        .assertError(401, "k8s-service-account-token must be the base64 of the token");
    k8sAuth("cluster-1", Fixtures.b64("not.a.jwt")).assertError(401, "is not a signed JWT");
  }

  @Test
  void unsignedAndHmacTokensAreRefused() throws Exception {
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(CloudAuthSettings.KUBERNETES_ISSUER)
        .audience(CloudAuthSettings.KUBERNETES_AUDIENCE).subject("system:serviceaccount:spire:spire-server")
        .expirationTime(Date.from(Fixtures.START.plusSeconds(600))).build();
    String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes(
        StandardCharsets.UTF_8)) + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    k8sAuth("cluster-1", Fixtures.b64(unsigned)).assertError(401, "is not a signed JWT");
    SignedJWT hmac = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(IDP.keyId()).build(), claims);
    hmac.sign(new MACSigner(new byte[32]));
    k8sAuth("cluster-1", Fixtures.b64(hmac.serialize())).assertError(401, "token algorithm is not accepted");
  }

  @Test
  void gcpIdTokenIsAcceptedAndChecked() {
    String email = "spire@project.iam.gserviceaccount.com";
    cloudAuth("gcp", gcp, IDP.gcp(email).signBase64()).assertOk();
    cloudAuth("gcp", gcp, IDP.gcp(email).issuer("accounts.google.com").signBase64()).assertOk();
    cloudAuth("gcp", gcp, IDP.gcp(email).audience("https://other.example").signBase64())
        .assertError(401, "token audience does not include akeyless.io");
    cloudAuth("gcp", gcp, IDP.gcp(email).issuer("https://evil.example").signBase64())
        .assertError(401, "token issuer");
    cloudAuth("gcp", gcp, IDP.gcp(email).expired().signBase64()).assertError(401, "token has expired");
    cloudAuth("gcp", gcp, IDP.gcp(email).signedByAnotherKey().signBase64())
        .assertError(401, "token signature does not verify");
    cloudAuth("gcp", gcp, IDP.gcp("intruder@project.iam.gserviceaccount.com").signBase64())
        .assertError(401, "token email is not a bound service account");
  }

  @Test
  void gcpAudienceIsConfigurable() {
    String custom = gateway.createCloudAuthMethod(CloudAuthSettings.gcp("gcp-custom", IDP).audience("my-gateway")
        .build());
    cloudAuth("gcp", custom, IDP.gcp("a@b.c").audience("my-gateway").signBase64()).assertOk();
    cloudAuth("gcp", custom, IDP.gcp("a@b.c").signBase64()).assertError(401, "audience does not include my-gateway");
  }

  @Test
  void azureAccessTokenIsAcceptedAndChecked() {
    cloudAuth("azure_ad", azure, IDP.azure(TENANT, OBJECT_ID).signBase64()).assertOk();
    cloudAuth("azure_ad", azure, IDP.azure(TENANT, OBJECT_ID).audience("https://graph.microsoft.com/").signBase64())
        .assertError(401, "audience does not include https://management.azure.com/");
    cloudAuth("azure_ad", azure, IDP.azure("another-tenant", OBJECT_ID).signBase64())
        .assertError(401, "token issuer is not the auth method's issuer");
    cloudAuth("azure_ad", azure, IDP.azure(TENANT, OBJECT_ID).claim("tid", "another-tenant").signBase64())
        .assertError(401, "token tenant");
    cloudAuth("azure_ad", azure, IDP.azure(TENANT, "another-object").signBase64())
        .assertError(401, "token object id is not bound");
    cloudAuth("azure_ad", azure, IDP.azure(TENANT, OBJECT_ID).expired().signBase64())
        .assertError(401, "token has expired");
    cloudAuth("azure_ad", azure, IDP.azure(TENANT, OBJECT_ID).signedByAnotherKey().signBase64())
        .assertError(401, "token signature does not verify");
  }

  @Test
  void aTokenForOneKindIsNotAcceptedByAnother() {
    cloudAuth("gcp", azure, IDP.azure(TENANT, OBJECT_ID).signBase64()).assertError(401, "access-type does not match");
    cloudAuth("azure_ad", gcp, IDP.gcp("spire@project.iam.gserviceaccount.com").signBase64())
        .assertError(401, "access-type does not match");
  }

  @Test
  void ecProvidersAndTheirJwksWork() throws Exception {
    TestIdentityProvider ec = TestIdentityProvider.builder().keyAlgorithm(KeyAlgorithm.EC_P256).clock(CLOCK)
        .keyId("ec-1").build();
    String accessId = gateway.createCloudAuthMethod(CloudAuthSettings.gcp("gcp-ec", ec).build());
    cloudAuth("gcp", accessId, ec.gcp("x@y.z").signBase64()).assertOk();
    cloudAuth("gcp", accessId, IDP.gcp("x@y.z").signBase64()).assertError(401, "token signature does not verify");
    JsonNode jwks = GatewayHttp.JSON.readTree(ec.jwksJson());
    assertTrue(jwks.at("/keys/0/kid").asText().equals("ec-1") && jwks.at("/keys/0/crv").asText().equals("P-256"));
    assertTrue(jwks.at("/keys/0/d").isMissingNode(), "the JWKS is public");
  }
}
