package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Option mistakes of the Workload API commands are usage errors, found before any endpoint is called. */
class WorkloadApiUsageTest {
  private static final String NO_AGENT = "unix:///nonexistent/spiffe4j/agent.sock";

  @TempDir
  static Path dir;

  private static void assertUsageError(String expectedMessage, String... args) {
    CliRunner run = CliRunner.run(args);
    assertEquals(Main.EXIT_USAGE, run.exitCode, run.err);
    assertTrue(run.err.contains(expectedMessage), run.err);
    assertEquals("", run.out);
  }

  @Test
  void jwtValidate_needsBundleOrViaAgent_andTheirOptionsDoNotMix() throws Exception {
    Path bundle = Files.writeString(dir.resolve("bundle.pem"), "");
    assertUsageError("--bundle FILE or --via-agent is required", "jwt", "validate", "--audience", "a", "t");
    assertUsageError("--bundle does not apply with --via-agent",
        "jwt", "validate", "--via-agent", "--bundle", bundle.toString(), "--audience", "a", "t");
    assertUsageError("--now does not apply with --via-agent",
        "jwt", "validate", "--via-agent", "--now", "1", "--audience", "a", "t");
    assertUsageError("--trust-domain does not apply with --via-agent",
        "jwt", "validate", "--via-agent", "--trust-domain", "example.org", "--audience", "a", "t");
    assertUsageError("--via-agent takes exactly one --audience",
        "jwt", "validate", "--via-agent", "--socket", NO_AGENT, "--audience", "a", "--audience", "b", "t");
    assertUsageError("--audience must not be empty",
        "jwt", "validate", "--via-agent", "--socket", NO_AGENT, "--audience", "", "t");
    assertUsageError("--socket applies only with --via-agent",
        "jwt", "validate", "--bundle", bundle.toString(), "--socket", NO_AGENT, "--audience", "a", "t");
  }

  @Test
  void malformedSocketAddress_isAUsageErrorNamingTheRule() {
    assertUsageError("--socket: Workload API address \"tcp://localhost:8081\" has host \"localhost\"",
        "fetch", "x509", "--socket", "tcp://localhost:8081");
    assertUsageError("[WEP-08]", "fetch", "bundles", "--socket", "unix://host/path");
    assertUsageError("[WEP-07]", "watch", "--socket", "agent.sock");
  }

  @Test
  void badValues_areUsageErrors() {
    assertUsageError("--count must be at least 1", "watch", "--count", "0", "--socket", NO_AGENT);
    assertUsageError("--spiffe-id: ", "fetch", "jwt", "--audience", "a", "--spiffe-id", "not-an-id");
    assertUsageError("audience", "fetch", "jwt", "--audience", "", "--socket", NO_AGENT);
  }
}
