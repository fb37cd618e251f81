package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigureRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.CoreConfiguration;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthCheckRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthCheckResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.InitRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.InitResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.JwtKeyProto.JWTKey;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CARequest;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CAResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.PublishJWTKeyRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.SubscribeToLocalBundleRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin as a process, driven by {@link PluginClient} exactly as go-plugin drives it for SPIRE v1.13.3: the
 * handshake and nothing else on stdout, hclog JSON on stderr, the call sequence of a plugin load, and a prompt exit on
 * Shutdown.
 */
class PluginProcessTest {
  static final String SECRET = "test-secret-access-key-4711";
  static final String CONFIG = ""
      + "akeyless_gateway_url = \"https://gateway.example:8000/api/v2\"\n"
      + "access_type          = \"access_key\"\n"
      + "access_id            = \"p-test\"\n"
      + "access_key           = \"" + SECRET + "\"\n"
      + "pki_cert_issuer_name = \"test-issuer\"\n";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error");

  @TempDir
  Path socketParent;

  @Test
  void spireLoadSequence_servesEveryCallAndExitsWithinTwoSecondsOfShutdown() throws Exception {
    try (PluginClient plugin = PluginClient.launch(PluginClient.testPluginCommand(),
        Map.of("PLUGIN_UNIX_SOCKET_DIR", socketParent.toString()))) {
      assertEquals(socketParent, plugin.socket.getParent().getParent(), "PLUGIN_UNIX_SOCKET_DIR is honoured");
      assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plugin.socket.getParent())));
      assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(plugin.socket)));

      InitResponse init = plugin.init().init(InitRequest.newBuilder()
          .addHostServiceNames("spire.hostservice.server.identityprovider.v1.IdentityProvider")
          .addHostServiceNames("spire.hostservice.server.agentstore.v1.AgentStore")
          .addHostServiceNames("spire.hostservice.common.metrics.v1.Metrics").build());
      assertEquals(List.of(UpstreamAuthorityGrpc.SERVICE_NAME, ConfigGrpc.SERVICE_NAME), init.getPluginServiceNamesList());
      assertEquals(HealthCheckResponse.ServingStatus.SERVING,
          plugin.health().check(HealthCheckRequest.newBuilder().setService("plugin").build()).getStatus());

      StatusRuntimeException early = assertThrows(StatusRuntimeException.class,
          () -> plugin.upstream().mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate())).next());
      assertEquals(Status.Code.FAILED_PRECONDITION, early.getStatus().getCode());
      assertEquals("plugin not configured", early.getStatus().getDescription());

      StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
          () -> plugin.config().configure(configure(CONFIG.replace("access_type", "acces_type"))));
      assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
      assertTrue(bad.getStatus().getDescription().contains("unknown key acces_type"), bad.getStatus().getDescription());

      long configureStarted = System.nanoTime();
      plugin.config().configure(configure(CONFIG));
      long configured = System.nanoTime();
      KeyPair caKey = KeyAlgorithm.EC_P256.generate();
      Iterator<MintX509CAResponse> stream = plugin.upstream().mintX509CAAndSubscribe(mintRequest(caKey));
      MintX509CAResponse first = stream.next();
      long minted = System.nanoTime();
      X509Certificate ca = certificate(first.getX509CaChain(0).getAsn1());
      X509Certificate root = certificate(first.getUpstreamX509Roots(0).getAsn1());
      assertEquals(caKey.getPublic(), ca.getPublicKey());
      ca.verify(root.getPublicKey());

      StatusRuntimeException jwt = assertThrows(StatusRuntimeException.class,
          () -> plugin.upstream().publishJWTKeyAndSubscribe(PublishJWTKeyRequest.newBuilder().setJwtKey(JWTKey.newBuilder()
              .setKeyId("kid").setPublicKey(ByteString.copyFrom(caKey.getPublic().getEncoded()))).build()).next());
      assertEquals(Status.Code.UNIMPLEMENTED, jwt.getStatus().getCode());
      StatusRuntimeException bundle = assertThrows(StatusRuntimeException.class,
          () -> plugin.upstream().subscribeToLocalBundle(SubscribeToLocalBundleRequest.getDefaultInstance()).next());
      assertEquals(Status.Code.UNIMPLEMENTED, bundle.getStatus().getCode());

      Thread.sleep(200);
      assertFalse(plugin.brokerEnded.get(), "the broker stream stays open");
      assertFalse(plugin.stdioEnded.get(), "the stdio stream stays open");
      Duration exit = plugin.shutdown(Duration.ofSeconds(2));

      assertEquals(0, plugin.process.exitValue());
      assertTrue(exit.compareTo(Duration.ofSeconds(2)) < 0, "exited after " + exit);
      assertFalse(Files.exists(plugin.socket.getParent()), "the socket directory is removed");
      assertEquals(List.of(), plugin.stdoutAfterHandshake(), "stdout holds the handshake line only");
      List<String> stderr = plugin.stderrLinesAfterExit();
      assertHclogLines(stderr);
      assertTrue(stderr.stream().anyMatch(line -> line.contains("\"@message\":\"minted an X.509 CA\"")), stderr::toString);
      assertTrue(stderr.stream().noneMatch(line -> line.contains(SECRET)), "the access key is never logged");
      System.out.printf("plugin process: start to handshake %d ms, Configure %d ms, first mint %d ms, exit after "
              + "Shutdown %d ms%n", plugin.startToHandshake().toMillis(), (configured - configureStarted) / 1_000_000,
          (minted - configured) / 1_000_000, exit.toMillis());
    }
  }

  @Test
  void sigterm_removesTheSocketDirectoryAndExits() throws Exception {
    try (PluginClient plugin = PluginClient.launch(PluginClient.testPluginCommand(),
        Map.of("PLUGIN_UNIX_SOCKET_DIR", socketParent.toString()))) {
      // The handshake can come before the first log line; a SIGTERM in between would leave stderr empty.
      plugin.awaitFirstStderrLine(Duration.ofSeconds(10));
      plugin.process.destroy();

      assertTrue(plugin.process.waitFor(5, TimeUnit.SECONDS));
      assertFalse(Files.exists(plugin.socket.getParent()), "the socket directory is removed");
      assertEquals(List.of(), plugin.stdoutAfterHandshake());
      assertHclogLines(plugin.stderrLinesAfterExit());
    }
  }

  @Test
  void runByHand_explainsAndExitsWithStatusOne() throws Exception {
    Process process = PluginClient.start(PluginClient.testPluginCommand(), Map.of("UpstreamAuthority", ""));
    PluginClient.Output stdout = new PluginClient.Output(process.getInputStream());
    PluginClient.Output stderr = new PluginClient.Output(process.getErrorStream());

    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue());
    stdout.awaitEnd();
    stderr.awaitEnd();
    assertEquals(List.of(), stdout.lines());
    assertTrue(String.join("\n", stderr.lines()).contains("not meant to be run by hand"), stderr.lines()::toString);
  }

  @Test
  void autoMtlsRequested_failsFastWithAClearMessage() throws Exception {
    Process process = PluginClient.start(PluginClient.testPluginCommand(),
        Map.of("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\n..."));
    PluginClient.Output stdout = new PluginClient.Output(process.getInputStream());
    PluginClient.Output stderr = new PluginClient.Output(process.getErrorStream());

    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue());
    stdout.awaitEnd();
    stderr.awaitEnd();
    assertEquals(List.of(), stdout.lines());
    assertTrue(String.join("\n", stderr.lines()).contains("AutoMTLS"), stderr.lines()::toString);
  }

  /**
   * Every line parses as one JSON object with string @level and @message, a @timestamp in exactly go-plugin's layout
   * (anything else and it drops the line to plain text), and string fields.
   */
  static void assertHclogLines(List<String> lines) throws Exception {
    assertFalse(lines.isEmpty());
    for (String line : lines) {
      JsonNode entry = JSON.readTree(line);
      assertTrue(entry.isObject(), line);
      assertTrue(entry.path("@level").isTextual() && LEVELS.contains(entry.get("@level").textValue()), line);
      assertTrue(entry.path("@message").isTextual(), line);
      assertTrue(entry.path("@timestamp").isTextual()
          && entry.get("@timestamp").textValue().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"), line);
      entry.properties().forEach(field -> assertTrue(field.getValue().isTextual(), line));
    }
  }

  static ConfigureRequest configure(String hcl) {
    return ConfigureRequest.newBuilder()
        .setCoreConfiguration(CoreConfiguration.newBuilder().setTrustDomain("example.org"))
        .setHclConfiguration(hcl).build();
  }

  static MintX509CARequest mintRequest(KeyPair key) {
    return MintX509CARequest.newBuilder()
        .setCsr(ByteString.copyFrom(Csrs.caCsr(key, "example.org")))
        .setPreferredTtl(86400).build();
  }

  static X509Certificate certificate(ByteString der) throws Exception {
    X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der.toByteArray()));
    assertNotNull(certificate);
    return certificate;
  }
}
