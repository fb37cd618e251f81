package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_JWT_SVID;
import static io.spiffe4j.workloadapi.FakeWorkloadApi.FETCH_X509_SVID;
import static io.spiffe4j.workloadapi.FakeWorkloadApi.VALIDATE_JWT_SVID;
import static io.spiffe4j.workloadapi.TestMaterial.DB;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.FEDERATED;
import static io.spiffe4j.workloadapi.TestMaterial.WEB;
import static io.spiffe4j.workloadapi.TestMaterial.svid;
import static io.spiffe4j.workloadapi.TestMaterial.x509Response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.stub.ClientCalls;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.JWTSVID;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.SpiffeWorkloadAPIGrpc;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The one-shot calls, the transport and the lifecycle, against {@link FakeWorkloadApi} on a real socket. */
class WorkloadApiClientTest {
  @TempDir
  Path dir;

  private FakeWorkloadApi server;

  @AfterEach
  void closeServer() {
    if (server != null) {
      server.close();
    }
  }

  private FakeWorkloadApi serve(Transport.Io io) {
    server = FakeWorkloadApi.start(dir.resolve("agent.sock"), io);
    server.setX509Context(x509Response(true, svid(WEB, "external"), svid(DB, "internal")));
    server.setX509Bundles(TestMaterial.x509Bundles(true));
    server.setJwtBundles(TestMaterial.jwtBundles());
    server.setJwtSvids(request -> {
      JWTSVIDResponse.Builder response = JWTSVIDResponse.newBuilder();
      List<String> ids = request.getSpiffeId().isEmpty() ? List.of(WEB.toString(), DB.toString())
          : List.of(request.getSpiffeId());
      for (String id : ids) {
        String token = TestMaterial.token(SpiffeId.parse(id), request.getAudienceList().toArray(new String[0]));
        response.addSvids(JWTSVID.newBuilder().setSpiffeId(id).setSvid(token));
      }
      return response.build();
    });
    server.setValidator(request -> {
      JwtSvid svid = JwtSvid.parseInsecure(request.getSvid());
      if (!svid.audience().contains(request.getAudience())) {
        throw Status.INVALID_ARGUMENT.withDescription("audience mismatch").asRuntimeException();
      }
      return ValidateJWTSVIDResponse.newBuilder().setSpiffeId(svid.id().toString())
          .setClaims(Struct.newBuilder().putFields("sub", Value.newBuilder().setStringValue(svid.id().toString()).build()))
          .build();
    });
    return server;
  }

  private WorkloadApiClient.Builder client(Transport.Io io) {
    return WorkloadApiClient.builder().address(server.address()).io(io);
  }

  @ParameterizedTest
  @EnumSource(Transport.Io.class)
  void everyRpcRoundTrips(Transport.Io io) {
    if (io == Transport.Io.EPOLL) {
      assertTrue(Epoll.isAvailable(), "epoll must load from grpc-netty-shaded on this platform");
    }
    serve(io);
    try (WorkloadApiClient client = client(io).build()) {
      assertEquals(io, client.transport().io());

      X509Context context = client.fetchX509Context();
      assertEquals(List.of(WEB, DB), context.svids().stream().map(s -> s.id()).collect(Collectors.toList()));
      assertEquals("external", context.defaultSvid().hint());
      assertEquals(TestMaterial.leaf(WEB).getPublicKey(), context.defaultSvid().leaf().getPublicKey());
      assertEquals(Set.of(EXAMPLE, FEDERATED), context.bundles().trustDomains());

      BundleSet x509Bundles = client.fetchX509Bundles();
      assertEquals(List.of(TestMaterial.FEDERATED_CA), x509Bundles.x509BundleFor(FEDERATED).x509Authorities());

      BundleSet jwtBundles = client.fetchJwtBundles();
      assertEquals(TestMaterial.jwtBundle(), jwtBundles.jwtBundleFor(EXAMPLE));

      JwtSvid jwt = client.fetchJwtSvid("payments", "audit");
      assertEquals(WEB, jwt.id());
      assertEquals(List.of("payments", "audit"), jwt.audience());
      assertEquals(DB, client.fetchJwtSvid(DB, "payments").id());
      assertEquals(List.of(WEB, DB),
          client.fetchJwtSvids("payments").stream().map(JwtSvid::id).collect(Collectors.toList()));

      assertEquals(WEB, client.validateJwtSvid(jwt.token(), "audit").id());
    }
    assertEquals(0, server.rejectedWithoutHeader());
  }

