package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.SpireException;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.testkit.spire.X509FetchResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real SPIRE Server v1.13.3 loads the plugin (with {@link TestUpstream}) through {@code plugin_cmd}, gets its CA
 * signed through it, and issues workload SVIDs that chain to the test upstream's root; a wrong checksum and bad
 * {@code plugin_data} stop the server with a clear error instead of a hang.
 */
@Tag("spire")
class UpstreamPluginSpireTest {
  private static final String JWT_UNSUPPORTED = "UpstreamAuthority plugin does not support JWT-SVIDs. Workloads "
      + "managed by this server may have trouble communicating with workloads outside this cluster when using "
      + "JWT-SVIDs.";

  @TempDir
  Path directory;

  @Test
  void spireServer_loadsThePlugin_andWorkloadSvidsChainToTheUpstreamRoot() throws Exception {
    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate root = TestUpstream.newRoot(rootKey);
    TestUpstream.writeRoot(directory, root, rootKey.getPrivate());
    Path launcher = pluginScript();
    SpiffeId workload = SpiffeId.parse("spiffe://example.org/workload");

    try (Spire spire = Spire.builder()
        .serverPlugin(stanza(launcher, sha256(launcher), PluginProcessTest.CONFIG))
        .logDirectory(directory.resolve("logs"))
        .startTimeout(Duration.ofSeconds(60))
        .start()) {
      spire.createEntry(workload, WorkloadUser.current().uidSelector());
      X509FetchResult fetched = spire.agent().fetchX509(WorkloadUser.current());

      assertTrue(fetched.succeeded(), fetched::toString);
      X509Svid svid = X509Svid.parse(fetched.svidPem(), fetched.keyPem());
      List<X509Certificate> chain = svid.chain();
      assertEquals(2, chain.size(), "the leaf and SPIRE's upstream-signed CA: the root stays out of the chain");
      chain.get(chain.size() - 1).verify(root.getPublicKey());
      X509Bundle bundle = X509Bundle.parsePem(spire.trustDomain(), fetched.bundlePem().getBytes(StandardCharsets.US_ASCII));
      assertEquals(Set.of(root), Set.copyOf(bundle.x509Authorities()), "the workload trusts the upstream root only");
      assertEquals(workload, X509SvidVerifier.of(bundle).verify(chain).id());

      String log = Files.readString(spire.server().logFile());
      List<String> lines = log.lines().collect(Collectors.toList());
      assertTrue(lines.stream().anyMatch(line -> line.contains("\"msg\":\"Plugin loaded\"")
          && line.contains("\"plugin_name\":\"spiffe4j_test\"") && line.contains("\"external\":true")), log);
      assertTrue(log.contains(JWT_UNSUPPORTED), "SPIRE warns that the upstream does not do JWT-SVIDs");
      String minted = lines.stream().filter(line -> line.contains("\"msg\":\"minted an X.509 CA\"")).findFirst()
          .orElseThrow(() -> new AssertionError("the plugin's hclog lines reach SPIRE's log\n" + log));
      assertTrue(minted.contains("\"level\":\"info\"") && minted.contains("\"requested_ttl_s\":\"86400\"")
          && !minted.contains("0001-01-01"), "parsed as hclog JSON, fields and timestamp kept: " + minted);
      assertFalse(log.contains("Plugin checksum not configured"));
      assertFalse(log.contains(PluginProcessTest.SECRET), "SPIRE's log never shows the access key");
    }
  }

  @Test
  void wrongChecksum_spireServerRefusesToStart() throws Exception {
    Path launcher = pluginScript();

    SpireException e = assertThrows(SpireException.class, () -> Spire.builder()
        .serverPlugin(stanza(launcher, "0".repeat(64), PluginProcessTest.CONFIG))
        .logDirectory(directory.resolve("logs"))
        .start());

    assertTrue(serverLog().contains("checksums did not match"), e.getMessage());
  }

  @Test
  void badPluginData_spireServerRefusesToStartWithThePluginsMessage() throws Exception {
    Path launcher = pluginScript();

    SpireException e = assertThrows(SpireException.class, () -> Spire.builder()
        .serverPlugin(stanza(launcher, sha256(launcher), PluginProcessTest.CONFIG + "color = \"blue\"\n"))
        .logDirectory(directory.resolve("logs"))
        .start());

    String log = serverLog();
    assertTrue(log.contains("InvalidArgument") && log.contains("unknown key color"), e.getMessage());
  }

  private String serverLog() throws IOException {
    try (Stream<Path> logs = Files.list(directory.resolve("logs"))) {
      List<Path> server = logs.filter(p -> p.getFileName().toString().endsWith("server.log")).collect(Collectors.toList());
      assertEquals(1, server.size(), server::toString);
      return Files.readString(server.get(0));
    }
  }

  /**
   * The plugin_cmd: a script that execs the test plugin's JVM with this test's class path (the single-file launcher
   * is the build's product; its tests run after packaging).
   */
  private Path pluginScript() throws IOException {
    Path script = directory.resolve("test-plugin");
    String command = PluginClient.testPluginCommand().stream().map(UpstreamPluginSpireTest::shellQuote)
        .collect(Collectors.joining(" "));
    Files.writeString(script, "#!/bin/sh\n"
        + TestUpstream.ROOT_DIR_ENV + "=" + shellQuote(directory.toString()) + "\n"
        + "export " + TestUpstream.ROOT_DIR_ENV + "\n"
        + "exec " + command + " \"$@\"\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }

  static String stanza(Path pluginCmd, String checksum, String pluginData) {
    return "UpstreamAuthority \"spiffe4j_test\" {\n"
        + "  plugin_cmd = \"" + pluginCmd + "\"\n"
        + "  plugin_checksum = \"" + checksum + "\"\n"
        + "  plugin_data {\n" + pluginData.indent(4) + "  }\n"
        + "}\n";
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static String shellQuote(String word) {
    return "'" + word.replace("'", "'\\''") + "'";
  }
}
