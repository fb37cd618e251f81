package io.spiffe4j.akeyless.testkit;

import static io.spiffe4j.akeyless.testkit.GatewayHttp.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths, methods, HTTPS, the HTTP set-up operations, fault injection and the request log. */
class HttpSurfaceTest {
  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static AccessKeyCredentials credentials;

  @BeforeAll
  static void start() {
    gateway = AkeylessGateway.builder().start();
    http = new GatewayHttp(gateway);
    credentials = gateway.createAccessKeyAuthMethod("surface");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void reset() {
    gateway.faults().reset();
    gateway.clearRequests();
  }

  private static String login() {
    return "{\"access-id\":\"" + credentials.accessId() + "\",\"access-key\":\"" + credentials.accessKey() + "\"}";
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v2/auth", "/v2/auth", "/auth"})
  void operationsAreServedUnderEveryPrefix(String path) {
    GatewayHttp.Reply reply = http.send(gateway.origin().resolve(path), "POST", login()).assertOk();
    assertTrue(reply.text("token").startsWith("t-"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v2/list-items", "/api/v2/", "/", "/api/v2/auth/", "/v3/auth", "/api/v2/auth/x"})
  void unknownPathsAre404Json(String path) {
    http.send(gateway.origin().resolve(path), "POST", login()).assertError(404, "no such operation");
  }

  @ParameterizedTest
  @ValueSource(strings = {"GET", "PUT", "DELETE"})
  void otherMethodsAre405Json(String method) throws Exception {
    http.send(URI.create(gateway.url() + "/auth"), method, method.equals("GET") ? null : login())
        .assertError(405, "use POST");
    HttpResponse<String> raw = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(gateway.url() + "/get-cert-challenge")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals("POST", raw.headers().firstValue("Allow").orElse(""));
  }

  @Test
  void malformedBodiesGetEachOperationsStatus() {
    for (String bad : new String[] {"{", "[]", "\"text\"", "", "{\"a\":1} trailing", "null"}) {
      http.send(URI.create(gateway.url() + "/auth"), "POST", bad).assertError(401, "request body");
      http.send(URI.create(gateway.url() + "/get-cert-challenge"), "POST", bad).assertError(400, "request body");
      http.send(URI.create(gateway.url() + "/get-pki-certificate"), "POST", bad).assertError(400, "request body");
      http.send(URI.create(gateway.url() + "/create-pki-cert-issuer"), "POST", bad).assertError(400, "request body");
    }
    http.post("auth", body("access-id", List.of("a"), "access-key", "x")).assertError(401, "must be a string");
  }

  @Test
  void oversizedBodiesAre413() {
    String huge = "{\"access-id\":\"" + "x".repeat((1 << 20) + 1) + "\"}";
    http.send(URI.create(gateway.url() + "/auth"), "POST", huge).assertError(413, "larger than");
  }

  @Test
  void httpsWithTheExportedCa() throws Exception {
    try (AkeylessGateway tls = AkeylessGateway.builder().https(true).start()) {
      assertTrue(tls.url().toString().startsWith("https://127.0.0.1:"));
      AccessKeyCredentials access = tls.createAccessKeyAuthMethod("tls");
      new GatewayHttp(tls).post("auth", body("access-id", access.accessId(), "access-key", access.accessKey()))
          .assertOk();
      // A client that only has the PEM, as a user configuring a trust store file would.
      X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
          new ByteArrayInputStream(tls.tlsCaPem().getBytes(StandardCharsets.US_ASCII)));
      assertEquals(tls.tlsCaCertificate(), ca);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      HttpRequest request = HttpRequest.newBuilder(URI.create(tls.url() + "/auth"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"access-id\":\"" + access.accessId()
              + "\",\"access-key\":\"" + access.accessKey() + "\"}")).build();
      assertEquals(200, HttpClient.newBuilder().sslContext(context).build()
          .send(request, HttpResponse.BodyHandlers.ofString()).statusCode());
      assertThrows(IOException.class, () -> HttpClient.newHttpClient().send(request,
          HttpResponse.BodyHandlers.ofString()), "the system trust store does not know the gateway's CA");
    }
    assertThrows(IllegalStateException.class, () -> gateway.tlsCaCertificate());
  }

  @Test
  void setUpOperationsOverHttpNeedAToken() throws Exception {
    String token = gateway.issueToken();
    http.post("create-pki-cert-issuer", body("token", token, "name", "http-issuer", "ttl", "24h", "is-ca", true,
        "max-path-len", 0, "key-usage", "CertSign,CRLSign", "not-require-cn", "true",
        "allowed-uri-sans", "spiffe://example.org,spiffe://example.org/*", "delete_protection", "false",
        "tag", List.of("a"))).assertOk();
    assertEquals("second", http.post("create-pki-cert-issuer", body("token", token, "name", "/second",
        "ttl", 60)).assertOk().text("name"));
    http.post("create-pki-cert-issuer", body("name", "x", "ttl", "60")).assertError(401, "token");
    http.post("create-pki-cert-issuer", body("token", token, "name", "http-issuer", "ttl", "60"))
        .assertError(409, "already exists");
    http.post("create-pki-cert-issuer", body("token", token, "name", "no-ttl")).assertError(400, "ttl is required");
    http.post("create-pki-cert-issuer", body("token", token, "name", "bad-usage", "ttl", "60",
        "key-usage", "Everything")).assertError(400, "unknown key usage");
    KeyPair csrKey = Fixtures.key(KeyAlgorithm.EC_P256, 2);
    String data = http.post("get-pki-certificate", body("token", token, "cert-issuer-name", "http-issuer",
        "csr-data-base64", Fixtures.b64(Fixtures.csrPem(Fixtures.csr(csrKey, "O=SPIFFE",
            new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org")))), "ttl", "3600"))
        .assertOk().text("data");
    X509Certificate issued = PkiCertificateTest.single(data);
    assertEquals(0, issued.getBasicConstraints());
    issued.verify(gateway.pkiIssuer("http-issuer").orElseThrow().rootCertificate().getPublicKey());
  }

  @Test
  void certAuthMethodsCanBeCreatedOverHttp() {
    Fixtures.ClientPki pki = new Fixtures.ClientPki();
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    String token = gateway.issueToken();
    GatewayHttp.Reply created = http.post("auth-method-create-cert", body("token", token, "name", "http-cert",
        "unique-identifier", "common_name", "certificate-data", GatewayHttp.certData(pki.root),
        "bound-common-names", List.of("client.*"), "bound-organizational-units", "spire,other",
        "access-expires", 0, "jwt-ttl", 0, "product-type", List.of("sm"))).assertOk();
    assertEquals(List.of("access_id", "name"), fieldNamesOf(created));
    http.certAuth(created.text("access_id"), key.getPrivate(), pki.leaf(key), pki.intermediate).assertOk();
    http.post("auth-method-create-cert", body("token", token, "name", "no-ca", "unique-identifier", "common_name"))
        .assertError(400, "certificate-data is required");
    http.post("auth-method-create-cert", body("token", token, "name", "bad-uid", "unique-identifier", "email",
        "certificate-data", GatewayHttp.certData(pki.root))).assertError(400, "unique-identifier must be");
    http.post("auth-method-create-cert", body("name", "no-token", "unique-identifier", "common_name",
        "certificate-data", GatewayHttp.certData(pki.root))).assertError(401, "token");
  }

  @Test
  void latencyDelaysAnswers() {
    gateway.faults().latency(Duration.ofMillis(300));
    long start = System.nanoTime();
    http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertOk();
    assertTrue(System.nanoTime() - start >= 300_000_000L);
  }

  @Test
  void failNextAnswersTheNextCallsWithTheStatusThenRecovers() {
    gateway.faults().failNext(2, 503);
    http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertError(503, "injected fault");
    http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertError(503, "injected fault");
    http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertOk();
    List<RequestRecord> records = gateway.requests();
    assertEquals(List.of(503, 503, 200), records.stream().map(RequestRecord::status).collect(Collectors.toList()));
    assertEquals(List.of(true, true, false),
        records.stream().map(RequestRecord::injected).collect(Collectors.toList()));
    assertEquals(3, gateway.requestCount(Op.AUTH));
  }

  @Test
  void failNextForOneOperationLeavesTheOthersAlone() {
    Fixtures.ClientPki pki = new Fixtures.ClientPki();
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    String accessId = gateway.createCertAuthMethod(CertAuthSettings.builder("faulty-cert", pki.root).build());
    X509Certificate leaf = pki.leaf(key);
    gateway.faults().failNext(Op.AUTH, 1, 502);
    String challenge = http.challenge(accessId, leaf, pki.intermediate).assertOk().text("challenge");
    String signed = Fixtures.b64(Fixtures.sign("SHA256withECDSA", key.getPrivate(),
        java.util.Base64.getDecoder().decode(challenge)));
    http.answerChallenge(accessId, challenge, signed, leaf, pki.intermediate).assertError(502, "injected fault");
    // The injected failure never reached the operation, so the challenge is still unused.
    http.answerChallenge(accessId, challenge, signed, leaf, pki.intermediate).assertOk();
    assertEquals(List.of(Op.GET_CERT_CHALLENGE, Op.AUTH, Op.AUTH),
        gateway.requests().stream().map(RequestRecord::op).collect(Collectors.toList()));
  }

  @Test
  void nonJsonAnswersCarryHtml() {
    gateway.faults().nonJsonNext(Op.AUTH, 1, 200).nonJsonNext(1, 502);
    GatewayHttp.Reply html = http.send(URI.create(gateway.url() + "/auth"), "POST", login());
    assertEquals(200, html.status);
    assertTrue(html.contentType.startsWith("text/html") && html.json == null && html.body.contains("<html>"));
    GatewayHttp.Reply proxyError = http.post("get-cert-challenge", body());
    assertEquals(502, proxyError.status);
    assertTrue(proxyError.contentType.startsWith("text/html"));
    http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertOk();
  }

  @Test
  void unknownFieldIsAddedToSuccessesOnly() {
    gateway.faults().unknownFieldInSuccess(true);
    GatewayHttp.Reply ok = http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertOk();
    assertTrue(ok.json.has(Faults.UNKNOWN_FIELD) && ok.json.has("token"));
    http.post("auth", body("access-id", "p-nope", "access-key", "x")).assertError(401, "unknown access id");
  }

  @Test
  void theRequestLogHoldsNoSecrets() {
    http.send(URI.create(gateway.url() + "/auth"), "POST", login()).assertOk();
    http.post("auth", body("access-id", credentials.accessId(), "access-key", "wrong")).assertError(401, "wrong");
    String log = gateway.requests().toString();
    assertFalse(log.contains(credentials.accessKey()) || log.contains("wrong\""), log);
    assertTrue(log.contains("POST /api/v2/auth -> 401 wrong access key"), log);
  }

  @Test
  void faultKnobsRefuseNonsense() {
    assertThrows(IllegalArgumentException.class, () -> gateway.faults().failNext(0, 503));
    assertThrows(IllegalArgumentException.class, () -> gateway.faults().failNext(1, 200));
    assertThrows(IllegalArgumentException.class, () -> gateway.faults().latency(Duration.ofMillis(-1)));
  }

  private static List<String> fieldNamesOf(GatewayHttp.Reply reply) {
    List<String> names = new java.util.ArrayList<>();
    reply.json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
