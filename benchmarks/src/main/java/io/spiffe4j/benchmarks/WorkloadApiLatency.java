package io.spiffe4j.benchmarks;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Source;
import java.io.File;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;

/**
 * Workload API latencies of spiffe4j against a real SPIRE server and agent (started by the testkit's {@link Spire}),
 * printed as a table. A harness, not a JMH benchmark: each figure needs the agent, and rotation takes seconds.
 * <ul>
 *   <li>cold start: {@code X509Source} built with a new client of its own, until its first SVID is available
 *       (N = 20, sequential, one JVM: the first includes class loading, reported apart);
 *   <li>FetchJWTSVID: one client, {@code fetchJwtSvid} round trips (200 warm-up, then 2000 measured);
 *   <li>rotation to handshake: X509-SVID TTL 20 s, so the agent pushes a new SVID about every 5 s; an mTLS handshake
 *       over in-memory engines every ~10 ms with contexts over the live source. For each rotation: the time from the
 *       source's listener seeing the new serial to the end of the first handshake that presented it, and how many
 *       handshakes that started after the listener fired still presented the old one (expected: 0).
 * </ul>
 * Run (SPIRE 1.13.3 located or installed as for the SPIRE tests, from the repository root):
 * {@code java -cp benchmarks/target/benchmarks.jar io.spiffe4j.benchmarks.WorkloadApiLatency}
 *
 * <p>With {@code --java-spiffe interop-tests/java-spiffe-probe/target} (after {@code mvn package} of that module) it
 * also runs java-spiffe 0.8.17's cold start and FetchJWTSVID against the same agent, in a child JVM on the probe's
 * class path ({@code JavaSpiffeLatency}), since java-spiffe's grpc and BouncyCastle lines clash with ours.
 */
public final class WorkloadApiLatency {
  private static final int COLD_STARTS = 20;
  private static final int JWT_WARMUP = 200;
  private static final int JWT_CALLS = 2000;
  private static final int ROTATIONS = 3;
  private static final Duration ROTATION_BOUND = Duration.ofSeconds(90);
  private static final Duration SVID_TTL = Duration.ofSeconds(20);

  private WorkloadApiLatency() {
  }

  public static void main(String[] args) throws Exception {
    try (Spire spire = Spire.builder().trustDomain("bench.example.org").defaultX509SvidTtl(SVID_TTL).start()) {
      spire.createEntry(SpiffeId.parse("spiffe://bench.example.org/workload"), WorkloadUser.current().uidSelector());
      String address = spire.workloadSocketAddress();
      List<String> rows = new ArrayList<>();
      rows.addAll(coldStart(address));
      rows.addAll(fetchJwtSvid(address));
      rows.addAll(rotationToHandshake(address));
      System.out.printf("%n%-62s %10s%n", "spiffe4j, real SPIRE agent", "ms");
      rows.forEach(System.out::println);
      if (args.length == 2 && "--java-spiffe".equals(args[0])) {
        System.out.printf("%n%-62s %10s%n", "java-spiffe 0.8.17, same agent (child JVM)", "ms");
        System.out.print(javaSpiffe(Path.of(args[1]), address));
      }
    }
  }

  private static List<String> coldStart(String address) {
    double[] millis = new double[COLD_STARTS];
    for (int i = 0; i < COLD_STARTS; i++) {
      long started = System.nanoTime();
      try (X509Source source = X509Source.builder().address(address).build()) {
        source.x509Svid();
        millis[i] = (System.nanoTime() - started) / 1e6;
      }
    }
    double first = millis[0];
    double[] rest = Arrays.copyOfRange(millis, 1, millis.length);
    Arrays.sort(rest);
    return List.of(
        row("cold start to first X509-SVID, first in JVM", first),
        row("cold start to first X509-SVID, p50 of next " + rest.length, percentile(rest, 50)),
        row("cold start to first X509-SVID, max of next " + rest.length, rest[rest.length - 1]));
  }

