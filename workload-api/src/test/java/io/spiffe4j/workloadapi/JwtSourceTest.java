package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_JWT_BUNDLES;
import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_JWT_SVID;
import static io.spiffe4j.workloadapi.RecordingListener.clientThreads;
import static io.spiffe4j.workloadapi.TestMaterial.DB;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.FEDERATED;
import static io.spiffe4j.workloadapi.TestMaterial.WEB;
import static io.spiffe4j.workloadapi.WorkloadApiClientTest.awaitTrue;
import static io.spiffe4j.workloadapi.X509SourceTest.FAST;
import static io.spiffe4j.workloadapi.X509SourceTest.FAST_NO_IDENTITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.JWTSVID;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link JwtSource} against {@link FakeWorkloadApi}: JWT bundles, and the JWT-SVID cache on an injected clock. */
class JwtSourceTest {
  private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(10);
  private static final KeyPair FEDERATED_JWT_KEY = KeyAlgorithm.EC_P256.generate();

  @TempDir
  Path dir;

  private FakeWorkloadApi server;
  private WorkloadApiClient client;
  private final TestClock clock = new TestClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  /** The expiry the fake gives the next tokens, relative to the clock; null for the normal lifetime. */
  private volatile Duration tokenExpiry;

  @BeforeEach
  void start() {
    server = FakeWorkloadApi.start(dir.resolve("agent.sock"), Transport.Io.best());
    server.setJwtSvids(this::mint);
    client = WorkloadApiClient.builder().address(server.address()).backoff(FAST).noIdentityBackoff(FAST_NO_IDENTITY)
        .build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  /** Tokens issued at the test clock's instant, for the requested subject (WEB by default) and audiences. */
  private JWTSVIDResponse mint(JWTSVIDRequest request) {
    SpiffeId subject = request.getSpiffeId().isEmpty() ? WEB : SpiffeId.parse(request.getSpiffeId());
    Instant now = clock.instant();
    String token = JwtSvidMinter.forSubject(subject)
        .audience(request.getAudienceList().toArray(new String[0]))
        .issuedAt(now)
        .expiry(now.plus(tokenExpiry != null ? tokenExpiry : TOKEN_LIFETIME))
        .keyId(TestMaterial.KEY_ID)
        .sign(TestMaterial.JWT_KEY.getPrivate());
    return JWTSVIDResponse.newBuilder().addSvids(JWTSVID.newBuilder().setSpiffeId(subject.toString()).setSvid(token))
        .build();
  }

  private JwtSource source() {
    server.setJwtBundles(TestMaterial.jwtBundles());
    return JwtSource.builder().client(client).clock(clock).initTimeout(Duration.ofSeconds(10)).build();
  }

  private static JWTBundlesResponse jwtBundlesWithFederated() {
    JwtBundle federated = JwtBundle.of(FEDERATED, Map.of("federated-key", FEDERATED_JWT_KEY.getPublic()));
    return TestMaterial.jwtBundles().toBuilder()
        .putBundles(FEDERATED.idString(), ByteString.copyFrom(federated.marshal()))
        .build();
  }

  @Test
  void build_blocksUntilTheFirstJwtBundles_thenValidatesWithThem() throws Exception {
    CompletableFuture<JwtSource> building = CompletableFuture.supplyAsync(
        () -> JwtSource.builder().client(client).initTimeout(Duration.ofSeconds(10)).build());
    awaitTrue(() -> server.openStreams(FETCH_JWT_BUNDLES) == 1, "the watch is open");
    Thread.sleep(200);
    assertFalse(building.isDone(), "no source before the first bundles");
    server.setJwtBundles(TestMaterial.jwtBundles());
    try (JwtSource source = building.get(10, TimeUnit.SECONDS)) {
      assertEquals(TestMaterial.jwtBundle(), source.jwtBundleFor(EXAMPLE));
      JwtSvid validated = JwtSvidValidator.builder().bundleSource(source).expectAudience("payments").build()
          .validate(TestMaterial.token(WEB, "payments"));
      assertEquals(WEB, validated.id());
    }
  }

  @Test
  void WEP_13_initTimeout_whenTheEndpointOnlyDeniesPermission() {
    server.failNext(FETCH_JWT_BUNDLES, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED,
        Status.PERMISSION_DENIED, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED,
        Status.PERMISSION_DENIED, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED, Status.PERMISSION_DENIED);
    server.setJwtBundles(TestMaterial.jwtBundles());
    SourceException e = assertThrows(SourceException.class,
        () -> JwtSource.builder().client(client).initTimeout(Duration.ofMillis(400)).build());
    assertEquals(SourceException.Kind.INIT_TIMEOUT, e.kind());
    assertTrue(e.getMessage().contains("FetchJWTBundles: no identity issued yet"), e.getMessage());
  }

  @Test
  void WAPI_05_eachUpdateReplacesTheJwtBundles() throws Exception {
    server.setJwtBundles(jwtBundlesWithFederated());
    try (JwtSource source = JwtSource.builder().client(client).build()) {
      assertEquals(FEDERATED_JWT_KEY.getPublic(),
          source.jwtBundleFor(FEDERATED).findJwtAuthority("federated-key").orElseThrow());
      RecordingListener<BundleSet> updates = new RecordingListener<>();
      source.addListener(updates, Runnable::run);
      assertEquals(Set.of(EXAMPLE, FEDERATED), updates.next().trustDomains());

      server.setJwtBundles(TestMaterial.jwtBundles());
      assertEquals(Set.of(EXAMPLE), updates.next().trustDomains());
      assertThrows(BundleNotFoundException.class, () -> source.jwtBundleFor(FEDERATED));
      assertEquals(Set.of(EXAMPLE), source.bundles().trustDomains());
    }
  }

  @Test
  void jwtSvid_isCachedUntilHalfItsLifetime_thenFetchedAgain() {
    try (JwtSource source = source()) {
      JwtSvid first = source.fetchJwtSvid("payments");
      assertEquals(WEB, first.id());
      assertEquals(1, server.calls(FETCH_JWT_SVID));
      assertSame(first, source.fetchJwtSvid("payments"));

      clock.advance(TOKEN_LIFETIME.dividedBy(2).minusSeconds(1));
      assertSame(first, source.fetchJwtSvid("payments"), "younger than half its lifetime");
      assertEquals(1, server.calls(FETCH_JWT_SVID));

      clock.advance(Duration.ofSeconds(1));
      JwtSvid second = source.fetchJwtSvid("payments");
      assertNotSame(first, second, "refreshed at half its lifetime");
      assertEquals(2, server.calls(FETCH_JWT_SVID));
      assertEquals(clock.instant().plus(TOKEN_LIFETIME), second.expiry());
      assertSame(second, source.fetchJwtSvid("payments"));
      assertEquals(2, server.calls(FETCH_JWT_SVID));
    }
  }

  @Test
  void jwtSvid_isCachedPerSubjectAndAudienceSet() {
    try (JwtSource source = source()) {
      JwtSvid both = source.fetchJwtSvid("payments", "audit");
      assertSame(both, source.fetchJwtSvid("audit", "payments"), "the same audiences in another order");
      assertEquals(List.of("audit", "payments"), both.audience());
      JwtSvid one = source.fetchJwtSvid("payments");
      JwtSvid db = source.fetchJwtSvid(DB, "payments");
      assertEquals(DB, db.id());
      assertSame(db, source.fetchJwtSvid(DB, "payments"));
      assertNotSame(one, db);
      assertEquals(3, server.calls(FETCH_JWT_SVID));
      assertThrows(IllegalArgumentException.class, () -> source.fetchJwtSvid("payments", ""));
      assertThrows(NullPointerException.class, () -> source.fetchJwtSvid((String) null));
    }
  }

  @Test
  void jwtSvid_concurrentCallersShareOneFetch() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    server.setJwtSvids(request -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return mint(request);
    });
    ExecutorService callers = Executors.newFixedThreadPool(6);
    try (JwtSource source = source()) {
      List<Future<JwtSvid>> results = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        results.add(callers.submit(() -> source.fetchJwtSvid("payments")));
      }
      awaitTrue(() -> server.calls(FETCH_JWT_SVID) == 1, "the first fetch reached the endpoint");
      Thread.sleep(200);
      release.countDown();
      JwtSvid shared = results.get(0).get(10, TimeUnit.SECONDS);
      for (Future<JwtSvid> result : results) {
        assertSame(shared, result.get(10, TimeUnit.SECONDS));
      }
      assertEquals(1, server.calls(FETCH_JWT_SVID));
    } finally {
      callers.shutdownNow();
    }
  }

  @Test
  void JWT_09_anExpiredTokenIsNeverReturned() {
    try (JwtSource source = source()) {
      tokenExpiry = Duration.ofSeconds(-1);
      SourceException e = assertThrows(SourceException.class, () -> source.fetchJwtSvid("payments"));
      assertEquals(SourceException.Kind.EXPIRED, e.kind());
      assertEquals("JWT-09", e.rule().orElseThrow());
      assertFalse(e.getMessage().contains("eyJ"), "no token in the message");

      tokenExpiry = null;
      JwtSvid valid = source.fetchJwtSvid("payments");
      clock.advance(TOKEN_LIFETIME);
      server.failNext(FETCH_JWT_SVID, Status.UNAVAILABLE);
      WorkloadApiException down = assertThrows(WorkloadApiException.class, () -> source.fetchJwtSvid("payments"),
          "an expired cached token is not a fallback");
      assertEquals(Kind.UNAVAILABLE, down.kind());
      assertNotSame(valid, source.fetchJwtSvid("payments"));
    }
  }

  @Test
  void jwtSvid_whileTheEndpointIsDown_theCachedTokenServesUntilItExpires() {
    try (JwtSource source = source()) {
      JwtSvid first = source.fetchJwtSvid("payments");
      clock.advance(Duration.ofMinutes(6));
      server.failNext(FETCH_JWT_SVID, Status.UNAVAILABLE);
      assertSame(first, source.fetchJwtSvid("payments"), "still valid: used while the endpoint is down");
      assertEquals(2, server.calls(FETCH_JWT_SVID));

      // The next attempt comes half way through the remaining 4 minutes.
      clock.advance(Duration.ofMinutes(1));
      assertSame(first, source.fetchJwtSvid("payments"));
      assertEquals(2, server.calls(FETCH_JWT_SVID));
      clock.advance(Duration.ofMinutes(1));
      JwtSvid renewed = source.fetchJwtSvid("payments");
      assertNotSame(first, renewed);
      assertEquals(3, server.calls(FETCH_JWT_SVID));
    }
  }

  @Test
  void WEP_13_aRefusedRefreshIsThrown_notPaperedOver() {
    try (JwtSource source = source()) {
      JwtSvid first = source.fetchJwtSvid("payments");
      clock.advance(Duration.ofMinutes(6));
      server.failNext(FETCH_JWT_SVID, Status.PERMISSION_DENIED);
      WorkloadApiException e = assertThrows(WorkloadApiException.class, () -> source.fetchJwtSvid("payments"));
      assertEquals(Kind.NO_IDENTITY, e.kind());
      assertNotSame(first, source.fetchJwtSvid("payments"), "the refused token was dropped");
    }
  }

  @Test
  void health_andClose_ofASourceWithItsOwnClient() throws Exception {
    client.close();
    server.setJwtBundles(TestMaterial.jwtBundles());
    JwtSource source = JwtSource.builder().address(server.address()).clock(clock).build();
    clock.advance(Duration.ofSeconds(30));
    SourceHealth health = source.health();
    assertEquals(Duration.ofSeconds(30), health.lastUpdateAge().orElseThrow());
    assertTrue(health.connected() && health.serving());
    assertTrue(health.svidExpiresAt().isEmpty());
    source.fetchJwtSvid("payments");

    source.close();
    source.close();
    awaitTrue(() -> clientThreads().isEmpty(), "threads left: " + clientThreads());
    assertEquals(SourceException.Kind.CLOSED,
        assertThrows(SourceException.class, () -> source.fetchJwtSvid("payments")).kind());
    assertThrows(SourceException.class, () -> source.jwtBundleFor(EXAMPLE));
    assertTrue(source.health().closed());
  }
}
