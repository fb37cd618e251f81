package io.spiffe4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.spiffe4j.examples.demo.Demo.Result;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SignatureException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The demo's story in this JVM: every step's outcome, and nothing left running afterwards. */
class DemoTest {
  /** Threads end and descriptors close asynchronously after {@code close()}: how long to wait for them. */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  @ParameterizedTest
  @EnumSource(Upstream.class)
  void everyStepHoldsAndNothingIsLeftBehind(Upstream upstream) throws Exception {
    // Netty's epoll transport keeps one socket open for the life of the JVM from its first use: not the demo's.
    Epoll.isAvailable();
    Set<Thread> threadsBefore = liveThreads();
    long socketsBefore = openSockets();
    ByteArrayOutputStream printed = new ByteArrayOutputStream();

    Result result = Demo.run(upstream, new PrintStream(printed, true, StandardCharsets.UTF_8));

    List<String> lines = result.lines();
    assertEquals(lines, printed.toString(StandardCharsets.UTF_8).lines().collect(Collectors.toList()));
    assertTrue(lines.size() >= 15 && lines.size() <= 25, "a short story: " + lines.size() + " lines");
    assertTrue(lines.get(lines.size() - 1).matches("done {6}\\d+ checks held in \\d+\\.\\d s"), lines.toString());

    assertEquals(200, result.acceptedJwtStatus());
    assertEquals(401, result.wrongAudienceStatus());
    assertEquals("peer ID \"" + Demo.IMPOSTOR + "\" is not the expected \"" + Demo.CLIENT + "\"",
        result.impostorRefusal());

    // The rotation: a new CA, whose key (not the old one's) signed the SVIDs pushed afterwards, and which the
    // handshakes after the rotation verified on their way to the root.
    assertNotEquals(result.firstCa().certificate(), result.rotatedCa().certificate());
    for (var svid : List.of(result.rotatedServerSvid(), result.rotatedClientSvid())) {
      svid.leaf().verify(result.rotatedCa().certificate().getPublicKey());
      assertThrows(SignatureException.class, () -> svid.leaf().verify(result.firstCa().certificate().getPublicKey()));
    }
    assertEquals(result.rotatedServerSvid().leaf(), result.serverSeenAfterRotation().verifiedChain().get(0));
    assertEquals(result.rotatedClientSvid().leaf(), result.clientSeenAfterRotation().verifiedChain().get(0));
    assertTrue(result.clientSeenAfterRotation().verifiedChain().contains(result.rotatedCa().certificate()));

    String socketDirectory = lines.stream().filter(line -> line.startsWith("agent")).findFirst().orElseThrow()
        .replaceAll(".* in ", "");
    assertFalse(Files.exists(Path.of(socketDirectory)), "the socket directory is removed: " + socketDirectory);
    // The Akeyless client's JDK 17 HttpClient has no close(): its selector thread ends once the client is collected.
    awaitTrue(() -> {
      System.gc();
      return threadsBefore.containsAll(liveThreads());
    }, () -> "threads left running: "
        + liveThreads().stream().filter(t -> !threadsBefore.contains(t)).map(Thread::getName).sorted()
            .collect(Collectors.toList()));
    awaitTrue(() -> openSockets() <= socketsBefore,
        () -> "sockets left open: " + openSockets() + ", before the demo: " + socketsBefore);
  }

  @Test
  void usageErrorsExitWithTwoAndSayWhy() {
    Run unknown = Run.of("--upstream", "vault");
    assertEquals(DemoMain.EXIT_USAGE, unknown.exitCode);
    assertTrue(unknown.err.startsWith("spiffe4j-demo: unknown upstream \"vault\": choose self-signed or akeyless\n"), unknown.err);
    assertEquals("", unknown.out);

    Run missingValue = Run.of("--upstream");
    assertEquals(DemoMain.EXIT_USAGE, missingValue.exitCode);
    assertTrue(missingValue.err.startsWith("spiffe4j-demo: unexpected argument \"--upstream\""), missingValue.err);

    Run help = Run.of("--help");
    assertEquals(DemoMain.EXIT_OK, help.exitCode);
    assertTrue(help.out.startsWith("usage: java -jar spiffe4j-demo.jar [--upstream self-signed|akeyless]"), help.out);
  }

  /** {@link DemoMain#run} with captured streams. */
  private static final class Run {
    final int exitCode;
    final String out;
    final String err;

    private Run(int exitCode, String out, String err) {
      this.exitCode = exitCode;
      this.out = out;
      this.err = err;
    }

    static Run of(String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int exitCode = DemoMain.run(new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8), args);
      return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
  }

  private static Set<Thread> liveThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).collect(Collectors.toSet());
  }

  /** This JVM's open socket descriptors (Unix and TCP alike). */
  private static long openSockets() {
    try (Stream<Path> descriptors = Files.list(Path.of("/proc/self/fd"))) {
      return descriptors.filter(descriptor -> {
        try {
          return Files.readSymbolicLink(descriptor).toString().startsWith("socket:");
        } catch (IOException closedMeanwhile) {
          return false;
        }
      }).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition, Supplier<String> failure) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(failure.get());
      }
      Thread.sleep(50);
    }
  }
}
