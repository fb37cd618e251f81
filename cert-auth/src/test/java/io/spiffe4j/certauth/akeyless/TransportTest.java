package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Gateway URLs, TLS with a private CA, and answers that are not the Akeyless API. */
class TransportTest {

  private static String authOnce(StubGateway gateway, String url) {
    gateway.on("auth", request -> Reply.ok("token", "t-url"));
    try (AkeylessClient client = AkeylessClient.builder(url, AkeylessAuth.accessKey("p-1", "ak"))
        .retryPolicy(RetryPolicy.none()).build()) {
      client.token();
    }
    return gateway.requests("auth").get(0).path;
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v2", "/v2", ""})
  void gatewayBase_isUsedAsGiven(String basePath) {
    try (StubGateway gateway = StubGateway.http(basePath)) {
      String base = "http://127.0.0.1:" + gateway.port() + basePath;
      assertEquals(basePath + "/auth", authOnce(gateway, base));
    }
  }

  @Test
  void trailingSlashes_areDropped() {
    try (StubGateway gateway = StubGateway.http("/api/v2")) {
      assertEquals("/api/v2/auth", authOnce(gateway, gateway.url() + "//"));
    }
  }

  @Test
  void saasStyleUrl_isAccepted() {
    assertEquals("https://api.akeyless.io", GatewayUrl.parse("https://api.akeyless.io/").toString());
    assertEquals("https://gw:8081/auth", GatewayUrl.parse("https://gw:8081").operation("auth").toString());
    assertEquals("https://gw:8080/v2/get-pki-certificate",
        GatewayUrl.parse("HTTPS://gw:8080/v2").operation("get-pki-certificate").toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://gw/api/v2", "gw:8000", "https:///api/v2", "https://gw:8000/api/v2?x=1",
      "https://gw:8000/api/v2#frag", "https://user:secret@gw:8000", "not a url", "file:///etc/passwd", ""})
  void badGatewayUrls_areInvalidInput(String url) {
    AkeylessException e = assertThrows(AkeylessException.class,
        () -> AkeylessClient.builder(url, AkeylessAuth.accessKey("p-1", "ak")));
    assertEquals(Kind.INVALID_INPUT, e.kind());
    assertFalse(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void https_withTheGatewaysCa_works() {
    TestPki.Server server = new TestPki.Server(50);
    try (StubGateway gateway = StubGateway.https(server.context)) {
      gateway.on("auth", request -> Reply.ok("token", "t-tls"));
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
          .trustedCertificates(List.of(server.root)).build()) {
        assertEquals("t-tls", client.token().reveal());
      }
    }
  }

  @Test
  void https_withCaBundleFile_works(@TempDir Path dir) throws Exception {
    TestPki.Server server = new TestPki.Server(50);
    Path bundle = dir.resolve("gateway-ca.pem");
    Files.writeString(bundle, "# the gateway CA\n" + TestPki.pem(server.root), StandardCharsets.US_ASCII);
    try (StubGateway gateway = StubGateway.https(server.context)) {
      gateway.on("auth", request -> Reply.ok("token", "t-tls"));
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
          .caBundle(bundle).build()) {
        assertEquals("t-tls", client.token().reveal());
      }
    }
  }

  @Test
  void https_untrustedGateway_isTlsErrorAndNotRetried() {
    TestPki.Server server = new TestPki.Server(50);
    TestPki.Server other = new TestPki.Server(52);
    try (StubGateway gateway = StubGateway.https(server.context)) {
      gateway.on("auth", request -> Reply.ok("token", "t-tls"));
      FakeTime time = new FakeTime();
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
          .trustedCertificates(List.of(other.root)).clock(time).sleeper(time).build()) {
        AkeylessException e = assertThrows(AkeylessException.class, client::token);
        assertEquals(Kind.TLS, e.kind());
        assertFalse(e.isRetryable());
        assertTrue(time.sleeps.isEmpty());
      }
      assertTrue(gateway.requests.isEmpty());
    }
  }

  @Test
  void caBundleProblems_areInvalidInput(@TempDir Path dir) throws Exception {
    Path empty = dir.resolve("empty.pem");
    Files.writeString(empty, "nothing here");
    Path broken = dir.resolve("broken.pem");
    Files.writeString(broken, "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n");
    for (Path bundle : List.of(dir.resolve("absent.pem"), empty, broken, dir)) {
      AkeylessException e = assertThrows(AkeylessException.class, () -> AkeylessClient.builder("https://gw",
          AkeylessAuth.accessKey("p-1", "ak")).caBundle(bundle).build(), bundle.toString());
      assertEquals(Kind.INVALID_INPUT, e.kind());
    }
  }

