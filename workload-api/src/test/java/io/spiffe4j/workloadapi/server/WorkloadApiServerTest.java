package io.spiffe4j.workloadapi.server;

import static io.spiffe4j.workloadapi.server.Recorder.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.Backoff;
import io.spiffe4j.workloadapi.Watch;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.SpiffeWorkloadAPIGrpc;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.WITSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The embedded server against spiffe4j's own {@link WorkloadApiClient}, and a raw channel, over Unix sockets. */
class WorkloadApiServerTest {
  static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  static final SpiffeId DB = SpiffeId.parse("spiffe://example.org/db");
  static final TrustDomain EXAMPLE = TrustDomain.parse("example.org");
  static final TrustDomain FEDERATED = TrustDomain.parse("federated.org");
  private static final KeyPair FEDERATED_KEY = KeyAlgorithm.EC_P256.generate();
  private static final SpiffeBundle FEDERATED_BUNDLE = SpiffeBundle.of(FEDERATED,
      List.of(CertificateMinter.ca(FEDERATED_KEY.getPublic(), FEDERATED.id()).sign(FEDERATED_KEY.getPrivate())),
      Map.of("federated-key", FEDERATED_KEY.getPublic()));
  private static final Backoff FAST = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(100));
  private static final String SERVER_THREADS = "spiffe4j-workloadapi-server";

  @TempDir
  Path dir;

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    // Clients first, then servers, then providers: the reverse of creation.
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  private MintingIdentityProvider.Builder provider(SpiffeId id) {
    return MintingIdentityProvider.builder(id).hint("external").federatedBundle(FEDERATED_BUNDLE);
  }

  private WorkloadApiServer serve(MintingIdentityProvider provider) {
    return track(WorkloadApiServer.builder().unix(dir.resolve("web.sock"), track(provider)).start());
  }

  private WorkloadApiClient client(WorkloadApiServer.Endpoint endpoint) {
    return track(WorkloadApiClient.builder().address(endpoint.address()).backoff(FAST).noIdentityBackoff(FAST)
        .build());
  }

  @ParameterizedTest
  @EnumSource(ServerIo.class)
  void everyRpcRoundTripsThroughTheClient(ServerIo io) {
    MintingIdentityProvider provider = track(provider(WEB).build());
    WorkloadApiServer server = track(WorkloadApiServer.builder().unix(dir.resolve("web.sock"), provider).io(io)
        .start());
    WorkloadApiClient client = client(server.endpoint());

    X509Context context = client.fetchX509Context();
    X509Context served = provider.x509Context().orElseThrow();
    assertEquals(WEB, context.defaultSvid().id());
    assertEquals("external", context.defaultSvid().hint());
    assertEquals(served.defaultSvid().leaf(), context.defaultSvid().leaf());
    assertEquals(served.defaultSvid().privateKey(), context.defaultSvid().privateKey());
    assertEquals(Set.of(EXAMPLE, FEDERATED), context.bundles().trustDomains());
    assertEquals(provider.bundle().x509Bundle(), context.x509BundleFor(EXAMPLE));
    assertEquals(FEDERATED_BUNDLE.x509Bundle(), context.x509BundleFor(FEDERATED));

    BundleSet x509Bundles = client.fetchX509Bundles();
    assertEquals(Set.of(EXAMPLE, FEDERATED), x509Bundles.trustDomains());
    assertEquals(provider.bundle().x509Bundle(), x509Bundles.x509BundleFor(EXAMPLE));

    BundleSet jwtBundles = client.fetchJwtBundles();
    assertEquals(provider.bundle().jwtBundle(), jwtBundles.jwtBundleFor(EXAMPLE));
    assertEquals(FEDERATED_BUNDLE.jwtBundle(), jwtBundles.jwtBundleFor(FEDERATED));

    JwtSvid token = client.fetchJwtSvid("payments", "audit");
    assertEquals(WEB, token.id());
    assertEquals(List.of("payments", "audit"), token.audience());
    JwtSvid locally = JwtSvidValidator.builder().bundleSource(jwtBundles).expectAudience("audit").build()
        .validate(token.token());
    assertEquals(WEB, locally.id());
    assertEquals(WEB, client.fetchJwtSvid(WEB, "payments").id());
    assertEquals(List.of(WEB), client.fetchJwtSvids("payments").stream().map(JwtSvid::id)
        .collect(Collectors.toList()));

    assertEquals(WEB, client.validateJwtSvid(token.token(), "payments").id());
    WorkloadApiException wrongAudience =
        assertThrows(WorkloadApiException.class, () -> client.validateJwtSvid(token.token(), "billing"));
    assertEquals(Kind.INVALID_ARGUMENT, wrongAudience.kind());
    assertTrue(wrongAudience.getMessage().contains("JWT-08"), wrongAudience.getMessage());
    assertFalse(wrongAudience.getMessage().contains(token.token()), "the token must not be echoed");

    for (Rpc rpc : Rpc.values()) {
      assertTrue(server.endpoint().calls(rpc) >= 1, rpc + " was called");
    }
  }

  /** A provider of two identities, WEB (default) and DB, made from two minting providers of one CA and JWT key. */
  private IdentityProvider twoIdentities(String webHint, String dbHint) {
    X509Certificate ca = CertificateMinter.ca(FEDERATED_KEY.getPublic(), EXAMPLE.id()).sign(FEDERATED_KEY.getPrivate());
    MintingIdentityProvider web = track(MintingIdentityProvider.builder(WEB).ca(ca, FEDERATED_KEY.getPrivate())
        .jwtAuthority("shared", FEDERATED_KEY).build());
    MintingIdentityProvider db = track(MintingIdentityProvider.builder(DB).ca(ca, FEDERATED_KEY.getPrivate())
        .jwtAuthority("shared", FEDERATED_KEY).build());
    return new IdentityProvider() {
      @Override
      public Optional<X509Context> x509Context() {
        X509Context context = web.x509Context().orElseThrow();
        return Optional.of(new X509Context(List.of(context.defaultSvid().withHint(webHint),
            db.x509Context().orElseThrow().defaultSvid().withHint(dbHint)), context.bundles()));
      }

      @Override
      public BundleSet jwtBundles() {
        return web.jwtBundles();
      }

      @Override
      public List<JwtSvid> mintJwtSvids(List<String> audiences, Optional<SpiffeId> subject) {
        List<JwtSvid> svids = new ArrayList<>(web.mintJwtSvids(audiences, subject));
        svids.addAll(db.mintJwtSvids(audiences, subject));
        return svids;
      }

      @Override
      public Subscription subscribe(Runnable listener) {
        return () -> { };
      }
    };
  }

  @Test
  void WAPI_15_severalIdentitiesKeepTheirOrderAndHints_andJwtSvidsComeForAllOrOne() {
    WorkloadApiServer server = track(WorkloadApiServer.builder()
        .unix(dir.resolve("two.sock"), twoIdentities("external", "internal")).start());
    WorkloadApiClient client = client(server.endpoint());
    X509Context context = client.fetchX509Context();
    assertEquals(List.of(WEB, DB), context.svids().stream().map(X509Svid::id).collect(Collectors.toList()));
    assertEquals(DB, context.svidWithHint("internal").orElseThrow().id());
    assertEquals(List.of(WEB, DB), client.fetchJwtSvids("payments").stream().map(JwtSvid::id)
        .collect(Collectors.toList()), "WAPI-10: all identities when no spiffe_id is given");
    assertEquals(DB, client.fetchJwtSvid(DB, "payments").id());
  }

  @Test
  void WAPI_08_aProviderGivingOneHintToTwoSvidsIsInternal() {
    WorkloadApiServer server = track(WorkloadApiServer.builder()
        .unix(dir.resolve("two.sock"), twoIdentities("same", "same")).start());
    WorkloadApiException e = assertThrows(WorkloadApiException.class,
        () -> client(server.endpoint()).fetchX509Context());
    assertEquals(Optional.of("INTERNAL"), e.statusCode());
    assertTrue(e.getMessage().contains("WAPI-08"), e.getMessage());
  }

  @Test
  void WAPI_10_aSubjectTheProviderDoesNotHoldIsPermissionDenied() {
    WorkloadApiServer server = serve(provider(WEB).build());
    WorkloadApiException e = assertThrows(WorkloadApiException.class,
        () -> client(server.endpoint()).fetchJwtSvid(DB, "payments"));
    assertEquals(Kind.NO_IDENTITY, e.kind());
  }

  @Test
  void WEP_11_requestsWithoutTheSecurityHeaderAreInvalidArgument() throws Exception {
    WorkloadApiServer server = serve(provider(WEB).build());
    try (RawChannel raw = new RawChannel(dir.resolve("web.sock"))) {
      for (String header : new String[] {null, "false", "TRUE"}) {
        Channel channel = raw.header(header);
        StatusRuntimeException stream = assertThrows(StatusRuntimeException.class, () -> RawChannel.first(channel,
            SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(), X509SVIDRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, stream.getStatus().getCode(), "header " + header);
        StatusRuntimeException unary = assertThrows(StatusRuntimeException.class, () -> RawChannel.unary(channel,
            SpiffeWorkloadAPIGrpc.getFetchJWTSVIDMethod(), JWTSVIDRequest.newBuilder().addAudience("a").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, unary.getStatus().getCode(), "header " + header);
      }
      assertEquals(0, server.endpoint().calls(Rpc.FETCH_X509_SVID), "refused before reaching the service");

      X509SVIDResponse accepted = RawChannel.first(raw.header("true"), SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(),
          X509SVIDRequest.getDefaultInstance());
      assertEquals(WEB.toString(), accepted.getSvids(0).getSpiffeId());
    }
  }

  @Test
  void WAPI_11_jwtBundlesAreKeyedBySpiffeIdAndHaveNoUse() throws Exception {
    MintingIdentityProvider provider = provider(WEB).build();
    serve(provider);
    try (RawChannel raw = new RawChannel(dir.resolve("web.sock"))) {
      JWTBundlesResponse response = RawChannel.first(raw.header("true"),
          SpiffeWorkloadAPIGrpc.getFetchJWTBundlesMethod(), JWTBundlesRequest.getDefaultInstance());
      assertEquals(Set.of("spiffe://example.org", "spiffe://federated.org"), response.getBundlesMap().keySet());
      String jwks = response.getBundlesMap().get("spiffe://example.org").toString(StandardCharsets.UTF_8);
      assertFalse(jwks.contains("\"use\""), jwks);
      assertTrue(jwks.contains(provider.bundle().jwtBundle().jwtAuthorities().keySet().iterator().next()), jwks);
    }
  }

  @Test
  void WAPI_12_validateAnswersTheClaimsAsAStruct_andRefusesBadRequests() throws Exception {
    MintingIdentityProvider provider = provider(WEB).build();
    serve(provider);
    String token = provider.mintJwtSvids(List.of("payments", "audit"), Optional.empty()).get(0).token();
    try (RawChannel raw = new RawChannel(dir.resolve("web.sock"))) {
      Channel channel = raw.header("true");
      ValidateJWTSVIDResponse response = RawChannel.unary(channel, SpiffeWorkloadAPIGrpc.getValidateJWTSVIDMethod(),
          ValidateJWTSVIDRequest.newBuilder().setSvid(token).setAudience("audit").build());
      assertEquals(WEB.toString(), response.getSpiffeId());
      Struct claims = response.getClaims();
      assertEquals(WEB.toString(), claims.getFieldsOrThrow("sub").getStringValue());
      assertEquals(List.of("payments", "audit"), claims.getFieldsOrThrow("aud").getListValue().getValuesList()
          .stream().map(v -> v.getStringValue()).collect(Collectors.toList()));
      double exp = claims.getFieldsOrThrow("exp").getNumberValue();
      assertEquals(JwtSvid.parseInsecure(token).expiry().getEpochSecond(), (long) exp);

      String forged = JwtSvidMinter.forSubject(WEB).audience("audit").expiry(Instant.now().plusSeconds(60))
          .keyId(provider.bundle().jwtBundle().jwtAuthorities().keySet().iterator().next())
          .sign(FEDERATED_KEY.getPrivate());
      for (ValidateJWTSVIDRequest bad : List.of(
          ValidateJWTSVIDRequest.newBuilder().setSvid(token).build(),
          ValidateJWTSVIDRequest.newBuilder().setAudience("audit").build(),
          ValidateJWTSVIDRequest.newBuilder().setSvid("not a token").setAudience("audit").build(),
          ValidateJWTSVIDRequest.newBuilder().setSvid(forged).setAudience("audit").build())) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
            () -> RawChannel.unary(channel, SpiffeWorkloadAPIGrpc.getValidateJWTSVIDMethod(), bad));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertFalse(e.getStatus().getDescription().contains(forged), "the token must not be echoed");
      }
      StatusRuntimeException noAudience = assertThrows(StatusRuntimeException.class,
          () -> RawChannel.unary(channel, SpiffeWorkloadAPIGrpc.getFetchJWTSVIDMethod(),
              JWTSVIDRequest.getDefaultInstance()));
      assertEquals(Status.Code.INVALID_ARGUMENT, noAudience.getStatus().getCode(), "WAPI-10: audience is mandatory");
    }
  }

  @Test
  void WAPI_14_witCallsAreUnimplemented() throws Exception {
    serve(provider(WEB).build());
    try (RawChannel raw = new RawChannel(dir.resolve("web.sock"))) {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> RawChannel.first(raw.header("true"),
          SpiffeWorkloadAPIGrpc.getFetchWITSVIDMethod(), WITSVIDRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
    }
  }

  @Test
  void WEP_13_permissionDeniedBeforeTheIdentity_thenServed() {
    MintingIdentityProvider provider = provider(WEB).startWithoutIdentity().build();
    WorkloadApiServer server = serve(provider);
    WorkloadApiClient client = client(server.endpoint());
    for (Runnable call : List.<Runnable>of(client::fetchX509Context, client::fetchX509Bundles,
        client::fetchJwtBundles, () -> client.fetchJwtSvid("payments"))) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class, call::run);
      assertEquals(Kind.NO_IDENTITY, e.kind());
      assertTrue(e.isRetryable());
    }
    Recorder<X509Context> watcher = new Recorder<>();
    Watch watch = track(client.watchX509Context(watcher));
    assertEquals(Kind.NO_IDENTITY, watcher.nextError().kind());
    assertTrue(watch.isActive(), "PERMISSION_DENIED is retried");

    provider.rotate();
    assertEquals(WEB, watcher.nextUpdate().defaultSvid().id());
    assertEquals(WEB, client.fetchJwtSvid("payments").id());
  }

  @Test
  void WEP_13_aWithdrawnIdentityEndsTheStreamsWithPermissionDenied() {
    MintingIdentityProvider provider = provider(WEB).build();
    WorkloadApiServer server = serve(provider);
    Recorder<X509Context> watcher = new Recorder<>();
    track(client(server.endpoint()).watchX509Context(watcher));
    watcher.nextUpdate();

    provider.revoke();
    assertEquals(Kind.NO_IDENTITY, watcher.nextError().kind());
    provider.rotate();
    assertEquals(WEB, watcher.nextUpdate().defaultSvid().id());
  }

  @Test
  void WAPI_04_aRotationReachesEveryWatch() throws InterruptedException {
    MintingIdentityProvider provider = provider(WEB).build();
    WorkloadApiServer server = serve(provider);
    WorkloadApiClient client = client(server.endpoint());
    Recorder<X509Context> x509 = new Recorder<>();
    Recorder<BundleSet> bundles = new Recorder<>();
    track(client.watchX509Context(x509));
    track(client.watchX509Bundles(bundles));
    X509Context first = x509.nextUpdate();
    bundles.nextUpdate();

    provider.rotate();
    X509Context second = x509.nextUpdate();
    assertNotEquals(first.defaultSvid().leaf().getSerialNumber(), second.defaultSvid().leaf().getSerialNumber());
    assertNotEquals(first.defaultSvid().leaf().getPublicKey(), second.defaultSvid().leaf().getPublicKey());
    assertEquals(provider.x509Context().orElseThrow().defaultSvid().leaf(), second.defaultSvid().leaf());
    assertNull(bundles.updates.poll(300, TimeUnit.MILLISECONDS), "the bundles did not change: not sent again");
  }

  @Test
  void WAPI_04_anSvidIsReissuedAtHalfLifeAndPushed() {
    MintingIdentityProvider provider = provider(WEB).svidTtl(Duration.ofSeconds(4)).build();
    WorkloadApiServer server = serve(provider);
    Recorder<X509Context> watcher = new Recorder<>();
    track(client(server.endpoint()).watchX509Context(watcher));
    X509Context first = watcher.nextUpdate();
    X509Context second = watcher.nextUpdate();
    assertTrue(Instant.now().isBefore(first.defaultSvid().expiresAt()), "the new SVID came before the old expired");
    assertTrue(second.defaultSvid().expiresAt().isAfter(first.defaultSvid().expiresAt()));
  }

  @Test
  void pushSendsTheFullStateAgainEvenUnchanged() {
    WorkloadApiServer server = serve(provider(WEB).build());
    Recorder<BundleSet> watcher = new Recorder<>();
    track(client(server.endpoint()).watchJwtBundles(watcher));
    BundleSet first = watcher.nextUpdate();
    server.endpoint().push();
    assertEquals(first, watcher.nextUpdate());
  }

  @Test
  void injectedUnavailableIsRetried_thenTheWatchRecovers() {
    WorkloadApiServer server = serve(provider(WEB).build());
    WorkloadApiServer.Endpoint endpoint = server.endpoint();
    WorkloadApiClient client = client(endpoint);
    endpoint.failNext(Rpc.FETCH_X509_SVID, 2, StatusCode.UNAVAILABLE);
    Recorder<X509Context> watcher = new Recorder<>();
    Watch watch = track(client.watchX509Context(watcher));
    for (int i = 0; i < 2; i++) {
      WorkloadApiException error = watcher.nextError();
      assertEquals(Kind.UNAVAILABLE, error.kind());
      assertEquals(Optional.of("UNAVAILABLE"), error.statusCode());
    }
    assertEquals(WEB, watcher.nextUpdate().defaultSvid().id());
    assertTrue(watch.isActive());
    assertEquals(3, endpoint.calls(Rpc.FETCH_X509_SVID));
    assertEquals(1, endpoint.openStreams(Rpc.FETCH_X509_SVID));

    endpoint.failNext(Rpc.FETCH_JWT_SVID, 1, StatusCode.RESOURCE_EXHAUSTED);
    WorkloadApiException unary = assertThrows(WorkloadApiException.class, () -> client.fetchJwtSvid("payments"));
    assertEquals(Optional.of("RESOURCE_EXHAUSTED"), unary.statusCode());
    assertEquals(WEB, client.fetchJwtSvid("payments").id(), "only the next call failed");
  }

  @Test
  void WEP_14_injectedInvalidArgumentStopsTheWatch() {
    WorkloadApiServer server = serve(provider(WEB).build());
    WorkloadApiServer.Endpoint endpoint = server.endpoint();
    WorkloadApiClient client = client(endpoint);

    Recorder<X509Context> open = new Recorder<>();
    Watch running = track(client.watchX509Context(open));
    open.nextUpdate();
    endpoint.failStreams(StatusCode.INVALID_ARGUMENT);
    assertEquals(Kind.INVALID_ARGUMENT, open.nextStop().kind());
    assertFalse(running.isActive());

    endpoint.failNext(Rpc.FETCH_JWT_BUNDLES, 1, StatusCode.INVALID_ARGUMENT);
    Recorder<BundleSet> refused = new Recorder<>();
    Watch stopped = track(client.watchJwtBundles(refused));
    assertEquals(Kind.INVALID_ARGUMENT, refused.nextStop().kind());
    assertFalse(stopped.isActive());
    assertTrue(refused.updates.isEmpty());
  }

  @Test
  void WAPI_03_streamsEndedCleanlyAreReopenedByTheClient() throws InterruptedException {
    WorkloadApiServer server = serve(provider(WEB).build());
    WorkloadApiServer.Endpoint endpoint = server.endpoint();
    Recorder<X509Context> watcher = new Recorder<>();
    track(client(endpoint).watchX509Context(watcher));
    watcher.nextUpdate();

    endpoint.endStreams();
    assertEquals(Optional.of("OK"), watcher.nextError().statusCode());
    assertEquals(WEB, watcher.nextUpdate().defaultSvid().id());
    assertEquals(2, endpoint.calls(Rpc.FETCH_X509_SVID));
    awaitTrue(() -> endpoint.openStreams(Rpc.FETCH_X509_SVID) == 1, "the stream is open again");
  }

  @Test
  void twoSocketsServeTwoIdentities() throws InterruptedException {
    MintingIdentityProvider web = track(provider(WEB).build());
    MintingIdentityProvider db = track(provider(DB).hint("internal").build());
    WorkloadApiServer server = track(WorkloadApiServer.builder()
        .unix(dir.resolve("web.sock"), web)
        .unix(dir.resolve("db.sock"), db)
        .start());
    assertThrows(IllegalStateException.class, server::endpoint);
    List<WorkloadApiServer.Endpoint> endpoints = server.endpoints();
    WorkloadApiClient webClient = client(endpoints.get(0));
    WorkloadApiClient dbClient = client(endpoints.get(1));

    assertEquals(WEB, webClient.fetchX509Context().defaultSvid().id());
    assertEquals(DB, dbClient.fetchX509Context().defaultSvid().id());
    assertEquals("internal", dbClient.fetchX509Context().defaultSvid().hint());
    assertEquals(WEB, webClient.fetchJwtSvid("payments").id());
    assertEquals(DB, dbClient.fetchJwtSvid("payments").id());
    assertEquals(Kind.NO_IDENTITY,
        assertThrows(WorkloadApiException.class, () -> dbClient.fetchJwtSvid(WEB, "payments")).kind());

    Recorder<X509Context> webWatcher = new Recorder<>();
    Recorder<X509Context> dbWatcher = new Recorder<>();
    track(webClient.watchX509Context(webWatcher));
    track(dbClient.watchX509Context(dbWatcher));
    webWatcher.nextUpdate();
    dbWatcher.nextUpdate();
    web.rotate();
    assertEquals(WEB, webWatcher.nextUpdate().defaultSvid().id());
    db.rotate();
    assertEquals(DB, dbWatcher.nextUpdate().defaultSvid().id());
    assertNull(webWatcher.updates.poll(300, TimeUnit.MILLISECONDS), "each rotation reached its own socket only");
    assertTrue(dbWatcher.updates.isEmpty(), "each rotation reached its own socket only");
  }

  @Test
  void shutdownEndsTheStreams_removesTheSockets_andLeavesNoThreads() throws Exception {
    Set<Thread> before = serverThreads();
    MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).build();
    WorkloadApiServer server = WorkloadApiServer.builder()
        .unix(dir.resolve("web.sock"), provider)
        .unix(dir.resolve("db.sock"), provider)
        .start();
    assertTrue(Files.exists(dir.resolve("web.sock")) && Files.exists(dir.resolve("db.sock")));
    Recorder<X509Context> watcher = new Recorder<>();
    try (WorkloadApiClient client = WorkloadApiClient.builder().address(server.endpoints().get(0).address()).build()) {
      client.watchX509Context(watcher);
      watcher.nextUpdate();
      assertFalse(server.isShutdown());

      server.shutdown();
      assertTrue(server.isShutdown());
      assertEquals(Optional.of("UNAVAILABLE"), watcher.nextError().statusCode());
      assertTrue(server.awaitTermination(Duration.ofSeconds(5)));
      assertTrue(server.isTerminated());
      assertFalse(Files.exists(dir.resolve("web.sock")), "socket removed");
      assertFalse(Files.exists(dir.resolve("db.sock")), "socket removed");
      server.close();
    }
    provider.close();
    awaitNoNewServerThreads(before);
  }

  @Test
  void closeShutsDownAndWaits_shutdownNowToo() throws InterruptedException {
    WorkloadApiServer server = WorkloadApiServer.builder().unix(dir.resolve("web.sock"),
        track(provider(WEB).build())).start();
    server.close();
    assertTrue(server.isShutdown() && server.isTerminated());
    assertFalse(Files.exists(dir.resolve("web.sock")));
    server.close();

    WorkloadApiServer other = WorkloadApiServer.builder().unix(dir.resolve("web.sock"),
        track(provider(WEB).build())).start();
    assertTrue(other.shutdownNow().awaitTermination(Duration.ofSeconds(5)));
    assertFalse(Files.exists(dir.resolve("web.sock")));
  }

  @Test
  void socketFilesAreOwnerOnlyByDefault_orAsConfigured() throws IOException {
    MintingIdentityProvider provider = track(provider(WEB).build());
    track(WorkloadApiServer.builder().unix(dir.resolve("web.sock"), provider).start());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("web.sock"))));

    track(WorkloadApiServer.builder()
        .socketPermissions(PosixFilePermissions.fromString("rw-rw----"))
        .unix(dir.resolve("group.sock"), provider).start());
    assertEquals("rw-rw----", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("group.sock"))));
    assertThrows(IllegalArgumentException.class,
        () -> WorkloadApiServer.builder().socketPermissions(PosixFilePermissions.fromString("r--r--r--")));
  }

  @Test
  void aStaleSocketIsReplaced_butALiveOneIsNot() throws IOException {
    MintingIdentityProvider provider = track(provider(WEB).build());
    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(stale));
    }
    assertTrue(Files.exists(stale), "the JDK leaves the socket file behind");
    WorkloadApiServer server = track(WorkloadApiServer.builder().unix(stale, provider).start());
    assertEquals(WEB, client(server.endpoint()).fetchX509Context().defaultSvid().id());

    UncheckedIOException live = assertThrows(UncheckedIOException.class,
        () -> WorkloadApiServer.builder().unix(stale, provider).start());
    assertTrue(live.getMessage().contains("another server is listening"), live.getMessage());
    assertEquals(WEB, client(server.endpoint()).fetchX509Context().defaultSvid().id(), "still served");
  }

  @Test
  void aFailedStartClosesWhatItBound_andLeavesNoThreads() throws IOException, InterruptedException {
    MintingIdentityProvider provider = track(provider(WEB).build());
    Path file = Files.writeString(dir.resolve("notes.txt"), "keep me");
    Set<Thread> before = serverThreads();
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> WorkloadApiServer.builder()
        .unix(dir.resolve("first.sock"), provider)
        .unix(file, provider)
        .start());
    assertTrue(e.getMessage().contains("not a socket"), e.getMessage());
    assertEquals("keep me", Files.readString(file));
    assertFalse(Files.exists(dir.resolve("first.sock")), "the socket bound before the failure is removed again");
    awaitNoNewServerThreads(before);
  }

  @Test
  void tcpEndpointOnAFreeLoopbackPort() {
    MintingIdentityProvider provider = track(provider(WEB).build());
    WorkloadApiServer server = track(WorkloadApiServer.builder().tcp(0, provider).start());
    String address = server.endpoint().address().toString();
    assertTrue(address.startsWith("tcp://127.0.0.1:") && !address.endsWith(":0"), address);
    assertEquals(WEB, client(server.endpoint()).fetchX509Context().defaultSvid().id());
  }

  @Test
  void aFailingProviderIsInternal_withoutItsDetails() {
    IdentityProvider broken = new IdentityProvider() {
      @Override
      public Optional<X509Context> x509Context() {
        throw new IllegalStateException("secret internals");
      }

      @Override
      public BundleSet jwtBundles() {
        return BundleSet.empty();
      }

      @Override
      public List<JwtSvid> mintJwtSvids(List<String> audiences, Optional<SpiffeId> subject) {
        throw new IllegalStateException("secret internals");
      }

      @Override
      public Subscription subscribe(Runnable listener) {
        return () -> { };
      }
    };
    WorkloadApiServer server = track(WorkloadApiServer.builder().unix(dir.resolve("broken.sock"), broken).start());
    WorkloadApiClient client = client(server.endpoint());
    for (Runnable call : List.<Runnable>of(client::fetchX509Context, () -> client.fetchJwtSvid("payments"))) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class, call::run);
      assertEquals(Optional.of("INTERNAL"), e.statusCode());
      assertFalse(e.getMessage().contains("secret"), e.getMessage());
    }
  }

  @Test
  void builderRefusesWhatCannotBeServed() {
    MintingIdentityProvider provider = track(provider(WEB).build());
    assertThrows(IllegalStateException.class, () -> WorkloadApiServer.builder().start());
    assertThrows(IllegalArgumentException.class, () -> WorkloadApiServer.builder()
        .unix(dir.resolve("a.sock"), provider).unix(dir.resolve("a.sock"), provider));
    assertThrows(IllegalArgumentException.class, () -> WorkloadApiServer.builder().tcp(65536, provider));
    assertThrows(IllegalArgumentException.class, () -> WorkloadApiServer.builder().closeTimeout(Duration.ZERO));
    UncheckedIOException noDirectory = assertThrows(UncheckedIOException.class,
        () -> WorkloadApiServer.builder().unix(dir.resolve("missing/agent.sock"), provider).start());
    assertTrue(noDirectory.getMessage().contains("missing"), noDirectory.getMessage());
  }

  @Test
  void rpcNamesAreTheWireNames() {
    assertArrayEquals(new String[] {"FetchX509SVID", "FetchX509Bundles", "FetchJWTSVID", "FetchJWTBundles",
        "ValidateJWTSVID"}, java.util.Arrays.stream(Rpc.values()).map(Rpc::methodName).toArray());
    for (Rpc rpc : Rpc.values()) {
      assertEquals("SpiffeWorkloadAPI/" + rpc.methodName(), SpiffeWorkloadAPIGrpc.getServiceDescriptor().getMethods()
          .stream().filter(m -> m.getBareMethodName().equals(rpc.methodName())).findFirst().orElseThrow()
          .getFullMethodName());
    }
    for (StatusCode code : StatusCode.values()) {
      assertEquals(code.name(), Status.Code.valueOf(code.name()).name());
    }
  }

  /** Earlier tests' threads may still be ending when {@code before} is taken, so only new threads count. */
  private static void awaitNoNewServerThreads(Set<Thread> before) throws InterruptedException {
    try {
      awaitTrue(() -> before.containsAll(serverThreads()), "server threads to end");
    } catch (AssertionError e) {
      Set<Thread> left = serverThreads();
      left.removeAll(before);
      throw new AssertionError(e.getMessage() + "; still running: " + left, e);
    }
  }

  /** The live threads of servers and minting providers. */
  private static Set<Thread> serverThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith(SERVER_THREADS) && t.isAlive())
        .collect(Collectors.toSet());
  }
}
