package io.spiffe4j.upstream.akeyless.spire;

import static io.spiffe4j.upstream.akeyless.spire.PluginProcessTest.CONFIG;
import static io.spiffe4j.upstream.akeyless.spire.PluginProcessTest.SECRET;
import static io.spiffe4j.upstream.akeyless.spire.PluginProcessTest.certificate;
import static io.spiffe4j.upstream.akeyless.spire.PluginProcessTest.configure;
import static io.spiffe4j.upstream.akeyless.spire.PluginProcessTest.mintRequest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.CoreConfiguration;
import io.spiffe4j.upstream.akeyless.internal.proto.DeinitRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthCheckRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.InitGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.JwtKeyProto.JWTKey;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CARequest;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CAResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.PublishJWTKeyRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.PublishJWTKeyResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.ValidateRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.ValidateResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The plugin's gRPC services in this JVM, over a real Unix socket: SPIRE's semantics and the error mapping. */
class PluginServiceTest {
  @TempDir
  Path directory;

  private final List<TestUpstream> created = new CopyOnWriteArrayList<>();
  private final CountDownLatch shutdownRequested = new CountDownLatch(1);
  private PluginServer server;
  private EventLoopGroup eventLoop;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    PluginState state = new PluginState(config -> {
      TestUpstream upstream = (TestUpstream) TestUpstream.create(config);
      created.add(upstream);
      return upstream;
    }, Map.of());
    server = PluginServer.start(directory.resolve("plugin.sock"), state, shutdownRequested::countDown);
    eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-client", true),
        EpollIoHandler.newFactory());
    channel = PluginClient.dial(server.socket(), eventLoop);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.stop(Duration.ofSeconds(1));
    eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
  }

  private UpstreamAuthorityGrpc.UpstreamAuthorityBlockingStub upstream() {
    return UpstreamAuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private void configureWith(String hcl) {
    ConfigGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).configure(configure(hcl));
  }

  private static String issuer(String behaviour) {
    return CONFIG.replace("\"" + TestUpstream.NORMAL + "\"", "\"" + behaviour + "\"");
  }

  @Test
  void mint_signsTheCsrKeyForTheRequestedTtl_withTheRootApart() throws Exception {
    configureWith(CONFIG);
    KeyPair key = KeyAlgorithm.EC_P256.generate();

    MintX509CAResponse response = upstream().mintX509CAAndSubscribe(mintRequest(key)).next();

    assertEquals(1, response.getX509CaChainCount());
    assertEquals(1, response.getUpstreamX509RootsCount());
    X509Certificate ca = certificate(response.getX509CaChain(0).getAsn1());
    X509Certificate root = certificate(response.getUpstreamX509Roots(0).getAsn1());
    assertEquals(key.getPublic(), ca.getPublicKey());
    ca.verify(root.getPublicKey());
    assertEquals(root.getSubjectX500Principal(), root.getIssuerX500Principal());
    assertNear(Instant.now().plus(Duration.ofDays(1)), ca.getNotAfter().toInstant());
  }

  @Test
  void mint_maxTtl_capsThePreferredTtl_andStandsInForZero() throws Exception {
    configureWith(CONFIG + "max_ttl = \"1h\"\n");
    KeyPair key = KeyAlgorithm.EC_P256.generate();

    X509Certificate capped = certificate(upstream().mintX509CAAndSubscribe(mintRequest(key)).next().getX509CaChain(0).getAsn1());
    X509Certificate defaulted = certificate(upstream().mintX509CAAndSubscribe(mintRequest(key).toBuilder()
        .setPreferredTtl(0).build()).next().getX509CaChain(0).getAsn1());
    X509Certificate shorter = certificate(upstream().mintX509CAAndSubscribe(mintRequest(key).toBuilder()
        .setPreferredTtl(600).build()).next().getX509CaChain(0).getAsn1());

    assertNear(Instant.now().plus(Duration.ofHours(1)), capped.getNotAfter().toInstant());
    assertNear(Instant.now().plus(Duration.ofHours(1)), defaulted.getNotAfter().toInstant());
    assertNear(Instant.now().plus(Duration.ofMinutes(10)), shorter.getNotAfter().toInstant());
  }

  @Test
  void mint_holdsTheStreamAndPushesRootChanges_untilCancelled() throws Exception {
    configureWith(issuer("rotating"));
    Recorder<MintX509CAResponse> recorder = new Recorder<>();
    Context.CancellableContext call = Context.current().withCancellation();

    call.run(() -> UpstreamAuthorityGrpc.newStub(channel)
        .mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate()), recorder));
    recorder.awaitMessages(2);
    Thread.sleep(200);

    MintX509CAResponse update = recorder.messages.get(1);
    assertEquals(0, update.getX509CaChainCount(), "updates carry roots only");
    assertEquals(2, update.getUpstreamX509RootsCount());
    assertFalse(recorder.ended(), "the stream stays open after the updates");
    call.cancel(null);
    Thread.sleep(200);
    assertTrue(recorder.ended());
  }

  @Test
  void mint_beforeConfigure_isFailedPreconditionPluginNotConfigured() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> upstream().mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate())).next());

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("plugin not configured", e.getStatus().getDescription());
  }

  @Test
  void mint_afterDeinit_isFailedPrecondition_andTheUpstreamIsClosed() {
    configureWith(CONFIG);
    InitGrpc.newBlockingStub(channel).deinit(DeinitRequest.getDefaultInstance());

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> upstream().mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate())).next());
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertTrue(created.get(0).isClosed());
  }

  @ParameterizedTest
  @CsvSource({
      "unauthenticated, UNAUTHENTICATED",
      "misconfigured, FAILED_PRECONDITION",
      "invalid-request, INVALID_ARGUMENT",
      "unavailable, UNAVAILABLE"})
  void mint_upstreamFailure_mapsItsKindAndKeepsItsMessage(String behaviour, Status.Code code) {
    configureWith(issuer(behaviour));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> upstream().mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate())).next());

    assertEquals(code, e.getStatus().getCode());
    assertEquals(TestUpstream.SECRET_FREE_FAILURE + behaviour, e.getStatus().getDescription());
  }

  @Test
  void mint_unexpectedException_isInternalWithoutItsMessage() {
    configureWith(issuer("boom"));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> upstream().mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate())).next());

    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertFalse(e.getStatus().getDescription().contains("a bug in the upstream"), e.getStatus().getDescription());
  }

  @Test
  void mint_malformedOrMissingCsr_isInvalidArgument() {
    configureWith(CONFIG);

    StatusRuntimeException garbage = assertThrows(StatusRuntimeException.class, () -> upstream()
        .mintX509CAAndSubscribe(MintX509CARequest.newBuilder().setCsr(ByteString.copyFromUtf8("not a csr")).build())
        .next());
    StatusRuntimeException empty = assertThrows(StatusRuntimeException.class,
        () -> upstream().mintX509CAAndSubscribe(MintX509CARequest.getDefaultInstance()).next());
    StatusRuntimeException negative = assertThrows(StatusRuntimeException.class, () -> upstream()
        .mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate()).toBuilder().setPreferredTtl(-1).build())
        .next());

    assertEquals(Status.Code.INVALID_ARGUMENT, garbage.getStatus().getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, negative.getStatus().getCode());
  }

  @Test
  void publishJwtKey_unsupported_isUnimplemented_supported_returnsEveryKeyToKeep() {
    configureWith(CONFIG);
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    PublishJWTKeyRequest request = PublishJWTKeyRequest.newBuilder().setJwtKey(JWTKey.newBuilder().setKeyId("spire-kid")
        .setPublicKey(ByteString.copyFrom(key.getPublic().getEncoded())).setExpiresAt(2_000_000_000L)).build();

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> upstream().publishJWTKeyAndSubscribe(request).next());
    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());

    configureWith(issuer("jwt"));
    Iterator<PublishJWTKeyResponse> stream = upstream().publishJWTKeyAndSubscribe(request);
    PublishJWTKeyResponse response = stream.next();
    assertEquals(List.of("upstream-kid", "spire-kid"),
        response.getUpstreamJwtKeysList().stream().map(JWTKey::getKeyId).collect(java.util.stream.Collectors.toList()));
    assertEquals(request.getJwtKey(), response.getUpstreamJwtKeys(1));
    assertFalse(stream.hasNext(), "no JWT key updates follow");
  }

  @Test
  void subscribeToLocalBundle_isUnimplemented() {
    configureWith(CONFIG);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> upstream()
        .subscribeToLocalBundle(io.spiffe4j.upstream.akeyless.internal.proto.SubscribeToLocalBundleRequest
            .getDefaultInstance()).next());

    assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
  }

  @Test
  void configure_badConfiguration_isInvalidArgumentNamingTheProblem_andKeepsThePreviousUpstream() throws Exception {
    configureWith(CONFIG);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> configureWith(CONFIG.replace("access_type          = \"access_key\"\n", "")));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("access_type is required"), e.getStatus().getDescription());
    assertEquals(1, created.size());
    assertFalse(created.get(0).isClosed());
    upstream().mintX509CAAndSubscribe(mintRequest(KeyAlgorithm.EC_P256.generate())).next();
  }

  @Test
  void configure_factoryRefuses_mapsTheKind_andNeverShowsTheAccessKey() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> configureWith(CONFIG.replace("\"p-test\"", "\"refused\"")));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertFalse(e.getStatus().getDescription().contains(SECRET));
  }

  @Test
  void configure_again_swapsTheUpstreamAndClosesTheOldOne() {
    configureWith(CONFIG);
    configureWith(CONFIG.replace("p-test", "p-other"));

    assertEquals(2, created.size());
    assertTrue(created.get(0).isClosed());
    assertFalse(created.get(1).isClosed());
  }

  @Test
  void configure_wrongTrustDomain_isInvalidArgument() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ConfigGrpc.newBlockingStub(channel)
        .configure(configure(CONFIG).toBuilder().setCoreConfiguration(CoreConfiguration.newBuilder()
            .setTrustDomain("Not A Trust Domain")).build()));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @Test
  void validate_answersValidOrNotesWithoutConfiguring() {
    ConfigGrpc.ConfigBlockingStub config = ConfigGrpc.newBlockingStub(channel);
    CoreConfiguration core = CoreConfiguration.newBuilder().setTrustDomain("example.org").build();

    ValidateResponse good = config.validate(ValidateRequest.newBuilder().setCoreConfiguration(core)
        .setHclConfiguration(CONFIG).build());
    ValidateResponse bad = config.validate(ValidateRequest.newBuilder().setCoreConfiguration(core)
        .setHclConfiguration(CONFIG + "color = \"blue\"\n").build());

    assertTrue(good.getValid());
    assertEquals(List.of(), good.getNotesList());
    assertFalse(bad.getValid());
    assertTrue(bad.getNotes(0).contains("unknown key color"), bad.getNotes(0));
    assertEquals(List.of(), created, "Validate builds no upstream");
  }

  @Test
  void health_pluginIsServing_otherServicesAreNotFound() {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);

    assertEquals("SERVING", health.check(HealthCheckRequest.newBuilder().setService("plugin").build()).getStatus().name());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> health.check(HealthCheckRequest.newBuilder().setService("other").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }

  @Test
  void shutdown_isAnsweredThenReported() throws Exception {
    io.spiffe4j.upstream.akeyless.internal.proto.GRPCControllerGrpc.newBlockingStub(channel)
        .shutdown(io.spiffe4j.upstream.akeyless.internal.proto.Empty.getDefaultInstance());

    assertTrue(shutdownRequested.await(5, TimeUnit.SECONDS));
  }

  private static void assertNear(Instant expected, Instant actual) {
    assertTrue(Duration.between(expected, actual).abs().compareTo(Duration.ofSeconds(90)) < 0,
        "expected about " + expected + ", got " + actual);
  }

  /** Collects a server stream's messages and whether it ended. */
  private static final class Recorder<T> implements StreamObserver<T> {
    final List<T> messages = new CopyOnWriteArrayList<>();
    private final CountDownLatch end = new CountDownLatch(1);

    @Override
    public void onNext(T value) {
      messages.add(value);
    }

    @Override
    public void onError(Throwable t) {
      end.countDown();
    }

    @Override
    public void onCompleted() {
      end.countDown();
    }

    boolean ended() {
      return end.getCount() == 0;
    }

    void awaitMessages(int count) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (messages.size() < count && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(count, messages.size(), "messages received");
    }
  }
}
