package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.CertificateMinter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code spiffe4j akeyless auth} against a stub gateway: only the token on stdout, errors on stderr. */
class AkeylessAuthCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCESS_KEY = "AKSECRET-cli-77";

  private HttpServer server;
  private final Map<String, Function<JsonNode, String[]>> handlers = new ConcurrentHashMap<>();
  private final List<JsonNode> requests = new CopyOnWriteArrayList<>();

  @TempDir
  Path dir;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v2/", exchange -> {
      try (exchange) {
        JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
        requests.add(body);
        String op = exchange.getRequestURI().getPath().substring("/api/v2/".length());
        String[] reply = handlers.getOrDefault(op, request -> new String[] {"404", "{\"error\":\"no\"}"})
            .apply(body);
        byte[] bytes = reply[1].getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(Integer.parseInt(reply[0]), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      }
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String gateway() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v2";
  }

  private Path accessKeyFile() throws IOException {
    Path file = dir.resolve("access-key");
    Files.writeString(file, ACCESS_KEY + "\n");
    return file;
  }

  @Test
  void accessKeyFromFile_printsOnlyTheToken() throws Exception {
    handlers.put("auth", request -> new String[] {"200", "{\"token\":\"t-cli-token\",\"expiration\":\"x\"}"});
    CliRunner run = CliRunner.run("akeyless", "auth", "--gateway", gateway(), "--access-id", "p-cli",
        "--access-key-file", accessKeyFile().toString());
    assertEquals(0, run.exitCode, run.err);
    assertEquals("t-cli-token\n", run.out);
    assertEquals("", run.err);
    assertEquals(JSON.readTree("{\"access-type\":\"access_key\",\"access-id\":\"p-cli\",\"access-key\":\""
        + ACCESS_KEY + "\"}"), requests.get(0));
  }

  @Test
  void apiKeyFromEnvironment() {
    // PATH is set wherever tests run; the stub checks that its value is what was sent as the key.
    String expected = System.getenv("PATH").strip();
    handlers.put("auth", request -> request.get("access-key").asText().equals(expected)
        && request.get("access-type").asText().equals("api_key")
        ? new String[] {"200", "{\"token\":\"t-env\"}"} : new String[] {"401", "{\"error\":\"wrong key\"}"});
    CliRunner run = CliRunner.run("akeyless", "auth", "--gateway", gateway(), "--access-id", "p-cli",
        "--access-type", "api_key", "--access-key-env", "PATH");
    assertEquals(0, run.exitCode, run.err);
    assertEquals("t-env\n", run.out);
  }

  @Test
  void certificate_signsTheChallengeWithTheKeyFile() throws Exception {
    KeyPair key = ecKey();
    X509Certificate certificate = CertificateMinter.x509Svid(key.getPublic(), SpiffeId.parse("spiffe://cli.test/c"))
        .issuedBy(selfSignedCa(), caKey.getPrivate()).sign(null);
    Path certFile = dir.resolve("cert.pem");
    Files.writeString(certFile, Pem.encode("CERTIFICATE", certificate.getEncoded()));
    Path keyFile = dir.resolve("key.pem");
    Files.writeString(keyFile, Pem.encode("PRIVATE KEY", key.getPrivate().getEncoded()));
    byte[] challenge = "a challenge of some bytes".getBytes(StandardCharsets.US_ASCII);
    handlers.put("get-cert-challenge", request -> new String[] {"200",
        "{\"challenge\":\"" + Base64.getEncoder().encodeToString(challenge) + "\"}"});
    handlers.put("auth", request -> verifies(key, challenge, request.get("signed-cert-challenge").asText())
        ? new String[] {"200", "{\"token\":\"t-cert\"}"} : new String[] {"401", "{\"error\":\"bad signature\"}"});

    CliRunner run = CliRunner.run("akeyless", "auth", "--gateway", gateway(), "--access-id", "p-cert",
        "--cert", certFile.toString(), "--key", keyFile.toString());

    assertEquals(0, run.exitCode, run.err);
    assertEquals("t-cert\n", run.out);
    JsonNode auth = requests.get(1);
    assertEquals("cert", auth.get("access-type").asText());
    assertEquals(Base64.getEncoder().encodeToString(Pem.encode("CERTIFICATE", certificate.getEncoded())
        .getBytes(StandardCharsets.US_ASCII)), auth.get("cert-data").asText());
    assertFalse(auth.has("key-data"), "challenge mode never sends the key");
  }

  @Test
  void refusedCredentials_exitWithTheRemoteFailureCodeAndNoSecret() throws Exception {
    handlers.put("auth", request -> new String[] {"401", "{\"error\":\"access denied for " + ACCESS_KEY + "\"}"});
    CliRunner run = CliRunner.run("akeyless", "auth", "--gateway", gateway(), "--access-id", "p-cli",
        "--access-key-file", accessKeyFile().toString());
    assertEquals(Main.EXIT_AKEYLESS, run.exitCode);
    assertEquals("", run.out);
    assertTrue(run.err.startsWith("spiffe4j: akeyless auth: "), run.err);
    assertTrue(run.err.contains("UNAUTHENTICATED") && run.err.contains("HTTP 401"), run.err);
    assertFalse(run.err.contains(ACCESS_KEY), run.err);
    assertEquals(1, run.err.strip().lines().count(), "one line, no stack trace");
  }

  @Test
  void unreachableGateway_isARemoteFailure() {
    CliRunner run = CliRunner.run("akeyless", "auth", "--gateway", "http://127.0.0.1:1/api/v2",
        "--access-id", "p-cli", "--access-key-env", "PATH");
    assertEquals(Main.EXIT_AKEYLESS, run.exitCode, run.err);
    assertTrue(run.err.contains("UNAVAILABLE"), run.err);
  }

  @Test
  void usageErrors() throws Exception {
    String keyFile = accessKeyFile().toString();
    List<String[]> cases = List.of(
        new String[] {"--access-id", "p", "--gateway", gateway()},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-key", ACCESS_KEY},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-key-env", "SPIFFE4J_SURELY_UNSET_VAR"},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-type", "password",
            "--access-key-file", keyFile},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-type", "cert"},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-type", "k8s"},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-key-file", keyFile,
            "--gcp-audience", "x"},
        new String[] {"--access-id", "p", "--gateway", "ftp://gw", "--access-key-file", keyFile},
        new String[] {"--access-id", "p", "--gateway", gateway(), "--access-key-file", keyFile,
            "--access-key-env", "PATH"});
    for (String[] args : cases) {
      String[] full = new String[args.length + 2];
      full[0] = "akeyless";
      full[1] = "auth";
      System.arraycopy(args, 0, full, 2, args.length);
      CliRunner run = CliRunner.run(full);
      assertEquals(Main.EXIT_USAGE, run.exitCode, String.join(" ", args) + " -> " + run.err);
      assertEquals("", run.out);
      assertFalse(run.err.contains(ACCESS_KEY), run.err);
    }
    assertTrue(requests.isEmpty(), "nothing was sent");
  }

  @Test
  void missingFiles_exit3() {
    CliRunner run = CliRunner.run("akeyless", "auth", "--gateway", gateway(), "--access-id", "p",
        "--access-key-file", dir.resolve("absent").toString());
    assertEquals(Main.EXIT_UNREADABLE, run.exitCode, run.err);
    run = CliRunner.run("akeyless", "auth", "--gateway", gateway(), "--access-id", "p", "--access-key-env", "PATH",
        "--ca-bundle", dir.resolve("absent.pem").toString());
    assertEquals(Main.EXIT_UNREADABLE, run.exitCode, run.err);
  }

  private KeyPair caKey;

  private X509Certificate selfSignedCa() throws Exception {
    caKey = ecKey();
    return CertificateMinter.ca(caKey.getPublic(), SpiffeId.parse("spiffe://cli.test")).sign(caKey.getPrivate());
  }

  private static KeyPair ecKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static boolean verifies(KeyPair key, byte[] challenge, String signatureBase64) {
    try {
      Signature signature = Signature.getInstance("SHA256withECDSA");
      signature.initVerify(key.getPublic());
      signature.update(challenge);
      return signature.verify(Base64.getDecoder().decode(signatureBase64));
    } catch (Exception e) {
      return false;
    }
  }
}
