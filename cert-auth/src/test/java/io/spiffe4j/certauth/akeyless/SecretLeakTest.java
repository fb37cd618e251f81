package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spiffe4j.certauth.SuiteSecrets;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs succeeding and failing calls with distinctive secrets, against a gateway that echoes whole requests into
 * its error texts, and proves no secret reaches an exception message, a {@code toString()} or a log line (slf4j-simple
 * at DEBUG, read back from the suite's log file). The secrets are registered with {@link SuiteSecrets} too, so the
 * suite's final scan looks for them in everything else.
 */
class SecretLeakTest {
  private static final String ACCESS_KEY = SuiteSecrets.secret("stub access key", "AKSECRET-Zq7Wm3Lp9");
  private static final String TOKEN = SuiteSecrets.secret("stub token", "t-TOKSECRET-5b1f");
  private static final String K8S_TOKEN = SuiteSecrets.bearerToken("stub identity token", "eyJK8SSECRET.payload.sig");
  private static final String GCP_TOKEN = SuiteSecrets.bearerToken("stub identity token", "eyJGCPSECRET.payload.sig");
  private static final String AZURE_TOKEN = SuiteSecrets.bearerToken("stub identity token",
      "eyJAZURESECRET.payload.sig");
  private static final KeyPair KEY = TestPki.ecKey(70);
  private static final X509Certificate CERTIFICATE = TestPki.clientCertificate(KEY, "leak-test");

  private final StubGateway gateway = StubGateway.http();
  private final FakeTime time = new FakeTime();
  private final List<String> observed = new ArrayList<>();
  private long logMark;

  @BeforeEach
  void markLog() {
    logMark = SuiteSecrets.logMark();
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  /** Answers with an error that quotes the whole request body, as a careless gateway might. */
  private static Reply echo(int status, JsonNode request) {
    return Reply.error(status, "cannot process " + request);
  }

  private AkeylessClient client(AkeylessAuth auth) {
    AkeylessClient client = AkeylessClient.builder(gateway.url(), auth).clock(time).sleeper(time).build();
    observed.add(SuiteSecrets.observeToString(client).toString());
    observed.add(SuiteSecrets.observeToString(auth).toString());
    return client;
  }

  private void fails(AkeylessClient client, Runnable call) {
    AkeylessException e = assertThrows(AkeylessException.class, call::run);
    observe(e);
  }

  private void observe(Throwable e) {
    observed.addAll(SuiteSecrets.texts(e));
    if (e instanceof AkeylessException) {
      ((AkeylessException) e).serverError().ifPresent(observed::add);
    }
  }

  private static PkiCertificateRequest pki() {
    return PkiCertificateRequest.builder("issuer").csr(TestPki.csr(TestPki.ecKey(71), "leak"))
        .ttl(Duration.ofHours(1)).build();
  }

  @Test
  void noSecretInMessagesToStringsOrLogs() {
    List<String> secrets = new ArrayList<>(List.of(ACCESS_KEY, TOKEN, K8S_TOKEN, GCP_TOKEN, AZURE_TOKEN,
        b64(K8S_TOKEN), b64(GCP_TOKEN), b64(AZURE_TOKEN)));
    String keyDer = Base64.getEncoder().encodeToString(KEY.getPrivate().getEncoded());
    secrets.add(keyDer.substring(0, 48));
    secrets.add(keyDer.substring(keyDer.length() - 48));

    accessKeyFlows();
    secrets.addAll(certificateFlows());
    keyModeFlow();
    cloudFlows();

    observed.add(SuiteSecrets.logSince(logMark));
    String everything = String.join("\n", observed);
    assertTrue(everything.contains("akeyless auth attempt 1: HTTP 200"), "the DEBUG log was captured");
    assertTrue(everything.contains("retrying in"), "the WARN retry log was captured");
    assertTrue(everything.contains(ApiResponses.REDACTED), "echoed secrets were redacted");
    for (String secret : secrets) {
      assertFalse(everything.contains(secret), "a secret leaked: " + secret.substring(0, 6) + "...");
    }
  }

  private void accessKeyFlows() {
    gateway.on("auth", request -> Reply.ok("token", TOKEN, "expiration", "2099-01-01T00:00:00Z"));
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(
        TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1)))));
    try (AkeylessClient client = client(AkeylessAuth.accessKey("p-leak", ACCESS_KEY))) {
      AkeylessToken token = client.token();
      assertEquals(TOKEN, token.reveal());
      observed.add(SuiteSecrets.observeToString(token).toString());
      IssuedCertificate issued = client.getPkiCertificate(pki());
      observed.add(SuiteSecrets.observeToString(issued).toString());
      observed.add(SuiteSecrets.observeToString(pki()).toString());

      gateway.on("get-pki-certificate", request -> echo(401, request));
      fails(client, () -> client.getPkiCertificate(pki()));
      gateway.on("get-pki-certificate", request -> echo(503, request));
      fails(client, () -> client.getPkiCertificate(pki()));
      gateway.on("get-pki-certificate", request -> echo(400, request));
      fails(client, () -> client.getPkiCertificate(pki()));
    }
    gateway.on("auth", request -> echo(401, request));
    try (AkeylessClient client = client(AkeylessAuth.apiKey("p-leak", ACCESS_KEY))) {
      fails(client, client::token);
    }
    gateway.on("auth", request -> echo(500, request));
    try (AkeylessClient client = client(AkeylessAuth.accessKey("p-leak", ACCESS_KEY))) {
      fails(client, client::token);
    }
  }

  /** Returns the signed challenges sent, which are secrets too. */
  private List<String> certificateFlows() {
    gateway.on("get-cert-challenge", request -> Reply.ok("challenge", b64("challenge-" + System.nanoTime())));
    gateway.on("auth", request -> echo(401, request));
    try (AkeylessClient client = client(AkeylessAuth.certificate("p-cert",
        TestPki.clientCertificate(KEY, CERTIFICATE)))) {
      fails(client, client::token);
      gateway.on("auth", request -> Reply.ok("token", TOKEN));
      observed.add(SuiteSecrets.observeToString(client.token()).toString());
    }
    List<String> signatures = new ArrayList<>();
    gateway.requests("auth").stream().filter(r -> r.body.has("signed-cert-challenge"))
        .forEach(r -> signatures.add(SuiteSecrets.secret("signed challenge",
            r.body.get("signed-cert-challenge").asText())));
    assertEquals(2, signatures.size());
    return signatures;
  }

  private void keyModeFlow() {
    gateway.on("auth", request -> echo(401, request));
    try (AkeylessClient client = client(AkeylessAuth.certificateSendingPrivateKey("p-cert", List.of(CERTIFICATE),
        KEY.getPrivate()))) {
      fails(client, client::token);
    }
  }

  private void cloudFlows() {
    gateway.on("auth", request -> echo(401, request));
    for (AkeylessAuth auth : List.of(AkeylessAuth.kubernetes("p-k8s", "cfg", () -> K8S_TOKEN),
        AkeylessAuth.gcp("p-gcp", "akeyless.io", () -> GCP_TOKEN),
        AkeylessAuth.azureAd("p-az", () -> AZURE_TOKEN))) {
      try (AkeylessClient client = client(auth)) {
        fails(client, client::token);
      }
    }
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
