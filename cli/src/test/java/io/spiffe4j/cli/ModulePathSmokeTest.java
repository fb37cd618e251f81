package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the CLI as a named module on the module path, so the module descriptors of spiffe-core, the Workload API
 * client and the CLI (requires, exports, opens) are proven to resolve with the real dependency jars — the unit tests
 * run on the class path.
 */
class ModulePathSmokeTest {

  @Test
  void cliRunsOnTheModulePath() throws Exception {
    String output = runOnModulePath(0, "id", "parse", "--json", "spiffe://example.org/svc");
    assertEquals("{\"input\":\"spiffe://example.org/svc\",\"valid\":true,\"spiffe_id\":\"spiffe://example.org/svc\","
        + "\"trust_domain\":\"example.org\",\"path\":\"/svc\"}", output.strip());
  }

  /** The Workload API client's gRPC transport loads as modules too: the call reaches the socket (which is absent). */
  @Test
  void workloadApiCommandRunsOnTheModulePath() throws Exception {
    String output = runOnModulePath(Main.EXIT_WORKLOAD_API, "fetch", "x509", "--socket", "unix:///nonexistent/a.sock");
    // contains, not startsWith: JDK 24+ warns first that the Netty module loads a native library (JEP 472).
    assertTrue(output.contains("spiffe4j: FetchX509SVID at unix:///nonexistent/a.sock failed: UNAVAILABLE"), output);
  }

  /**
   * cert-auth and its BouncyCastle modules resolve too: an encrypted OpenSSH key (bcrypt KDF, BouncyCastle) is
   * decrypted with a password from the environment, and the challenge signed.
   */
  @Test
  void akeylessChallengeSignRunsOnTheModulePath(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("id_ecdsa");
    Process keygen = new ProcessBuilder("ssh-keygen", "-q", "-t", "ecdsa", "-N", "module-path", "-f", key.toString())
        .redirectErrorStream(true).start();
    assertTrue(keygen.waitFor(60, TimeUnit.SECONDS) && keygen.exitValue() == 0, "ssh-keygen is required");
    String output = runOnModulePath(0, Map.of("KEY_PASSWORD", "module-path"), "akeyless", "challenge-sign",
        "--key", key.toString(), "--key-password-env", "KEY_PASSWORD", "--challenge", "AQIDBA==");
    assertEquals(0x30, Base64.getDecoder().decode(output.strip())[0], "a DER ECDSA signature: " + output);
  }

  /**
   * The Akeyless client's modules resolve (java.net.http, Jackson, core's internal package): the request is built
   * and sent, and the refused connection is reported as the typed failure, exit code 4.
   */
  @Test
  void akeylessAuthRunsOnTheModulePath() throws Exception {
    String output = runOnModulePath(Main.EXIT_AKEYLESS, Map.of("ACCESS_KEY", "module-path-key"), "akeyless", "auth",
        "--gateway", "http://127.0.0.1:1/api/v2", "--access-id", "p-module", "--access-key-env", "ACCESS_KEY");
    assertTrue(output.contains("spiffe4j: akeyless auth: cannot connect to the gateway [UNAVAILABLE]"), output);
  }

  private static String runOnModulePath(int expectedExitCode, String... args) throws Exception {
    return runOnModulePath(expectedExitCode, Map.of(), args);
  }

  private static String runOnModulePath(int expectedExitCode, Map<String, String> environment, String... args)
      throws Exception {
    String modulePath = List.of(System.getProperty("java.class.path").split(File.pathSeparator)).stream()
        .filter(entry -> !entry.contains("test-classes"))
        .filter(entry -> !entry.contains("junit") && !entry.contains("opentest4j") && !entry.contains("apiguardian")
            && !entry.contains("jqwik") && !entry.contains("surefire"))
        .filter(entry -> !entry.contains("spiffe4j-testkit"))
        .collect(Collectors.joining(File.pathSeparator));
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "--module-path", modulePath,
        "-m", "io.spiffe4j.cli/io.spiffe4j.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    process.waitFor(60, TimeUnit.SECONDS);
    assertEquals(expectedExitCode, process.exitValue(), output);
    return output;
  }
}
