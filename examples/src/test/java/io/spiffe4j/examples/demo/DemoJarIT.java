package io.spiffe4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the shaded jar as the README does, {@code java -jar examples/target/spiffe4j-demo.jar}, in a JVM of its own:
 * the jar is complete (dependencies, service files, manifest), the demo succeeds, and it prints its story and nothing
 * else. Run by failsafe after {@code package}, which is when the jar exists; the tag keeps surefire off it even when
 * {@code -Dtest} names it.
 */
@Tag("jar")
class DemoJarIT {
  private static final long TIMEOUT_SECONDS = 120;

  @Test
  void theJarRunsTheDemoAndPrintsOnlyItsStory() throws Exception {
    Result run = runJar(List.of());

    assertEquals(DemoMain.EXIT_OK, run.exitCode, run.toString());
    assertEquals(List.of(), run.stderr, "nothing but the story: no log line, no stack trace");
    List<String> out = run.stdout;
    assertTrue(out.size() >= 15 && out.size() <= 25, run.toString());
    assertLine(out, "demo      trust domain demo.spiffe4j.io, upstream: an in-memory self-signed root");
    assertLine(out, "mTLS      GET /hello: 200 \"hello spiffe://demo.spiffe4j.io/client\"");
    assertLine(out, "JWT       GET /orders, JWT-SVID for aud spiffe://demo.spiffe4j.io/server: 200 "
        + "\"order accepted from spiffe://demo.spiffe4j.io/client\"");
    assertLine(out, "JWT       GET /orders, JWT-SVID for aud spiffe://demo.spiffe4j.io/billing: 401");
    assertLine(out, "server    X509-SVID spiffe://demo.spiffe4j.io/server #");
    assertTrue(out.stream().anyMatch(line -> line.startsWith("server") && line.contains("signed by CA 2")),
        run.toString());
    assertLine(out, "mTLS      GET /hello after rotation: 200");
    assertLine(out, "impostor  GET /hello refused by the server's authorizer: peer ID "
        + "\"spiffe://demo.spiffe4j.io/impostor\"");
    assertTrue(out.get(out.size() - 1).matches("done {6}\\d+ checks held in \\d+\\.\\d s"), run.toString());
  }

  /** The jar holds the Akeyless upstream and the local gateway too: the same story, CAs signed by an Akeyless issuer. */
  @Test
  void theJarRunsTheDemoWithAnAkeylessUpstream() throws Exception {
    Result run = runJar(List.of(), "--upstream", "akeyless");

    assertEquals(DemoMain.EXIT_OK, run.exitCode, run.toString());
    assertEquals(List.of(), run.stderr, "nothing but the story: no log line, no stack trace");
    assertLine(run.stdout, "demo      trust domain demo.spiffe4j.io, upstream: Akeyless PKI issuer "
        + "\"spiffe4j-demo-issuer\" at https://127.0.0.1:");
    assertLine(run.stdout, "authority CA 1 \"spiffe://demo.spiffe4j.io\" #");
    assertLine(run.stdout, "impostor  GET /hello refused by the server's authorizer");
    assertTrue(run.stdout.get(run.stdout.size() - 1).matches("done {6}\\d+ checks held in \\d+\\.\\d s"),
        run.toString());
  }

  /** A step that fails ends the run with exit code 1 and one line saying what, not a stack trace. */
  @Test
  void aFailedStepExitsWithOneAndOneLine(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing");
    Result run = runJar(List.of("-Djava.io.tmpdir=" + missing));

    assertEquals(DemoMain.EXIT_FAILED, run.exitCode, run.toString());
    assertEquals(1, run.stderr.size(), run.toString());
    assertTrue(run.stderr.get(0).startsWith("spiffe4j-demo: FAILED: UncheckedIOException: cannot create a directory"
        + " for the Workload API sockets: " + missing), run.toString());
  }

  private static void assertLine(List<String> lines, String prefix) {
    assertTrue(lines.stream().anyMatch(line -> line.startsWith(prefix)),
        "a line starting with <" + prefix + "> in:\n" + String.join("\n", lines));
  }

  private static Result runJar(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
    String jarProperty = System.getProperty("spiffe4j.demo.jar");
    assertTrue(jarProperty != null, "the failsafe configuration sets spiffe4j.demo.jar; run `mvn verify`");
    Path jar = Path.of(jarProperty);
    assertTrue(Files.isRegularFile(jar), jar + " is missing: `mvn package` builds it");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toString()));
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    // stderr is small; read it after stdout (which the demo closes on exit), then wait.
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the demo did not end within " + TIMEOUT_SECONDS + " s; so far:\n" + stdout + stderr);
    }
    return new Result(process.exitValue(), stdout.lines().collect(Collectors.toList()),
        stderr.lines().filter(line -> !isJdkUnsafeWarning(line)).collect(Collectors.toList()));
  }

  /**
   * JDK 24+ warns once that protobuf (under gRPC) uses {@code sun.misc.Unsafe} (JEP 498); a jar cannot turn that
   * off, and it is the JDK's line, not the demo's.
   */
  private static boolean isJdkUnsafeWarning(String line) {
    return line.startsWith("WARNING: ") && (line.contains("sun.misc.Unsafe")
        || line.startsWith("WARNING: Please consider reporting this to the maintainers of class com.google.protobuf"));
  }

  private static final class Result {
    final int exitCode;
    final List<String> stdout;
    final List<String> stderr;

    Result(int exitCode, List<String> stdout, List<String> stderr) {
      this.exitCode = exitCode;
      this.stdout = stdout;
      this.stderr = stderr;
    }

    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout:\n" + String.join("\n", stdout) + "\nstderr:\n" + String.join("\n", stderr);
    }
  }
}