  @ParameterizedTest
  @EnumSource(Transport.Io.class)
  void WEP_09_tcpEndpoint(Transport.Io io) {
    server = FakeWorkloadApi.startTcp(io);
    server.setX509Bundles(TestMaterial.x509Bundles(false));
    try (WorkloadApiClient client = WorkloadApiClient.builder().address(server.address()).io(io).build()) {
      assertFalse(client.address().isUnix());
      assertEquals(Set.of(EXAMPLE), client.fetchX509Bundles().trustDomains());
    }
  }

  @Test
  void WEP_04_securityHeaderSentOnEveryCall_andTheFakeEnforcesIt() throws Exception {
    serve(Transport.Io.best());
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      client.fetchX509Context();
      client.fetchJwtSvid("a");
      client.watchJwtBundles(update -> { }).close();
    }
    assertEquals(0, server.rejectedWithoutHeader());

    // Without the header the same server answers INVALID_ARGUMENT, so the calls above carried it.
    EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ManagedChannel bare = NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(dir.resolve("agent.sock")))
        .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class)
        .eventLoopGroup(eventLoop)
        .usePlaintext()
        .overrideAuthority("localhost")
        .build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingServerStreamingCall(
          bare, SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(), CallOptions.DEFAULT, X509SVIDRequest.getDefaultInstance())
          .next());
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertEquals(1, server.rejectedWithoutHeader());
    } finally {
      bare.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void WEP_11_invalidArgumentSurfacesAsNotRetryable() {
    serve(Transport.Io.best()).failNext(FETCH_X509_SVID, Status.INVALID_ARGUMENT.withDescription("bad request"));
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class, client::fetchX509Context);
      assertEquals(Kind.INVALID_ARGUMENT, e.kind());
      assertFalse(e.isRetryable());
      assertEquals("INVALID_ARGUMENT", e.statusCode().orElseThrow());
      assertEquals("WEP-11", e.rule().orElseThrow());
      assertTrue(e.getMessage().contains("bad request"), e.getMessage());
      assertNull(e.getCause(), "no gRPC exception is exposed");
    }
  }

  @Test
  void WEP_13_permissionDeniedIsNoIdentity_retryable() {
    serve(Transport.Io.best()).failNext(FETCH_JWT_SVID, Status.PERMISSION_DENIED);
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class, () -> client.fetchJwtSvid("a"));
      assertEquals(Kind.NO_IDENTITY, e.kind());
      assertTrue(e.isRetryable());
      assertEquals("PERMISSION_DENIED", e.statusCode().orElseThrow());
      assertEquals(WEB, client.fetchJwtSvid("a").id(), "the retry succeeds");
    }
  }

  @Test
  void WEP_14_unimplementedSurfacesAsNotRetryable() {
    serve(Transport.Io.best()).setValidator(request -> {
      throw Status.UNIMPLEMENTED.asRuntimeException();
    });
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class,
          () -> client.validateJwtSvid(TestMaterial.token(WEB, "a"), "a"));
      assertEquals(Kind.UNIMPLEMENTED, e.kind());
      assertFalse(e.isRetryable());
    }
  }

  @Test
  void WAPI_13_invalidTokenJudgedByTheEndpoint() {
    serve(Transport.Io.best());
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class,
          () -> client.validateJwtSvid(TestMaterial.token(WEB, "a"), "other"));
      assertEquals(Kind.INVALID_ARGUMENT, e.kind());
      assertEquals(1, server.calls(VALIDATE_JWT_SVID));
      assertThrows(IllegalArgumentException.class, () -> client.validateJwtSvid("", "a"));
      assertThrows(IllegalArgumentException.class, () -> client.fetchJwtSvid("a", ""));
    }
  }

  @Test
  void WAPI_06_invalidOneShotAnswerIsReported() {
    serve(Transport.Io.best()).setX509Context(X509SVIDResponse.getDefaultInstance());
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class, client::fetchX509Context);
      assertEquals(Kind.INVALID_RESPONSE, e.kind());
      assertEquals("WAPI-08", e.rule().orElseThrow());
    }
  }

  @Test
  void deadline_boundsAOneShotFetch() {
    serve(Transport.Io.best()).setX509Context(null);
    try (WorkloadApiClient client = client(Transport.Io.best()).deadline(Duration.ofMillis(300)).build()) {
      long start = System.nanoTime();
      WorkloadApiException e = assertThrows(WorkloadApiException.class, client::fetchX509Context);
      assertEquals(Kind.DEADLINE_EXCEEDED, e.kind());
      assertTrue(e.isRetryable());
      e = assertThrows(WorkloadApiException.class,
          () -> client.withDeadline(Duration.ofMillis(100)).fetchX509Context());
      assertEquals(Kind.DEADLINE_EXCEEDED, e.kind());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(3)) < 0);
    }
    assertThrows(IllegalArgumentException.class, () -> WorkloadApiClient.builder().deadline(Duration.ZERO));
  }

  @Test
  void oneShotFetchCancelsTheStreamAfterTheFirstMessage() throws Exception {
    serve(Transport.Io.best());
    try (WorkloadApiClient client = client(Transport.Io.best()).build()) {
      client.fetchX509Context();
      awaitTrue(() -> server.openStreams(FETCH_X509_SVID) == 0, "the stream is cancelled");
    }
  }

  @Test
  void WEP_12_noEndpointIsUnavailable_retryable() {
    try (WorkloadApiClient client = WorkloadApiClient.builder().address("unix://" + dir.resolve("none.sock")).build()) {
      WorkloadApiException e = assertThrows(WorkloadApiException.class, client::fetchX509Bundles);
      assertEquals(Kind.UNAVAILABLE, e.kind());
      assertTrue(e.isRetryable());
      assertNull(e.getCause());
    }
  }

  @Test
  void close_cancelsABlockedCall_andIsIdempotent() throws Exception {
    serve(Transport.Io.best()).setX509Context(null);
    WorkloadApiClient client = client(Transport.Io.best()).deadline(Duration.ofSeconds(30)).build();
    CompletableFuture<WorkloadApiException> blocked = CompletableFuture.supplyAsync(
        () -> assertThrows(WorkloadApiException.class, client::fetchX509Context));
    awaitTrue(() -> server.openStreams(FETCH_X509_SVID) == 1, "the call is in flight");
    client.close();
    assertEquals(Kind.CLOSED, blocked.get(5, TimeUnit.SECONDS).kind());
    client.close();
    WorkloadApiException e = assertThrows(WorkloadApiException.class, client::fetchJwtBundles);
    assertEquals(Kind.CLOSED, e.kind());
    assertFalse(e.isRetryable());
    assertThrows(WorkloadApiException.class, () -> client.watchX509Context(update -> { }));
  }

  @Test
  void injectedExecutorRunsCallbacks_andIsNotShutDown() throws Exception {
    serve(Transport.Io.best());
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-callbacks"));
    try {
      RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
      try (WorkloadApiClient client = client(Transport.Io.best()).executor(executor).build()) {
        client.watchX509Context(watcher);
        watcher.nextUpdate();
      }
      assertEquals("test-callbacks", watcher.threads.take().getName());
      assertFalse(executor.isShutdown());
    } finally {
      executor.shutdownNow();
    }
  }

  @ParameterizedTest
  @EnumSource(Transport.Io.class)
  void close_leavesNoThreads(Transport.Io io) throws Exception {
    serve(io);
    WorkloadApiClient client = client(io).build();
    client.fetchX509Context();
    RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
    client.watchX509Context(watcher);
    watcher.nextUpdate();
    assertFalse(clientThreads().isEmpty(), "the client runs threads of its own");
    client.close();
    server.close();
    server = null;
    awaitTrue(() -> clientThreads().isEmpty(), "threads left: " + clientThreads());
  }

  @Test
  void close_fromAWatcherCallbackReturnsPromptly_andLeavesNoThreads() throws Exception {
    serve(Transport.Io.best());
    WorkloadApiClient client = client(Transport.Io.best()).closeTimeout(Duration.ofSeconds(5)).build();
    CompletableFuture<Duration> closing = new CompletableFuture<>();
    client.watchX509Context(update -> {
      long start = System.nanoTime();
      client.close();
      closing.complete(Duration.ofNanos(System.nanoTime() - start));
    });
    assertTrue(closing.get(10, TimeUnit.SECONDS).compareTo(Duration.ofSeconds(2)) < 0, "close() did not wait for itself");
    awaitTrue(() -> clientThreads().isEmpty(), "threads left: " + clientThreads());
  }

  /** Threads of the client and of gRPC (not the fake server's {@code fakewapi-*}). */
  private static List<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(name -> name.startsWith("spiffe4j-") || name.startsWith("grpc-"))
        .collect(Collectors.toList());
  }

  static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(10);
    }
  }
}
