package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.testkit.spire.CommandResult;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.SpireExtension;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.testkit.spire.X509FetchResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Workload API commands against a real SPIRE agent: in-process through {@link CliRunner}, and as a separate JVM
 * where the environment, the real stderr or another uid matters. The test JVM's uid has one entry, {@link #JVM_ID}.
 */
@Tag("spire")
class WorkloadApiCommandsSpireTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TrustDomain TD = TrustDomain.parse("spiffe4j.test");
  private static final SpiffeId JVM_ID = SpiffeId.parse("spiffe://spiffe4j.test/cli");
  private static final String AUDIENCE = "spiffe4j-cli-test";

  /** The agent renews an SVID at half its lifetime (backdated 10 s), so about every 5 s for a 20 s TTL. */
  @RegisterExtension
  static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().trustDomain(TD)
      .defaultX509SvidTtl(Duration.ofSeconds(20)));

  @TempDir
  Path dir;

  private final Spire spire = SPIRE.spire();
  private final String socket = SPIRE.spire().workloadSocketAddress();

  @BeforeAll
  static void registerTestJvm() {
    SPIRE.spire().createEntry(JVM_ID, WorkloadUser.current().uidSelector());
  }

  @Test
  void fetchX509Write_writesTheFilesSpireAgentWrites_keyPrivateAndMatchingTheSvid() throws IOException {
    Path ours = dir.resolve("svids");
    CliRunner run = CliRunner.run("fetch", "x509", "--socket", socket, "--write", ours.toString());
    X509FetchResult theirs = spire.agent().fetchX509(WorkloadUser.current());

    assertEquals(0, run.exitCode, run.err);
    assertTrue(theirs.succeeded(), theirs::toString);
    assertEquals(fileNames(theirs.directory()), fileNames(ours));
    assertEquals(Set.of("svid.0.pem", "svid.0.key", "bundle.0.pem"), fileNames(ours));
    // X509Svid.parse refuses a key that is not the leaf's.
    X509Svid svid = X509Svid.parse(Files.readString(ours.resolve("svid.0.pem")),
        Files.readString(ours.resolve("svid.0.key")));
    assertEquals(JVM_ID, svid.id());
    assertEquals(theirs.x509Svid().id(), svid.id());
    X509Bundle bundle = X509Bundle.parsePem(TD, Files.readAllBytes(ours.resolve("bundle.0.pem")));
    assertEquals(X509Bundle.parsePem(TD, theirs.bundlePem().getBytes(StandardCharsets.US_ASCII)), bundle);
    assertEquals(spire.serverBundle(), bundle);
    assertEquals(JVM_ID, X509SvidVerifier.of(bundle).verify(svid.chain()).id());
    assertTrue(Files.readString(ours.resolve("svid.0.key")).startsWith("-----BEGIN PRIVATE KEY-----"), "PKCS#8 PEM");
    assertEquals("rw-------", mode(ours.resolve("svid.0.key")));
    assertEquals("rw-r--r--", mode(ours.resolve("svid.0.pem")));
    assertEquals("rw-r--r--", mode(ours.resolve("bundle.0.pem")));
    assertTrue(run.out.contains("wrote " + ours.resolve("svid.0.key")), run.out);
    assertFalse(run.out.contains("PRIVATE KEY"), run.out);
  }

  @Test
  void fetchX509Write_unwritableDirectory_exit3() throws IOException {
    Path blocker = Files.writeString(dir.resolve("a-file"), "");

    CliRunner run = CliRunner.run("fetch", "x509", "--socket", socket, "--write", blocker.resolve("svids").toString());

    assertEquals(Main.EXIT_UNREADABLE, run.exitCode, run.err);
    assertTrue(run.err.startsWith("spiffe4j: cannot write " + blocker.resolve("svids")), run.err);
  }

  @Test
  void fetchX509_printsIdExpiryChainAndBundles_neverTheKey() {
    CliRunner run = CliRunner.run("fetch", "x509", "--socket", socket);

    assertEquals(0, run.exitCode, run.err);
    List<String> lines = run.lines();
    assertEquals(JVM_ID.toString(), lines.get(0), run.out);
    assertTrue(run.out.contains("  expires:      "), run.out);
    assertTrue(run.out.contains("  chain length: 1"), run.out);
    assertTrue(run.out.contains("  hint:         (none)"), run.out);
    assertEquals("bundles: spiffe4j.test (1 X.509 authorities)", lines.get(lines.size() - 1));
    assertFalse(run.out.contains("PRIVATE KEY"), run.out);
    assertEquals("", run.err);
  }

  @Test
  void fetchJwt_thenJwtValidateViaAgent_roundTrip_agreesWithLocalValidation() throws IOException {
    CliRunner fetched = CliRunner.run("fetch", "jwt", "--socket", socket, "--audience", AUDIENCE);
    assertEquals(0, fetched.exitCode, fetched.err);
    String token = fetched.out.strip();
    assertEquals(1, fetched.lines().size(), "only the token on stdout");
    assertTrue(fetched.err.contains("JWT-SVID of " + JVM_ID + " for " + AUDIENCE + ", expires "), fetched.err);

    CliRunner byAgent = CliRunner.run("jwt", "validate", "--via-agent", "--socket", socket, "--audience", AUDIENCE,
        "--json", token);
    assertEquals(0, byAgent.exitCode, byAgent.err + byAgent.out);
    JsonNode verdict = JSON.readTree(byAgent.out);
    assertTrue(verdict.get("valid").asBoolean());
    assertEquals(JVM_ID.toString(), verdict.get("spiffe_id").asText());

    Path bundle = Files.writeString(dir.resolve("bundle.json"), serverSpiffeBundle());
    CliRunner locally = CliRunner.run("jwt", "validate", "--bundle", bundle.toString(), "--audience", AUDIENCE, token);
    assertEquals(0, locally.exitCode, locally.out);
    assertEquals("valid    " + JwtCommand.abbreviate(token) + " -> " + JVM_ID, locally.out.strip());
    CliRunner human = CliRunner.run("jwt", "validate", "--via-agent", "--socket", socket, "--audience", AUDIENCE,
        token);
    assertEquals(locally.out, human.out, "the same line whoever validates");
  }

  @Test
  void jwtValidateViaAgent_wrongAudienceOrTampered_invalidExit1_inInputOrder() throws IOException {
    String token = CliRunner.run("fetch", "jwt", "--socket", socket, "--audience", AUDIENCE).out.strip();
    String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");

    CliRunner run = CliRunner.run("jwt", "validate", "--via-agent", "--socket", socket, "--audience", "someone-else",
        "--json", token, tampered);

    assertEquals(1, run.exitCode, run.err);
    assertEquals(2, run.lines().size(), run.out);
    for (String line : run.lines()) {
      JsonNode verdict = JSON.readTree(line);
      assertFalse(verdict.get("valid").asBoolean());
      assertTrue(verdict.get("reason").asText().contains("INVALID_ARGUMENT"), line);
    }
    CliRunner human = CliRunner.run("jwt", "validate", "--via-agent", "--socket", socket, "--audience", AUDIENCE,
        tampered);
    assertEquals(1, human.exitCode);
    assertTrue(human.out.startsWith("invalid  " + JwtCommand.abbreviate(tampered) + ": ValidateJWTSVID"), human.out);
    assertFalse(human.out.contains(tampered), "human output never repeats the whole token");
  }

  @Test
  void fetchJwt_json_andForAnIdentityThisProcessHasNot() throws IOException {
    CliRunner json = CliRunner.run("fetch", "jwt", "--socket", socket, "--audience", AUDIENCE, "--audience", "second",
        "--spiffe-id", JVM_ID.toString(), "--json");
    assertEquals(0, json.exitCode, json.err);
    JsonNode svid = JSON.readTree(json.out);
    assertEquals(JVM_ID.toString(), svid.get("spiffe_id").asText());
    assertEquals(List.of(AUDIENCE, "second"), JSON.convertValue(svid.get("audience"), List.class));
    assertTrue(svid.get("token").asText().startsWith("ey"));
    assertEquals("", json.err);

    CliRunner denied = CliRunner.run("fetch", "jwt", "--socket", socket, "--audience", AUDIENCE,
        "--spiffe-id", "spiffe://spiffe4j.test/not-mine");
    assertEquals(Main.EXIT_WORKLOAD_API, denied.exitCode);
    assertEquals("", denied.out);
    assertOneLine(denied.err, "PERMISSION_DENIED");
  }

  @Test
  void fetchBundles_printsEachTrustDomainsX509AndJwtAuthorities() {
    CliRunner run = CliRunner.run("fetch", "bundles", "--socket", socket);

    assertEquals(0, run.exitCode, run.err);
    List<String> lines = run.lines();
    assertEquals("trust domain spiffe4j.test", lines.get(0));
    assertEquals("  X.509 authorities: 1", lines.get(1));
    String serial = spire.serverBundle().x509Authorities().get(0).getSerialNumber().toString(16);
    assertTrue(lines.get(2).contains("serial " + serial), run.out);
    assertEquals("  JWT authorities: 1", lines.get(3));
    assertTrue(lines.get(4).startsWith("    - kid "), run.out);
  }

  @Test
  void watchCount2_printsALinePerRotation_thenExits0() {
    long start = System.nanoTime();
    CliRunner run = assertTimeoutPreemptively(Duration.ofSeconds(40),
        () -> CliRunner.run("watch", "--count", "2", "--socket", socket));
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(0, run.exitCode, run.err);
    List<String> lines = run.lines();
    assertEquals(2, lines.size(), run.out);
    List<String> serials = new ArrayList<>();
    for (String line : lines) {
      String[] fields = line.split(" {2}");
      assertEquals(JVM_ID.toString(), fields[1], line);
      assertTrue(fields[2].startsWith("serial "), line);
      assertTrue(fields[3].startsWith("expires "), line);
      serials.add(fields[2]);
    }
    assertNotEquals(serials.get(0), serials.get(1), "the second line is a rotated SVID");
    assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "a rotation every ~5 s, took " + took);
  }

  @Test
  void agentSocketMissing_oneLineError_exit4() {
    String nowhere = "unix://" + dir.resolve("no-agent.sock");
    for (String[] command : List.of(new String[] {"fetch", "x509"}, new String[] {"fetch", "jwt", "--audience", "a"},
        new String[] {"fetch", "bundles"},
        new String[] {"jwt", "validate", "--via-agent", "--audience", "a", "t.o.k"})) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(List.of("--socket", nowhere));
      CliRunner run = CliRunner.run(args.toArray(new String[0]));

      assertEquals(Main.EXIT_WORKLOAD_API, run.exitCode, run.err);
      assertEquals("", run.out);
      assertOneLine(run.err, "UNAVAILABLE");
      assertTrue(run.err.contains(nowhere), run.err);
    }
  }

  @Test
  void separateJvm_socketFromEnvironment_noLogNoise() throws Exception {
    Result ok = runJvm(WorkloadUser.current(), socket, "fetch", "x509");
    assertEquals(0, ok.exitCode, ok.err);
    assertTrue(ok.out.startsWith(JVM_ID + "\n"), ok.out);
    assertEquals("", ok.err, "nothing from gRPC or Netty on stderr");

    Result unset = runJvm(WorkloadUser.current(), null, "fetch", "bundles");
    assertEquals(Main.EXIT_USAGE, unset.exitCode, unset.err);
    assertTrue(unset.err.startsWith("no Workload API endpoint: pass --socket ADDR or set SPIFFE_ENDPOINT_SOCKET"),
        unset.err);

    Result missing = runJvm(WorkloadUser.current(), "unix://" + dir.resolve("none.sock"), "fetch", "x509");
    assertEquals(Main.EXIT_WORKLOAD_API, missing.exitCode, missing.err);
    assertOneLine(missing.err, "UNAVAILABLE");
  }

  @Test
  void separateJvm_otherUidWithoutEntry_noIdentity_exit4() throws Exception {
    Result denied = runJvm(WorkloadUser.of(4301, 4301), socket, "fetch", "x509");

    assertEquals(Main.EXIT_WORKLOAD_API, denied.exitCode, denied.err);
    assertEquals("", denied.out);
    assertOneLine(denied.err, "PERMISSION_DENIED");
    assertTrue(denied.err.contains("no identity"), denied.err);
  }

  private static void assertOneLine(String err, String containing) {
    assertEquals(1, err.strip().split("\n").length, "one line on stderr, got:\n" + err);
    assertTrue(err.startsWith("spiffe4j: ") && err.contains(containing), err);
    assertFalse(err.contains("\tat ") || err.contains("Exception:"), "no stack trace: " + err);
  }

  private String serverSpiffeBundle() {
    CommandResult shown = spire.server().cli("bundle", "show", "-format", "spiffe");
    assertTrue(shown.succeeded(), shown::toString);
    return shown.output();
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  private static Set<String> fileNames(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(file -> file.getFileName().toString()).collect(Collectors.toSet());
    }
  }

  /** The CLI's main class in a JVM of its own as {@code user}, with this class path and the given endpoint env. */
  private Result runJvm(WorkloadUser user, String endpointEnv, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // Another uid cannot write this JVM's perf data directory. Native access is granted as the jar's manifest
        // does, so that JDK 24+ has no warning to print when Netty loads epoll.
        "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED",
        "-cp", System.getProperty("java.class.path"),
        Main.class.getName()));
    if (Runtime.version().feature() >= 23) {
      // protobuf-java before 4.36 calls sun.misc.Unsafe, which JDK 24+ warns about on stderr (protobuf#20760).
      command.add(command.size() - 1, "--sun-misc-unsafe-memory-access=allow");
    }
    command.addAll(List.of(args));
    ProcessBuilder builder = user.command(command);
    Map<String, String> env = builder.environment();
    env.remove("SPIFFE_ENDPOINT_SOCKET");
    if (endpointEnv != null) {
      env.put("SPIFFE_ENDPOINT_SOCKET", endpointEnv);
    }
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the CLI did not exit within 60 s: " + command);
    }
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }

  private static final class Result {
    final int exitCode;
    final String out;
    final String err;

    Result(int exitCode, String out, String err) {
      this.exitCode = exitCode;
      this.out = out;
      this.err = err;
    }
  }
}
