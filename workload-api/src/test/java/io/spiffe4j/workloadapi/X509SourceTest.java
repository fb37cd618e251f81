package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_X509_SVID;
import static io.spiffe4j.workloadapi.RecordingListener.clientThreads;
import static io.spiffe4j.workloadapi.TestMaterial.DB;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.FEDERATED;
import static io.spiffe4j.workloadapi.TestMaterial.WEB;
import static io.spiffe4j.workloadapi.TestMaterial.der;
import static io.spiffe4j.workloadapi.TestMaterial.svid;
import static io.spiffe4j.workloadapi.TestMaterial.x509Response;
import static io.spiffe4j.workloadapi.WorkloadApiClientTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.tls.SpiffeKeyManager;
import io.spiffe4j.workloadapi.SourceMaterial.Ca;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link X509Source} against {@link FakeWorkloadApi}: start, snapshot, picking, expiry, listeners, health, close. */
class X509SourceTest {
  static final Backoff FAST = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(100));
  static final Backoff FAST_NO_IDENTITY = Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(100));

  @TempDir
  Path dir;

  private FakeWorkloadApi server;
  private WorkloadApiClient client;
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startServer() {
    server = FakeWorkloadApi.start(dir.resolve("agent.sock"), Transport.Io.best());
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable closeable : toClose) {
      closeable.close();
    }
    if (client != null) {
      client.close();
    }
    server.close();
  }

  /** One client shared by the test's sources, with fast retries. */
  private WorkloadApiClient client() {
    if (client == null) {
      client = WorkloadApiClient.builder().address(server.address()).backoff(FAST).noIdentityBackoff(FAST_NO_IDENTITY)
          .build();
    }
    return client;
  }

  private X509Source.Builder source() {
    return X509Source.builder().client(client()).initTimeout(Duration.ofSeconds(10));
  }

  private <T extends AutoCloseable> T closeLater(T closeable) {
    toClose.add(closeable);
    return closeable;
  }

  @Test
  void build_blocksUntilTheFirstUpdate() throws Exception {
    CompletableFuture<X509Source> building = CompletableFuture.supplyAsync(() -> source().build());
    awaitTrue(() -> server.openStreams(FETCH_X509_SVID) == 1, "the watch is open");
    Thread.sleep(200);
    assertFalse(building.isDone(), "no source before the first update");
    server.setX509Context(x509Response(false, svid(WEB, "")));
    X509Source source = closeLater(building.get(10, TimeUnit.SECONDS));
    assertEquals(WEB, source.x509Svid().id());
    assertEquals(List.of(TestMaterial.EXAMPLE_CA), source.x509BundleFor(EXAMPLE).x509Authorities());
  }

  @Test
  void WEP_13_initTimeout_whenTheEndpointOnlyDeniesPermission_namesTheReason_andLeavesNothingRunning() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    Status[] denials = new Status[100];
    Arrays.fill(denials, Status.PERMISSION_DENIED);
    server.failNext(FETCH_X509_SVID, denials);
    long start = System.nanoTime();
    // A client of the source's own, with the default no-identity backoff (1 s): it must be gone afterwards.
    SourceException e = assertThrows(SourceException.class,
        () -> X509Source.builder().address(server.address()).initTimeout(Duration.ofMillis(1500)).build());
    Duration waited = Duration.ofNanos(System.nanoTime() - start);

    assertEquals(SourceException.Kind.INIT_TIMEOUT, e.kind());
    assertTrue(e.isRetryable());
    assertTrue(e.getMessage().contains("no identity issued yet"), e.getMessage());
    assertTrue(e.getMessage().contains("PT1.5S"), e.getMessage());
    assertEquals("WEP-13", e.rule().orElseThrow());
    assertEquals(Kind.NO_IDENTITY, e.endpointError().orElseThrow().kind());
    assertTrue(waited.compareTo(Duration.ofMillis(1500)) >= 0 && waited.compareTo(Duration.ofSeconds(6)) < 0,
        "waited " + waited);
    assertTrue(server.calls(FETCH_X509_SVID) >= 2, "the denial was retried");
    awaitTrue(() -> clientThreads().isEmpty(), "threads left: " + clientThreads());
    int calls = server.calls(FETCH_X509_SVID);
    Thread.sleep(300);
    assertEquals(calls, server.calls(FETCH_X509_SVID), "no retry after the failed start");
  }

  @Test
  void WEP_14_build_failsAtOnce_whenTheEndpointRefusesForGood() {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    server.failNext(FETCH_X509_SVID, Status.UNIMPLEMENTED);
    long start = System.nanoTime();
    SourceException e = assertThrows(SourceException.class, () -> source().build());
    assertEquals(SourceException.Kind.STOPPED, e.kind());
    assertFalse(e.isRetryable());
    assertEquals(Kind.UNIMPLEMENTED, e.endpointError().orElseThrow().kind());
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0,
        "did not wait for the init timeout");
  }

  @Test
  void build_neverStartsWithAnExpiredSvid() {
    TestClock clock = new TestClock(Instant.now().plus(Duration.ofHours(3)));
    server.setX509Context(x509Response(false, svid(WEB, "")));
    SourceException e = assertThrows(SourceException.class,
        () -> source().clock(clock).initTimeout(Duration.ofMillis(300)).build());
    assertEquals(SourceException.Kind.INIT_TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("expired at"), e.getMessage());
  }

  @Test
  void WAPI_15_theDefaultIsTheFirstSvid_aHintOrPickerChoosesAnother() {
    server.setX509Context(x509Response(false, svid(WEB, "external"), svid(DB, "internal")));
    assertEquals(WEB, closeLater(source().build()).x509Svid().id());
    assertEquals(DB, closeLater(source().svidHint("internal").build()).x509Svid().id());
    assertEquals(DB, closeLater(source().svidPicker(svids -> svids.get(svids.size() - 1)).build()).x509Svid().id());

    SourceException e = assertThrows(SourceException.class,
        () -> source().svidHint("absent").initTimeout(Duration.ofMillis(300)).build());
    assertEquals(SourceException.Kind.INIT_TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("no SVID with hint \"absent\"") && e.getMessage().contains(WEB.toString()),
        e.getMessage());
  }

  @Test
  void WAPI_08_aWithdrawnSvidIsNoLongerServed_untilItComesBack() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "external"), svid(DB, "internal")));
    X509Source source = closeLater(source().svidHint("internal").build());
    RecordingListener<X509Context> updates = new RecordingListener<>();
    source.addListener(updates, Runnable::run);
    updates.next();

    server.setX509Context(x509Response(false, svid(WEB, "external")));
    updates.next();
    SourceException e = assertThrows(SourceException.class, source::x509Svid);
    assertEquals(SourceException.Kind.NO_SVID, e.kind());
    assertTrue(e.isRetryable());
    assertThrows(SourceException.class, source::snapshot);
    assertFalse(source.health().serving());
    assertEquals(List.of(TestMaterial.EXAMPLE_CA), source.x509BundleFor(EXAMPLE).x509Authorities(),
        "bundles are still served");

    server.setX509Context(x509Response(false, svid(DB, "internal")));
    updates.next();
    assertEquals(DB, source.x509Svid().id());
    assertTrue(source.health().serving());
  }

  @Test
  void WAPI_05_eachUpdateReplacesTheBundles_aMissingFederatedBundleIsGone() throws Exception {
    server.setX509Context(x509Response(true, svid(WEB, "")));
    X509Source source = closeLater(source().build());
    assertEquals(List.of(TestMaterial.FEDERATED_CA), source.x509BundleFor(FEDERATED).x509Authorities());
    RecordingListener<X509Context> updates = new RecordingListener<>();
    source.addListener(updates, Runnable::run);
    updates.next();

    server.setX509Context(x509Response(false, svid(DB, "")));
    assertEquals(Set.of(EXAMPLE), updates.next().bundles().trustDomains());
    assertThrows(BundleNotFoundException.class, () -> source.x509BundleFor(FEDERATED));
    assertEquals(DB, source.x509Svid().id());
  }

  /**
   * Every update has its own CA: the SVID is issued by it and both bundles are it. A reader that ever saw the SVID of
   * one update with a bundle of another would find an issuer that is not the bundle's subject.
   */
  @Test
  void snapshotIsNeverTorn_whileUpdatesRace() throws Exception {
    Instant now = Instant.now();
    List<X509SVIDResponse> updates = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      Ca ca = SourceMaterial.root(EXAMPLE, "update-" + i);
      updates.add(X509SVIDResponse.newBuilder()
          .addSvids(SourceMaterial.svid(WEB, "", ca.leaf(WEB, now.minusSeconds(60), now.plusSeconds(3600)), List.of(),
              ca.certificate))
          .putFederatedBundles(FEDERATED.idString(), der(ca.certificate))
          .build());
    }
    server.setX509Context(updates.get(0));
    X509Source source = closeLater(source().build());
    AtomicInteger delivered = new AtomicInteger();
    source.addListener(context -> delivered.incrementAndGet(), Runnable::run);

    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
    Set<X509Certificate> leavesSeen = ConcurrentHashMap.newKeySet();
    AtomicInteger reads = new AtomicInteger();
    ExecutorService readers = Executors.newFixedThreadPool(2);
    try {
      for (int r = 0; r < 2; r++) {
        readers.execute(() -> {
          while (!stop.get()) {
            X509Source.Snapshot snapshot = source.snapshot();
            X509Certificate leaf = snapshot.svid().leaf();
            for (X509Certificate authority : List.of(snapshot.x509BundleFor(EXAMPLE).x509Authorities().get(0),
                snapshot.x509BundleFor(FEDERATED).x509Authorities().get(0))) {
              if (!leaf.getIssuerX500Principal().equals(authority.getSubjectX500Principal()) && torn.size() < 5) {
                torn.add(leaf.getIssuerX500Principal() + " with " + authority.getSubjectX500Principal());
              }
            }
            if (snapshot.context().defaultSvid() != snapshot.svid() && torn.size() < 5) {
              torn.add("the SVID is not the context's");
            }
            leavesSeen.add(leaf);
            reads.incrementAndGet();
          }
        });
      }
      for (int i = 1; i <= 300; i++) {
        server.setX509Context(updates.get(i % updates.size()));
        if (i % 50 == 0) {
          Thread.sleep(20);
        }
      }
      awaitTrue(() -> delivered.get() == 301, "every update arrived");
    } finally {
      stop.set(true);
      readers.shutdown();
      assertTrue(readers.awaitTermination(10, TimeUnit.SECONDS));
    }
    assertEquals(List.of(), List.copyOf(torn));
    assertTrue(leavesSeen.size() > 1, "readers saw the updates: " + leavesSeen.size() + " in " + reads + " reads");
  }

  @Test
  void listeners_getTheCurrentContextThenEveryUpdate_aThrowingOneDoesNotDisturbTheOthers() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    X509Source source = closeLater(source().build());
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      AtomicInteger thrown = new AtomicInteger();
      source.addListener(context -> {
        thrown.incrementAndGet();
        throw new IllegalStateException("listener bug");
      }, executor);
      RecordingListener<X509Context> listener = new RecordingListener<>();
      source.addListener(listener, executor);
      assertEquals(WEB, listener.next().defaultSvid().id(), "the current context at once");

      server.setX509Context(x509Response(false, svid(DB, "")));
      assertEquals(DB, listener.next().defaultSvid().id());
      server.setX509Context(x509Response(true, svid(WEB, "")));
      assertEquals(Set.of(EXAMPLE, FEDERATED), listener.next().bundles().trustDomains());
      awaitTrue(() -> thrown.get() == 3, "the throwing listener was called for each");

      assertTrue(source.removeListener(listener));
      assertFalse(source.removeListener(listener));
      server.setX509Context(x509Response(false, svid(DB, "")));
      awaitTrue(() -> thrown.get() == 4, "the update was delivered");
      executor.submit(() -> { }).get();
      assertTrue(listener.received.isEmpty(), "a removed listener hears nothing");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void X509_16_anExpiredSvidIsNeverHandedOut_aKeyManagerFailsInstead() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    TestClock clock = new TestClock(now);
    Ca ca = SourceMaterial.root(EXAMPLE, "expiry");
    server.setX509Context(X509SVIDResponse.newBuilder()
        .addSvids(SourceMaterial.svid(WEB, "", ca.leaf(WEB, now.minusSeconds(60), now.plusSeconds(600)), List.of(),
            ca.certificate))
        .build());
    X509Source source = closeLater(source().clock(clock).build());
    assertEquals(Duration.ofMinutes(10), source.health().svidTimeToExpiry().orElseThrow());

    clock.advance(Duration.ofSeconds(600));
    assertEquals(WEB, source.x509Svid().id(), "valid through its notAfter");
    clock.advance(Duration.ofSeconds(1));
    SourceException e = assertThrows(SourceException.class, source::x509Svid);
    assertEquals(SourceException.Kind.EXPIRED, e.kind());
    assertEquals("X509-16", e.rule().orElseThrow());
    assertThrows(SourceException.class, source::snapshot);
    assertEquals(Duration.ofSeconds(-1), source.health().svidTimeToExpiry().orElseThrow());
    assertFalse(source.health().serving());
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(source);
    assertThrows(SourceException.class, () -> keyManager.chooseEngineServerAlias("EC", null, null),
        "the handshake fails rather than present an expired certificate");

    RecordingListener<X509Context> updates = new RecordingListener<>();
    source.addListener(updates, Runnable::run);
    updates.next();
    Instant later = clock.instant();
    server.setX509Context(X509SVIDResponse.newBuilder()
        .addSvids(SourceMaterial.svid(WEB, "", ca.leaf(WEB, later.minusSeconds(60), later.plusSeconds(600)),
            List.of(), ca.certificate))
        .build());
    updates.next();
    X509Svid renewed = source.x509Svid();
    assertEquals(later.plusSeconds(600), renewed.expiresAt());
    assertTrue(source.health().serving());
  }

  @Test
  void health_reportsUpdates_expiry_connection_andTheLastError() throws Exception {
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    TestClock clock = new TestClock(now);
    server.setX509Context(x509Response(false, svid(WEB, "")));
    X509Source source = closeLater(source().clock(clock).build());
    Instant notAfter = source.x509Svid().expiresAt();

    clock.advance(Duration.ofMinutes(5));
    SourceHealth health = source.health();
    assertEquals(now, health.lastUpdate().orElseThrow());
    assertEquals(Duration.ofMinutes(5), health.lastUpdateAge().orElseThrow());
    assertEquals(notAfter, health.svidExpiresAt().orElseThrow());
    assertEquals(Duration.between(clock.instant(), notAfter), health.svidTimeToExpiry().orElseThrow());
    assertTrue(health.connected());
    assertTrue(health.serving());
    assertTrue(health.lastError().isEmpty());
    assertFalse(health.closed());

    server.close();
    awaitTrue(() -> !source.health().connected(), "the watch noticed the endpoint went away");
    SourceHealth down = source.health();
    assertTrue(down.lastError().orElseThrow().isRetryable());
    assertTrue(down.serving(), "the last SVID is still served");
    assertEquals(WEB, source.x509Svid().id());

    server = server.restart();
    awaitTrue(() -> source.health().connected(), "the watch reconnected");
    assertTrue(source.health().lastError().isPresent(), "the last error is kept after recovery");
    assertEquals(clock.instant(), source.health().lastUpdate().orElseThrow());

    source.close();
    SourceHealth closed = source.health();
    assertTrue(closed.closed());
    assertFalse(closed.connected());
    assertFalse(closed.serving());
  }

  @Test
  void close_isIdempotent_closesTheClientItCreated_andLeavesNoThreads() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    X509Source source = X509Source.builder().address(server.address()).build();
    assertFalse(clientThreads().isEmpty(), "the source's own client runs threads");
    source.close();
    source.close();
    awaitTrue(() -> clientThreads().isEmpty(), "threads left: " + clientThreads());
    awaitTrue(() -> server.openStreams(FETCH_X509_SVID) == 0, "the stream is cancelled");
    assertEquals(SourceException.Kind.CLOSED, assertThrows(SourceException.class, source::x509Svid).kind());
    assertEquals(SourceException.Kind.CLOSED,
        assertThrows(SourceException.class, () -> source.x509BundleFor(EXAMPLE)).kind());
    assertThrows(SourceException.class, () -> source.addListener(context -> { }, Runnable::run));
  }

  @Test
  void sourcesShareOneClient_closingOneLeavesTheClientAndTheOthersRunning() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "external"), svid(DB, "internal")));
    server.setX509Bundles(TestMaterial.x509Bundles(false));
    server.setJwtBundles(TestMaterial.jwtBundles());
    X509Source web = source().build();
    X509Source db = closeLater(source().svidHint("internal").build());
    BundleSource bundles = closeLater(BundleSource.builder().client(client()).build());
    assertEquals(2, server.openStreams(FETCH_X509_SVID));

    web.close();
    awaitTrue(() -> server.openStreams(FETCH_X509_SVID) == 1, "only the closed source's stream is cancelled");
    assertEquals(Set.of(EXAMPLE), client().fetchX509Bundles().trustDomains(), "the shared client still works");
    RecordingListener<X509Context> updates = new RecordingListener<>();
    db.addListener(updates, Runnable::run);
    updates.next();
    SpiffeId renamed = SpiffeId.parse("spiffe://example.org/db2");
    server.setX509Context(x509Response(false, svid(renamed, "internal")));
    updates.next();
    assertEquals(renamed, db.x509Svid().id());
    assertEquals(Set.of(EXAMPLE), bundles.snapshot().x509Bundles().trustDomains());
  }

  @Test
  void builder_checksItsSettings() {
    X509Source.Builder builder = X509Source.builder();
    assertThrows(IllegalArgumentException.class, () -> builder.initTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.svidHint(""));
    assertThrows(NullPointerException.class, () -> builder.svidPicker(null));
    assertThrows(WorkloadApiException.class, () -> builder.address("unix://relative"));
    builder.client(client()).address(server.address());
    assertThrows(IllegalStateException.class, builder::build);
  }

  @Test
  void build_onAClosedClientFails() {
    client().close();
    WorkloadApiException e = assertThrows(WorkloadApiException.class, () -> source().build());
    assertEquals(Kind.CLOSED, e.kind());
  }

  @Test
  void snapshotAndToStringNameNoKey() {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    X509Source source = closeLater(source().build());
    assertSame(source.snapshot().svid(), source.x509Svid());
    assertTrue(source.toString().startsWith("X509Source at unix://"), source.toString());
    assertFalse(source.snapshot().toString().contains("PRIVATE"), source.snapshot().toString());
  }
}
