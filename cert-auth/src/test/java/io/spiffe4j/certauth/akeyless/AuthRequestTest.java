package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static io.spiffe4j.certauth.akeyless.StubGateway.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.CertAuthException;
import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.akeyless.StubGateway.Recorded;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exact {@code /auth} (and {@code /get-cert-challenge}) bodies of every access type. */
class AuthRequestTest {
  private final StubGateway gateway = StubGateway.http()
      .on("auth", request -> Reply.ok("token", "t-abc", "expiration", "2099-01-01T00:00:00Z"));

  @AfterEach
  void stop() {
    gateway.close();
  }

  private JsonNode authenticate(AkeylessAuth auth) {
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
      assertEquals("t-abc", client.token().reveal());
    }
    List<Recorded> auths = gateway.requests("auth");
    assertEquals(1, auths.size());
    Recorded request = auths.get(0);
    assertEquals("POST", request.method);
    assertEquals("/api/v2/auth", request.path);
    assertEquals("application/json", request.headers.getFirst("Content-Type"));
    assertEquals("application/json", request.headers.getFirst("Accept"));
    assertNull(request.headers.getFirst("Authorization"), "credentials travel in the body, not a header");
    return request.body;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void accessKey_sendsAccessIdAndKey() {
    JsonNode body = authenticate(AkeylessAuth.accessKey("p-key1", "ak-secret"));
    assertEquals(json("{'access-type':'access_key','access-id':'p-key1','access-key':'ak-secret'}"), body);
  }

  @Test
  void apiKey_isTheSameWithItsOwnAccessType() {
    JsonNode body = authenticate(AkeylessAuth.apiKey("p-key1", "ak-secret"));
    assertEquals(json("{'access-type':'api_key','access-id':'p-key1','access-key':'ak-secret'}"), body);
  }

  @Test
  void certificate_challengeMode_signsTheDecodedChallengeAndSendsItBase64() {
    KeyPair key = TestPki.ecKey(10);
    X509Certificate certificate = TestPki.clientCertificate(key, "client");
    assertChallengeFlow(key, certificate);
  }

  @Test
  void certificate_challengeMode_withRsaKey() {
    KeyPair key = TestPki.rsaKey();
    assertChallengeFlow(key, TestPki.clientCertificate(key, "rsa-client"));
  }

  private void assertChallengeFlow(KeyPair key, X509Certificate certificate) {
    byte[] challengeBytes = new byte[32];
    new java.security.SecureRandom().nextBytes(challengeBytes);
    String challenge = Base64.getEncoder().encodeToString(challengeBytes);
    String certData = base64(TestPki.pem(certificate, TestPki.ROOT));
    gateway.on("get-cert-challenge", request -> Reply.ok("challenge", challenge));
    AtomicReference<Boolean> verified = new AtomicReference<>();
    gateway.on("auth", request -> {
      // What a real gateway does: verify the signature over the decoded challenge with the certificate's key.
      String pem = new String(Base64.getDecoder().decode(request.get("cert-data").asText()), StandardCharsets.UTF_8);
      X509Certificate presented = Certificates.parsePem(pem).get(0);
      byte[] signature = Base64.getDecoder().decode(request.get("signed-cert-challenge").asText());
      verified.set(TestPki.verify(presented.getPublicKey(),
          Base64.getDecoder().decode(request.get("cert-challenge").asText()), signature));
      return verified.get() ? Reply.ok("token", "t-abc") : Reply.error(401, "bad signature");
    });

    JsonNode body = authenticate(AkeylessAuth.certificate("p-cert1",
        TestPki.clientCertificate(key, certificate, TestPki.ROOT)));

    assertTrue(verified.get(), "the stub verified the signature with the certificate's public key");
    JsonNode challengeRequest = gateway.requests("get-cert-challenge").get(0).body;
    assertEquals(json("{'access-id':'p-cert1','cert-data':'" + certData + "'}"), challengeRequest);
    String signed = body.get("signed-cert-challenge").asText();
    assertTrue(signed.matches("[A-Za-z0-9+/]+=*"), "standard base64");
    ObjectNode expected = (ObjectNode) json("{'access-type':'cert','access-id':'p-cert1','cert-data':'" + certData
        + "','cert-challenge':'" + challenge + "'}");
    expected.put("signed-cert-challenge", signed);
    assertEquals(expected, body);
  }

