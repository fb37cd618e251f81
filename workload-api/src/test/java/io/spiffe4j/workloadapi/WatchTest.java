package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_JWT_BUNDLES;
import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_X509_BUNDLES;
import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_X509_SVID;
import static io.spiffe4j.workloadapi.TestMaterial.DB;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.FEDERATED;
import static io.spiffe4j.workloadapi.TestMaterial.WEB;
import static io.spiffe4j.workloadapi.TestMaterial.svid;
import static io.spiffe4j.workloadapi.TestMaterial.x509Response;
import static io.spiffe4j.workloadapi.WorkloadApiClientTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Watches: full states, reconnects, the retry curves and stops, against {@link FakeWorkloadApi}. */
class WatchTest {
  private static final Backoff FAST = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(100));
  private static final Backoff FAST_NO_IDENTITY = Backoff.exponential(Duration.ofMillis(20), Duration.ofMillis(100));

  @TempDir
  Path dir;

  private FakeWorkloadApi server;
  private WorkloadApiClient client;

  @BeforeEach
  void start() {
    server = FakeWorkloadApi.start(dir.resolve("agent.sock"), Transport.Io.best());
    client = WorkloadApiClient.builder().address(server.address()).backoff(FAST).noIdentityBackoff(FAST_NO_IDENTITY)
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void WAPI_05_eachUpdateIsAFullState_aMissingFederatedBundleIsGone() {
    server.setX509Context(x509Response(true, svid(WEB, "")));
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    Watch watch = client.watchX509Context(watcher);
    assertTrue(watch.isActive());
    assertEquals(Set.of(EXAMPLE, FEDERATED), watcher.nextUpdate().bundles().trustDomains());

    server.setX509Context(x509Response(false, svid(DB, "")));
    X509Context second = watcher.nextUpdate();
    assertEquals(Set.of(EXAMPLE), second.bundles().trustDomains(), "the federated bundle was redacted");
    assertEquals(DB, second.defaultSvid().id());
    assertEquals(1, server.calls(FETCH_X509_SVID));
    assertTrue(watcher.errors.isEmpty());
  }

  @Test
  void bundleWatchesDeliverUpdates_andRedact() {
    server.setX509Bundles(TestMaterial.x509Bundles(true));
    server.setJwtBundles(TestMaterial.jwtBundles());
    RecordingWatcher<BundleSet> x509 = new RecordingWatcher<>();
    RecordingWatcher<BundleSet> jwt = new RecordingWatcher<>();
    client.watchX509Bundles(x509);
    client.watchJwtBundles(jwt);
    assertEquals(Set.of(EXAMPLE, FEDERATED), x509.nextUpdate().trustDomains());
    assertEquals(TestMaterial.jwtBundle(), jwt.nextUpdate().jwtBundleFor(EXAMPLE));
    server.setX509Bundles(TestMaterial.x509Bundles(false));
    assertEquals(Set.of(EXAMPLE), x509.nextUpdate().trustDomains());
    assertEquals(1, server.calls(FETCH_X509_BUNDLES));
    assertEquals(1, server.calls(FETCH_JWT_BUNDLES));
  }

  @Test
  void WAPI_03_reconnectsAfterTheEndpointEndsTheStream() {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    client.watchX509Context(watcher);
    watcher.nextUpdate();
    server.completeStreams();
    WorkloadApiException error = watcher.nextError();
    assertEquals("OK", error.statusCode().orElseThrow());
    assertEquals("WAPI-03", error.rule().orElseThrow());
    assertTrue(error.isRetryable());
    watcher.nextUpdate();
    assertEquals(2, server.calls(FETCH_X509_SVID));
  }

  @Test
  void WEP_12_reconnectsAfterTheEndpointRestarts() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    client.watchX509Context(watcher);
    watcher.nextUpdate();
    server.close();
    // The stream is cut (CANCELLED or UNAVAILABLE, depending on timing): retryable either way.
    assertTrue(watcher.nextError().isRetryable());
    // Several retries fail while the endpoint is down; each is reported and none stops the watch.
    awaitTrue(() -> watcher.errors.size() >= 2, "retries while down");
    server = server.restart();
    server.setX509Context(x509Response(false, svid(DB, "")));
    awaitTrue(() -> watcher.updates.stream().anyMatch(c -> c.defaultSvid().id().equals(DB)), "update after restart");
    assertTrue(watcher.stops.isEmpty());
  }

  @Test
  void WEP_12_retriesAnUnavailableStatus() {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    server.failNext(FETCH_X509_SVID, Status.UNAVAILABLE, Status.INTERNAL);
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    client.watchX509Context(watcher);
    assertEquals(Kind.UNAVAILABLE, watcher.nextError().kind());
    WorkloadApiException other = watcher.nextError();
    assertEquals(Kind.OTHER_STATUS, other.kind());
    assertEquals("INTERNAL", other.statusCode().orElseThrow());
    watcher.nextUpdate();
    assertEquals(3, server.calls(FETCH_X509_SVID));
  }

  @Test
  void WEP_13_permissionDeniedIsRetriedUntilAnIdentityIsIssued() {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    server.failNext(FETCH_X509_SVID, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED);
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    long start = System.nanoTime();
    client.watchX509Context(watcher);
    for (int i = 0; i < 3; i++) {
      WorkloadApiException error = watcher.nextError();
      assertEquals(Kind.NO_IDENTITY, error.kind());
      assertEquals("WEP-13", error.rule().orElseThrow());
    }
    assertEquals(WEB, watcher.nextUpdate().defaultSvid().id());
    // The no-identity curve (20, 40, 80 ms, ±20 %) was used, not the 10 ms transient one.
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofMillis(110)) >= 0);
    assertEquals(4, server.calls(FETCH_X509_SVID));
    assertTrue(watcher.stops.isEmpty());
  }

  @ParameterizedTest
  @EnumSource(names = {"INVALID_ARGUMENT", "UNIMPLEMENTED"})
  void WEP_14_nonRetryableCodeStopsTheWatchAndSurfaces(Status.Code code) throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    server.failNext(FETCH_X509_SVID, Status.fromCode(code));
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    Watch watch = client.watchX509Context(watcher);
    WorkloadApiException stop = watcher.nextStop();
    assertEquals(code.name(), stop.statusCode().orElseThrow());
    assertFalse(stop.isRetryable());
    awaitTrue(() -> !watch.isActive(), "the watch is stopped");
    Thread.sleep(200);
    assertEquals(1, server.calls(FETCH_X509_SVID), "no retry");
    assertTrue(watcher.updates.isEmpty());
    assertTrue(watcher.errors.isEmpty());
  }

  @Test
  void WAPI_06_anInvalidMessageIsReportedAndDiscarded_theStreamGoesOn() {
    server.setX509Context(X509SVIDResponse.getDefaultInstance());
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    client.watchX509Context(watcher);
    WorkloadApiException error = watcher.nextError();
    assertEquals(Kind.INVALID_RESPONSE, error.kind());
    assertEquals("WAPI-08", error.rule().orElseThrow());
    server.setX509Context(x509Response(false, svid(WEB, "")));
    assertEquals(WEB, watcher.nextUpdate().defaultSvid().id());
    assertEquals(1, server.calls(FETCH_X509_SVID), "no reconnect for a bad message");
    assertTrue(watcher.updates.isEmpty(), "the invalid message was never delivered");
  }

  @Test
  void closingAWatchCancelsItsStream_andSilencesIt() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    Watch watch = client.watchX509Context(watcher);
    watcher.nextUpdate();
    watch.close();
    watch.close();
    assertFalse(watch.isActive());
    awaitTrue(() -> server.openStreams(FETCH_X509_SVID) == 0, "the stream is cancelled");
    server.setX509Context(x509Response(false, svid(DB, "")));
    Thread.sleep(200);
    assertTrue(watcher.updates.isEmpty());
    assertTrue(watcher.stops.isEmpty(), "closing by the caller is not a stop to report");
  }

  @Test
  void closingTheClientStopsEveryWatchWithClosed() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    Watch watch = client.watchX509Context(watcher);
    watcher.nextUpdate();
    client.close();
    assertEquals(Kind.CLOSED, watcher.nextStop().kind());
    assertFalse(watch.isActive());
    assertTrue(watcher.stops.poll(200, TimeUnit.MILLISECONDS) == null, "stopped once");
  }

  @Test
  void aThrowingWatcherDoesNotStopTheWatch() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    AtomicInteger seen = new AtomicInteger();
    RecordingWatcher<X509Context> recorder = new RecordingWatcher<>();
    client.watchX509Context(update -> {
      if (seen.incrementAndGet() == 1) {
        throw new IllegalStateException("watcher bug");
      }
      recorder.onUpdate(update);
    });
    awaitTrue(() -> seen.get() == 1, "the first update reached the watcher");
    server.setX509Context(x509Response(false, svid(DB, "")));
    assertEquals(DB, recorder.nextUpdate().defaultSvid().id());
  }

  @Test
  void callbacksOfOneWatchNeverOverlap() throws Exception {
    server.setX509Context(x509Response(false, svid(WEB, "")));
    AtomicInteger running = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger updates = new AtomicInteger();
    client.watchX509Context(new Watcher<>() {
      @Override
      public void onUpdate(X509Context update) {
        enter();
        updates.incrementAndGet();
      }

      @Override
      public void onError(WorkloadApiException error) {
        enter();
      }

      private void enter() {
        if (running.incrementAndGet() > 1) {
          overlaps.incrementAndGet();
        }
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        running.decrementAndGet();
      }
    });
    // Each end of stream brings an error, then the update of the next stream: both must come one after the other.
    for (int i = 1; i <= 5; i++) {
      int expected = i;
      awaitTrue(() -> updates.get() >= expected, "update " + expected);
      server.completeStreams();
    }
    awaitTrue(() -> updates.get() >= 6, "the last update");
    assertEquals(0, overlaps.get());
  }
}