  private static List<String> fetchJwtSvid(String address) {
    double[] millis = new double[JWT_CALLS];
    try (WorkloadApiClient client = WorkloadApiClient.create(address)) {
      for (int i = 0; i < JWT_WARMUP; i++) {
        client.fetchJwtSvid("bench-audience");
      }
      for (int i = 0; i < JWT_CALLS; i++) {
        long started = System.nanoTime();
        client.fetchJwtSvid("bench-audience");
        millis[i] = (System.nanoTime() - started) / 1e6;
      }
    }
    Arrays.sort(millis);
    return List.of(
        row("FetchJWTSVID p50 (" + JWT_CALLS + " calls)", percentile(millis, 50)),
        row("FetchJWTSVID p99", percentile(millis, 99)),
        row("FetchJWTSVID max", millis[millis.length - 1]));
  }

  private static List<String> rotationToHandshake(String address) throws Exception {
    List<String> rows = new ArrayList<>();
    try (X509Source source = X509Source.builder().address(address).build()) {
      Map<BigInteger, Long> seenAt = new ConcurrentHashMap<>();
      source.addListener(context -> seenAt.putIfAbsent(context.x509Svid().leaf().getSerialNumber(), System.nanoTime()),
          Runnable::run);
      BigInteger initial = source.x509Svid().leaf().getSerialNumber();
      SSLContext server = SpiffeSslContextBuilder.mtlsServer(source, source, Authorizer.any()).build();
      SSLContext client = SpiffeSslContextBuilder.mtlsClient(source, source, Authorizer.any()).build();
      List<long[]> handshakes = new ArrayList<>();
      List<BigInteger> presented = new ArrayList<>();
      long deadline = System.nanoTime() + ROTATION_BOUND.toNanos();
      while (rotationsSeen(presented, initial) < ROTATIONS) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("fewer than " + ROTATIONS + " rotations within " + ROTATION_BOUND);
        }
        long started = System.nanoTime();
        SSLEngine clientEngine = client.createSSLEngine();
        SSLEngine serverEngine = server.createSSLEngine();
        HandshakeBenchmark.handshake(clientEngine, serverEngine);
        handshakes.add(new long[] {started, System.nanoTime()});
        presented.add(((X509Certificate) clientEngine.getSession().getPeerCertificates()[0]).getSerialNumber());
        Thread.sleep(10);
      }
      BigInteger previous = initial;
      int rotation = 0;
      for (int i = 0; i < presented.size(); i++) {
        BigInteger serial = presented.get(i);
        if (serial.equals(previous)) {
          continue;
        }
        rotation++;
        Long listenerSaw = seenAt.get(serial);
        if (listenerSaw == null) {
          throw new IllegalStateException("a handshake presented serial " + serial + " the listener never saw");
        }
        int stale = 0;
        for (int j = 0; j < i; j++) {
          if (handshakes.get(j)[0] >= listenerSaw) {
            stale++;
          }
        }
        rows.add(row("rotation " + rotation + ": listener to first handshake with it (" + stale + " stale)",
            (handshakes.get(i)[1] - listenerSaw) / 1e6));
        previous = serial;
      }
      rows.add(String.format("%-62s %6d", "handshakes during rotations (count, not ms)", presented.size()));
    }
    return rows;
  }

  private static String javaSpiffe(Path probeTarget, String address) throws Exception {
    String classPath = probeTarget.resolve("java-spiffe-probe.jar") + File.pathSeparator + probeTarget.resolve("lib")
        + File.separator + "*";
    Process probe = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", classPath, "io.spiffe4j.interop.probe.JavaSpiffeLatency", address, String.valueOf(COLD_STARTS),
        String.valueOf(JWT_WARMUP), String.valueOf(JWT_CALLS))
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    String rows = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!probe.waitFor(5, TimeUnit.MINUTES) || probe.exitValue() != 0) {
      probe.destroyForcibly();
      throw new IllegalStateException("the java-spiffe latency probe failed; its stderr is above");
    }
    return rows;
  }

  private static int rotationsSeen(List<BigInteger> presented, BigInteger initial) {
    return (int) presented.stream().distinct().filter(serial -> !serial.equals(initial)).count();
  }

  private static double percentile(double[] sorted, int percent) {
    int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, index)];
  }

  private static String row(String name, double value) {
    return String.format("%-62s %10.3f", name, value);
  }
}