  @Test
  void onlyOneTlsChoice() {
    assertThrows(IllegalStateException.class, () -> AkeylessClient.builder("https://gw",
        AkeylessAuth.accessKey("p-1", "ak")).trustedCertificates(List.of(TestPki.ROOT)).caBundle(Path.of("x"))
        .build());
  }

  private static AkeylessException authFailure(Reply reply) {
    try (StubGateway gateway = StubGateway.http()) {
      gateway.on("auth", request -> reply);
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
          .retryPolicy(RetryPolicy.none()).build()) {
        return assertThrows(AkeylessException.class, client::token);
      }
    }
  }

  private static Reply reply(int status, String contentType, String body) {
    return new Reply(status, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void nonJsonAnswers_areProtocolErrors() {
    List<Reply> answers = List.of(
        reply(200, "application/json", "not json"),
        reply(200, "application/json", ""),
        reply(200, null, ""),
        reply(200, "text/html", "<html><body>Login</body></html>"),
        reply(200, "text/html", "{\"token\":\"t-html\"}"),
        reply(200, "application/json", "[\"token\"]"),
        reply(200, "application/json", "\"t-1\""),
        reply(200, "application/json", "{\"token\":\"t-1\"} trailing"),
        reply(200, "application/json", "{\"token\":\"\"}"),
        reply(200, "application/json", "{\"token\":null}"),
        reply(200, "application/json", "{\"token\":{\"value\":\"t\"}}"),
        reply(200, "application/json", "{\"tokens\":\"t-1\"}"),
        reply(302, "text/html", "moved"),
        reply(204, null, ""));
    for (Reply answer : answers) {
      AkeylessException e = authFailure(answer);
      assertEquals(Kind.PROTOCOL, e.kind(), new String(answer.body, StandardCharsets.UTF_8));
      assertEquals("auth", e.operation());
    }
  }

  @Test
  void jsonWithoutContentType_isAccepted() {
    try (StubGateway gateway = StubGateway.http()) {
      gateway.on("auth", request -> reply(200, null, "{\"token\":\"t-bare\"}"));
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
          .build()) {
        assertEquals("t-bare", client.token().reveal());
      }
    }
  }

  @Test
  void jsonWithCharsetParameter_isAccepted() {
    try (StubGateway gateway = StubGateway.http()) {
      gateway.on("auth", request -> reply(200, "application/json; charset=utf-8", "{\"token\":\"t-cs\"}"));
      try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
          .build()) {
        assertEquals("t-cs", client.token().reveal());
      }
    }
  }

  @Test
  void errorWithHtmlBody_keepsTheStatusButNoServerText() {
    AkeylessException e = authFailure(reply(502, "text/html", "<html>Bad Gateway</html>"));
    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertEquals(502, e.httpStatus().getAsInt());
    assertTrue(e.serverError().isEmpty());
    assertFalse(e.getMessage().contains("html"), e.getMessage());
  }

  @Test
  void serverErrorText_isTrimmedCleanedAndBounded() {
    String longText = "  line one\nline\ttwo\u0000 " + "x".repeat(1000) + "  ";
    AkeylessException e = authFailure(Reply.error(401, longText));
    String text = e.serverError().orElseThrow();
    assertTrue(text.startsWith("line one line two  x"), text);
    assertEquals(AkeylessException.MAX_SERVER_ERROR_LENGTH + 3, text.length());
    assertTrue(text.endsWith("..."));
    assertTrue(e.getMessage().length() < 500);
  }

  @Test
  void hugeAnswer_isProtocolError() {
    String huge = "{\"token\":\"t-1\",\"pad\":\"" + "a".repeat(Transport.MAX_ANSWER_BYTES) + "\"}";
    AkeylessException e = authFailure(reply(200, "application/json", huge));
    assertEquals(Kind.PROTOCOL, e.kind());
  }

  @Test
  void unknownOperationPath_answers404AsNotFound() {
    try (StubGateway gateway = StubGateway.http("/api/v2")) {
      gateway.on("auth", request -> Reply.ok("token", "t"));
      String wrongBase = "http://127.0.0.1:" + gateway.port() + "/wrong";
      try (AkeylessClient client = AkeylessClient.builder(wrongBase, AkeylessAuth.accessKey("p-1", "ak"))
          .build()) {
        assertEquals(Kind.NOT_FOUND, assertThrows(AkeylessException.class, client::token).kind());
      }
    }
  }
}