  @Test
  void certificate_wrongKey_isRefusedByTheStub() {
    KeyPair key = TestPki.ecKey(10);
    X509Certificate certificate = TestPki.clientCertificate(key, "client");
    gateway.on("get-cert-challenge", request -> Reply.ok("challenge", base64("0123456789abcdef")));
    gateway.on("auth", request -> {
      X509Certificate presented = Certificates.parsePem(new String(
          Base64.getDecoder().decode(request.get("cert-data").asText()), StandardCharsets.UTF_8)).get(0);
      boolean ok = TestPki.verify(presented.getPublicKey(),
          Base64.getDecoder().decode(request.get("cert-challenge").asText()),
          Base64.getDecoder().decode(request.get("signed-cert-challenge").asText()));
      return ok ? Reply.ok("token", "t-abc") : Reply.error(401, "signature mismatch");
    });
    // Right for the probe ClientCertificate signs when it is built, wrong afterwards: the gateway must refuse it.
    AtomicInteger signatures = new AtomicInteger();
    AkeylessAuth auth = AkeylessAuth.certificate("p-cert1", ClientCertificate.of(List.of(certificate),
        challenge -> TestPki.sign(signatures.getAndIncrement() == 0 ? key : TestPki.ecKey(11), challenge)));
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(AkeylessException.Kind.UNAUTHENTICATED, e.kind());
      assertEquals("signature mismatch", e.serverError().orElseThrow());
    }
  }

  @Test
  void certificate_signerFailure_isCredentialsError() {
    gateway.on("get-cert-challenge", request -> Reply.ok("challenge", base64("challenge")));
    KeyPair key = TestPki.ecKey(10);
    AtomicInteger signatures = new AtomicInteger();
    AkeylessAuth auth = AkeylessAuth.certificate("p-cert1", ClientCertificate.of(
        List.of(TestPki.clientCertificate(key, "client")), challenge -> {
          if (signatures.getAndIncrement() > 0) {
            throw new CertAuthException("the token is not present");
          }
          return TestPki.sign(key, challenge);
        }));
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(AkeylessException.Kind.CREDENTIALS, e.kind());
      assertTrue(e.getCause() instanceof CertAuthException);
      assertTrue(gateway.requests("auth").isEmpty());
    }
  }

  @Test
  void certificate_challengeThatIsNotBase64_isProtocolError() {
    gateway.on("get-cert-challenge", request -> Reply.ok("challenge", "not base64 at all!"));
    KeyPair key = TestPki.ecKey(10);
    AkeylessAuth auth = AkeylessAuth.certificate("p-cert1",
        TestPki.clientCertificate(key, TestPki.clientCertificate(key, "client")));
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(AkeylessException.Kind.PROTOCOL, e.kind());
      assertEquals("get-cert-challenge", e.operation());
    }
  }

  @Test
  void certificateSendingPrivateKey_sendsKeyDataAsBase64OfPkcs8Pem() throws Exception {
    KeyPair key = TestPki.ecKey(10);
    X509Certificate certificate = TestPki.clientCertificate(key, "client");
    JsonNode body = authenticate(AkeylessAuth.certificateSendingPrivateKey("p-cert1", List.of(certificate),
        key.getPrivate()));
    String keyPem = new String(Base64.getDecoder().decode(body.get("key-data").asText()), StandardCharsets.US_ASCII);
    assertArrayEquals(key.getPrivate().getEncoded(), io.spiffe4j.internal.Pem.decode(keyPem).get(0).der());
    assertTrue(keyPem.startsWith("-----BEGIN PRIVATE KEY-----"));
    ObjectNode expected = (ObjectNode) json("{'access-type':'cert','access-id':'p-cert1','cert-data':'"
        + base64(TestPki.pem(certificate)) + "'}");
    expected.put("key-data", body.get("key-data").asText());
    assertEquals(expected, body);
    assertTrue(gateway.requests("get-cert-challenge").isEmpty(), "key mode needs no challenge");
  }

  @Test
  void kubernetes_sendsTheTrimmedTokenBase64WithConfigAndGatewayUrl() {
    JsonNode body = authenticate(AkeylessAuth.kubernetes("p-k8s1", "my-k8s-config", () -> "  eyJhbGciOi.k8s.jwt\n",
        "https://gw.example:8000"));
    assertEquals(json("{'access-type':'k8s','access-id':'p-k8s1','k8s-auth-config-name':'my-k8s-config',"
        + "'k8s-service-account-token':'" + base64("eyJhbGciOi.k8s.jwt") + "',"
        + "'gateway-url':'https://gw.example:8000'}"), body);
  }

  @Test
  void kubernetes_readsTheServiceAccountTokenFile(@TempDir Path dir) throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "eyJ.file.token\n");
    JsonNode body = authenticate(AkeylessAuth.kubernetes("p-k8s1", "cfg",
        KubernetesServiceAccountToken.fromFile(token)));
    assertEquals(json("{'access-type':'k8s','access-id':'p-k8s1','k8s-auth-config-name':'cfg',"
        + "'k8s-service-account-token':'" + base64("eyJ.file.token") + "'}"), body);
  }

  @Test
  void kubernetes_missingTokenFile_isCredentialsError(@TempDir Path dir) {
    AkeylessAuth auth = AkeylessAuth.kubernetes("p-k8s1", "cfg",
        KubernetesServiceAccountToken.fromFile(dir.resolve("absent")));
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(AkeylessException.Kind.CREDENTIALS, e.kind());
      assertFalse(e.isRetryable());
      assertTrue(gateway.requests.isEmpty());
    }
  }

  @Test
  void kubernetes_defaultPathIsTheStandardMount() {
    assertEquals(Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token"),
        KubernetesServiceAccountToken.DEFAULT_PATH);
  }

  @Test
  void gcp_sendsBase64IdTokenAndAudience() {
    JsonNode body = authenticate(AkeylessAuth.gcp("p-gcp1", "my-audience", () -> "eyJ.gcp.idtoken"));
    assertEquals(json("{'access-type':'gcp','access-id':'p-gcp1','cloud-id':'" + base64("eyJ.gcp.idtoken")
        + "','gcp-audience':'my-audience'}"), body);
  }

  @Test
  void gcp_defaultSupplierAsksTheMetadataServer() {
    try (StubMetadata metadata = new StubMetadata(exchange -> {
      assertEquals("Google", exchange.getRequestHeaders().getFirst("Metadata-Flavor"));
      return "eyJ.from.metadata\n";
    })) {
      JsonNode body = authenticate(AkeylessAuth.gcp("p-gcp1", "akeyless.io",
          GcpIdentityToken.forAudience("akeyless.io").withMetadataUrl(metadata.url())));
      assertEquals(base64("eyJ.from.metadata"), body.get("cloud-id").asText());
      assertEquals("akeyless.io", body.get("gcp-audience").asText());
      assertEquals("/computeMetadata/v1/instance/service-accounts/default/identity", metadata.lastPath());
      assertEquals("audience=akeyless.io&format=full", metadata.lastQuery());
    }
  }

  @Test
  void gcp_defaultAudienceIsAkeylessIo() {
    assertEquals("akeyless.io", GcpIdentityToken.DEFAULT_AUDIENCE);
    JsonNode body = authenticate(AkeylessAuth.gcp("p-gcp1", GcpIdentityToken.DEFAULT_AUDIENCE, () -> "eyJ.t"));
    assertEquals("akeyless.io", body.get("gcp-audience").asText());
  }

  @Test
  void gcp_metadataServerRefusing_isCredentialsError() {
    try (StubMetadata metadata = new StubMetadata(exchange -> null)) {
      AkeylessAuth auth = AkeylessAuth.gcp("p-gcp1", "akeyless.io",
          GcpIdentityToken.forAudience("akeyless.io").withMetadataUrl(metadata.url()));
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
        AkeylessException e = assertThrows(AkeylessException.class, client::token);
        assertEquals(AkeylessException.Kind.CREDENTIALS, e.kind());
        assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
      }
    }
  }

  @Test
  void azureAd_sendsBase64AccessToken() {
    JsonNode body = authenticate(AkeylessAuth.azureAd("p-az1", () -> "eyJ.azure.token"));
    assertEquals(json("{'access-type':'azure_ad','access-id':'p-az1','cloud-id':'" + base64("eyJ.azure.token")
        + "'}"), body);
  }

  @Test
  void azureAd_defaultSupplierAsksImdsForTheManagementResource() {
    try (StubMetadata imds = new StubMetadata(exchange -> {
      assertEquals("true", exchange.getRequestHeaders().getFirst("Metadata"));
      return "{\"access_token\":\"eyJ.from.imds\",\"expires_in\":\"3599\",\"token_type\":\"Bearer\"}";
    })) {
      JsonNode body = authenticate(AkeylessAuth.azureAd("p-az1",
          AzureManagedIdentityToken.forManagement().withObjectId("oid-123").withImdsUrl(imds.url())));
      assertEquals(base64("eyJ.from.imds"), body.get("cloud-id").asText());
      assertEquals("/metadata/identity/oauth2/token", imds.lastPath());
      assertEquals("api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F&object_id=oid-123",
          imds.lastQuery());
    }
  }

  @Test
  void azureAd_imdsAnswerWithoutToken_isCredentialsError() {
    try (StubMetadata imds = new StubMetadata(exchange -> "{\"error\":\"identity not found\"}")) {
      AkeylessAuth auth = AkeylessAuth.azureAd("p-az1", AzureManagedIdentityToken.forManagement()
          .withImdsUrl(imds.url()));
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
        assertEquals(AkeylessException.Kind.CREDENTIALS,
            assertThrows(AkeylessException.class, client::token).kind());
      }
    }
  }

  @Test
  void supplierThrowingAnything_isCredentialsError() {
    AkeylessAuth auth = AkeylessAuth.azureAd("p-az1", () -> {
      throw new IllegalStateException("no identity");
    });
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(AkeylessException.Kind.CREDENTIALS, e.kind());
    }
  }

  @Test
  void metadataUrlsMustBePlainBases() {
    assertThrows(IllegalArgumentException.class,
        () -> GcpIdentityToken.forAudience("a").withMetadataUrl(URI.create("file:///tmp")));
    assertThrows(IllegalArgumentException.class,
        () -> AzureManagedIdentityToken.forManagement().withImdsUrl(URI.create("http://169.254.169.254/?x=1")));
  }

  @Test
  void factoriesRejectMissingArguments() {
    assertThrows(NullPointerException.class, () -> AkeylessAuth.accessKey(null, "k"));
    assertThrows(IllegalArgumentException.class, () -> AkeylessAuth.accessKey("p-1", " "));
    assertThrows(NullPointerException.class, () -> AkeylessAuth.certificate("p-1", null));
    assertThrows(CertAuthException.class, () -> AkeylessAuth.certificateSendingPrivateKey("p-1",
        List.of(TestPki.clientCertificate(TestPki.ecKey(10), "client")), TestPki.ecKey(11).getPrivate()));
    assertThrows(IllegalArgumentException.class, () -> AkeylessAuth.kubernetes("p-1", "", () -> "t"));
  }
}
