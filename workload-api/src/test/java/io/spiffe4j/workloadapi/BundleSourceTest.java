package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_JWT_BUNDLES;
import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_X509_BUNDLES;
import static io.spiffe4j.workloadapi.RecordingListener.clientThreads;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.FEDERATED;
import static io.spiffe4j.workloadapi.WorkloadApiClientTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.BundleNotFoundException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link BundleSource} against {@link FakeWorkloadApi}: both kinds of bundles, redaction, listeners, health, close. */
class BundleSourceTest {
  @TempDir
  Path dir;

  private FakeWorkloadApi server;

  @BeforeEach
  void start() {
    server = FakeWorkloadApi.start(dir.resolve("agent.sock"), Transport.Io.best());
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private BundleSource.Builder source() {
    return BundleSource.builder().address(server.address()).initTimeout(Duration.ofSeconds(10));
  }

  @Test
  void build_waitsForBothKindsOfBundles_andSaysWhichIsMissing() {
    server.setX509Bundles(TestMaterial.x509Bundles(true));
    SourceException e = assertThrows(SourceException.class,
        () -> source().initTimeout(Duration.ofMillis(400)).build());
    assertEquals(SourceException.Kind.INIT_TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("FetchJWTBundles: the endpoint has sent nothing yet"), e.getMessage());

    server.setJwtBundles(TestMaterial.jwtBundles());
    try (BundleSource source = source().build()) {
      assertEquals(List.of(TestMaterial.FEDERATED_CA), source.x509BundleFor(FEDERATED).x509Authorities());
      assertEquals(TestMaterial.jwtBundle(), source.jwtBundleFor(EXAMPLE));
      assertThrows(BundleNotFoundException.class, () -> source.jwtBundleFor(FEDERATED),
          "the kinds are not mixed: federated.org has X.509 authorities only");
    }
  }

  @Test
  void WAPI_05_eachUpdateReplacesItsKindOfBundles_listenersSeeBothHalves() throws Exception {
    server.setX509Bundles(TestMaterial.x509Bundles(true));
    server.setJwtBundles(TestMaterial.jwtBundles());
    try (BundleSource source = source().build()) {
      RecordingListener<BundleSource.Snapshot> updates = new RecordingListener<>();
      source.addListener(updates, Runnable::run);
      BundleSource.Snapshot first = updates.next();
      assertEquals(Set.of(EXAMPLE, FEDERATED), first.x509Bundles().trustDomains());
      assertEquals(Set.of(EXAMPLE), first.jwtBundles().trustDomains());

      server.setX509Bundles(TestMaterial.x509Bundles(false));
      BundleSource.Snapshot redacted = updates.next();
      assertEquals(Set.of(EXAMPLE), redacted.x509Bundles().trustDomains());
      assertEquals(Set.of(EXAMPLE), redacted.jwtBundles().trustDomains(), "the JWT half is kept");
      assertThrows(BundleNotFoundException.class, () -> source.x509BundleFor(FEDERATED));
      assertEquals(TestMaterial.jwtBundle(), source.snapshot().jwtBundleFor(EXAMPLE));
    }
  }

  @Test
  void health_coversBothWatches() throws Exception {
    TestClock clock = new TestClock(Instant.now());
    server.setX509Bundles(TestMaterial.x509Bundles(false));
    server.setJwtBundles(TestMaterial.jwtBundles());
    try (BundleSource source = source().clock(clock).build()) {
      SourceHealth health = source.health();
      assertTrue(health.connected() && health.serving());
      assertEquals(clock.instant(), health.lastUpdate().orElseThrow());
      assertTrue(health.svidTimeToExpiry().isEmpty());

      clock.advance(Duration.ofSeconds(10));
      server.completeStreams();
      awaitTrue(() -> source.health().lastError().isPresent(), "the ended streams were reported");
      awaitTrue(() -> source.health().connected(), "both watches reconnected");
      assertEquals(clock.instant(), source.health().lastUpdate().orElseThrow());
      assertEquals("WAPI-03", source.health().lastError().orElseThrow().rule().orElseThrow());
    }
  }

  @Test
  void close_stopsBothWatches_andTheClientItCreated() throws Exception {
    server.setX509Bundles(TestMaterial.x509Bundles(false));
    server.setJwtBundles(TestMaterial.jwtBundles());
    BundleSource source = source().build();
    assertEquals(1, server.openStreams(FETCH_X509_BUNDLES));
    assertEquals(1, server.openStreams(FETCH_JWT_BUNDLES));
    source.close();
    source.close();
    awaitTrue(() -> server.openStreams(FETCH_X509_BUNDLES) + server.openStreams(FETCH_JWT_BUNDLES) == 0,
        "both streams are cancelled");
    awaitTrue(() -> clientThreads().isEmpty(), "threads left: " + clientThreads());
    assertEquals(SourceException.Kind.CLOSED,
        assertThrows(SourceException.class, () -> source.x509BundleFor(EXAMPLE)).kind());
    assertThrows(SourceException.class, source::snapshot);
    assertFalse(source.health().serving());
  }
}
