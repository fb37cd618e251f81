package io.spiffe4j.workloadapi.server;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.StreamObserver;
import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.workloadapi.WorkloadApiAddress;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.SpiffeWorkloadAPIGrpc;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket of a {@link WorkloadApiServer} and the identity provider behind it: a gRPC server of its own on the
 * server's shared event loop and executor. Thread-safe.
 */
final class ServedEndpoint implements WorkloadApiServer.Endpoint {
  private static final Logger LOG = LoggerFactory.getLogger(ServedEndpoint.class);
  private static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);

  private final IdentityProvider provider;
  private final ExecutorService executor;
  private final StreamGroup<X509SVIDResponse> x509Svids;
  private final StreamGroup<X509BundlesResponse> x509Bundles;
  private final StreamGroup<JWTBundlesResponse> jwtBundles;
  private final Map<Rpc, AtomicInteger> calls = new EnumMap<>(Rpc.class);
  private final Map<Rpc, Queue<StatusCode>> failures = new EnumMap<>(Rpc.class);
  /** Changes signalled and not yet published; the one running publisher loops until it reaches zero. */
  private final AtomicInteger pendingPushes = new AtomicInteger();

  // Set once while starting; volatile as the calls the started gRPC server runs may read them.
  private volatile Server server;
  private volatile WorkloadApiAddress address;
  private volatile Path socket;
  private volatile Object socketKey;
  private volatile IdentityProvider.Subscription subscription;

  private ServedEndpoint(IdentityProvider provider, ExecutorService executor) {
    this.provider = provider;
    this.executor = executor;
    this.x509Svids = new StreamGroup<>(() -> Messages.x509Svids(identity()));
    this.x509Bundles = new StreamGroup<>(() -> Messages.x509Bundles(identity()));
    this.jwtBundles = new StreamGroup<>(() -> {
      identity();
      return Messages.jwtBundles(guarded(provider::jwtBundles));
    });
    for (Rpc rpc : Rpc.values()) {
      calls.put(rpc, new AtomicInteger());
      failures.put(rpc, new ArrayDeque<>());
    }
  }

  /** Serves {@code provider} on the Unix socket {@code socket}, with the socket file's {@code permissions}. */
  static ServedEndpoint unix(Path socket, Set<PosixFilePermission> permissions, IdentityProvider provider,
      ServerIo io, EventLoopGroup eventLoop, ExecutorService executor) throws IOException {
    ServedEndpoint endpoint = new ServedEndpoint(provider, executor);
    SocketFiles.clear(socket);
    endpoint.start(io.unix(socket), eventLoop);
    endpoint.socket = socket;
    endpoint.address = WorkloadApiAddress.unix(socket);
    try {
      endpoint.socketKey = SocketFiles.restrict(socket, permissions);
    } catch (IOException e) {
      endpoint.server.shutdownNow();
      throw e;
    }
    return endpoint.subscribed();
  }

  /** Serves {@code provider} on {@code port} of 127.0.0.1; 0 for a free port. */
  static ServedEndpoint tcp(int port, IdentityProvider provider, ServerIo io, EventLoopGroup eventLoop,
      ExecutorService executor) throws IOException {
    ServedEndpoint endpoint = new ServedEndpoint(provider, executor);
    endpoint.start(io.tcp(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)), eventLoop);
    int bound = ((InetSocketAddress) endpoint.server.getListenSockets().get(0)).getPort();
    endpoint.address = WorkloadApiAddress.parse("tcp://127.0.0.1:" + bound);
    return endpoint.subscribed();
  }

  private void start(NettyServerBuilder builder, EventLoopGroup eventLoop) throws IOException {
    server = builder
        .bossEventLoopGroup(eventLoop)
        .workerEventLoopGroup(eventLoop)
        .executor(executor)
        .addService(ServerInterceptors.intercept(new Service(), new RequireSecurityHeader()))
        .build()
        .start();
  }

  private ServedEndpoint subscribed() {
    subscription = provider.subscribe(this::changed);
    LOG.debug("serving the Workload API on {}", address);
    return this;
  }

  @Override
  public WorkloadApiAddress address() {
    return address;
  }

  @Override
  public IdentityProvider provider() {
    return provider;
  }

  @Override
  public void push() {
    publish(true);
  }

  @Override
  public void failNext(Rpc rpc, int times, StatusCode code) {
    Objects.requireNonNull(rpc, "rpc");
    Objects.requireNonNull(code, "code");
    if (times < 1) {
      throw new IllegalArgumentException("times must be at least 1: " + times);
    }
    Queue<StatusCode> queue = failures.get(rpc);
    synchronized (queue) {
      for (int i = 0; i < times; i++) {
        queue.add(code);
      }
    }
  }

  @Override
  public void endStreams() {
    endStreams(Status.OK);
  }

  @Override
  public void failStreams(StatusCode code) {
    endStreams(status(Objects.requireNonNull(code, "code")).withDescription("failure injected by the test"));
  }

  private void endStreams(Status status) {
    x509Svids.end(status);
    x509Bundles.end(status);
    jwtBundles.end(status);
  }

  @Override
  public int calls(Rpc rpc) {
    return calls.get(Objects.requireNonNull(rpc, "rpc")).get();
  }

  @Override
  public int openStreams(Rpc rpc) {
    switch (Objects.requireNonNull(rpc, "rpc")) {
      case FETCH_X509_SVID:
        return x509Svids.size();
      case FETCH_X509_BUNDLES:
        return x509Bundles.size();
      case FETCH_JWT_BUNDLES:
        return jwtBundles.size();
      default:
        return 0;
    }
  }

  /** Stops taking calls and tells the open streams to go elsewhere; unary calls in flight may finish. */
  void shutdown() {
    subscription.close();
    server.shutdown();
    Status shuttingDown = Status.UNAVAILABLE.withDescription("the Workload API server is shutting down");
    x509Svids.close(shuttingDown);
    x509Bundles.close(shuttingDown);
    jwtBundles.close(shuttingDown);
  }

  /** Cancels every call in flight too. */
  void shutdownNow() {
    server.shutdownNow();
  }

  void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Removes the socket file if Netty has not; the path may be someone else's by now. */
  void deleteSocket() {
    if (socket != null) {
      SocketFiles.deleteIfSame(socket, socketKey);
    }
  }

  /** The provider's signal: publishes on the executor, coalescing signals that come while a publish runs. */
  private void changed() {
    if (pendingPushes.getAndIncrement() > 0) {
      return;
    }
    try {
      executor.execute(this::publishPending);
    } catch (RejectedExecutionException e) {
      // The server is terminating: nobody is left to tell.
      pendingPushes.set(0);
    }
  }

  private void publishPending() {
    int seen;
    do {
      seen = pendingPushes.get();
      try {
        publish(false);
      } catch (RuntimeException e) {
        LOG.warn("could not publish the identity provider's new state on {}", address, e);
      }
    } while (pendingPushes.addAndGet(-seen) > 0);
  }

  private void publish(boolean force) {
    x509Svids.publish(force);
    x509Bundles.publish(force);
    jwtBundles.publish(force);
  }

  /** The provider's X.509 context, or {@code PERMISSION_DENIED} (WEP-13). */
  private X509Context identity() {
    return guarded(provider::x509Context).orElseThrow(() -> noIdentity());
  }

  private static StatusRuntimeException noIdentity() {
    // SPIRE's words, so that logs read the same against either.
    return Status.PERMISSION_DENIED.withDescription("no identity issued").asRuntimeException();
  }

  private static StatusRuntimeException invalid(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  /** Runs provider code: its failures end the call with {@code INTERNAL}, without its details. */
  private <T> T guarded(Supplier<T> call) {
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      throw e;
    } catch (RuntimeException e) {
      LOG.warn("the identity provider on {} failed", address, e);
      throw Messages.internal("the identity provider failed");
    }
  }

  private JWTSVIDResponse jwtSvids(JWTSVIDRequest request) {
    List<String> audiences = List.copyOf(request.getAudienceList());
    if (audiences.isEmpty() || audiences.contains("")) {
      throw invalid("audience must be specified");
    }
    Optional<SpiffeId> subject;
    try {
      subject = request.getSpiffeId().isEmpty() ? Optional.empty() : Optional.of(SpiffeId.parse(request.getSpiffeId()));
    } catch (SpiffeException e) {
      throw invalid("spiffe_id is invalid: " + e.getMessage());
    }
    List<JwtSvid> svids = guarded(() -> provider.mintJwtSvids(audiences, subject));
    if (svids.isEmpty()) {
      throw noIdentity();
    }
    return Messages.jwtSvids(svids);
  }

  private ValidateJWTSVIDResponse validate(ValidateJWTSVIDRequest request) {
    if (request.getAudience().isEmpty()) {
      throw invalid("audience must be specified");
    }
    if (request.getSvid().isEmpty()) {
      throw invalid("svid must be specified");
    }
    JwtSvid svid = guarded(() -> {
      try {
        return provider.validateJwtSvid(request.getSvid(), request.getAudience());
      } catch (SpiffeException e) {
        // The message names the broken rule and never holds the token.
        throw invalid(e.getMessage());
      }
    });
    return Messages.validated(svid);
  }

  /** Counts the call and fails it if a failure was injected for it; true if it may go on. */
  private boolean admit(Rpc rpc, StreamObserver<?> observer) {
    calls.get(rpc).incrementAndGet();
    Queue<StatusCode> queue = failures.get(rpc);
    StatusCode injected;
    synchronized (queue) {
      injected = queue.poll();
    }
    if (injected != null) {
      observer.onError(status(injected).withDescription("failure injected by the test").asRuntimeException());
      return false;
    }
    return true;
  }

  private static Status status(StatusCode code) {
    return Status.fromCode(Status.Code.valueOf(code.name()));
  }

  private static <R> void unary(StreamObserver<R> observer, Supplier<R> answer) {
    R response;
    try {
      response = answer.get();
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  @Override
  public String toString() {
    return "Endpoint{address=" + address + ", provider=" + provider + "}";
  }

  private final class Service extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
    @Override
    public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> observer) {
      if (admit(Rpc.FETCH_X509_SVID, observer)) {
        x509Svids.open(observer);
      }
    }

    @Override
    public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> observer) {
      if (admit(Rpc.FETCH_X509_BUNDLES, observer)) {
        x509Bundles.open(observer);
      }
    }

    @Override
    public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> observer) {
      if (admit(Rpc.FETCH_JWT_BUNDLES, observer)) {
        jwtBundles.open(observer);
      }
    }

    @Override
    public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> observer) {
      if (admit(Rpc.FETCH_JWT_SVID, observer)) {
        unary(observer, () -> jwtSvids(request));
      }
    }

    @Override
    public void validateJWTSVID(ValidateJWTSVIDRequest request, StreamObserver<ValidateJWTSVIDResponse> observer) {
      if (admit(Rpc.VALIDATE_JWT_SVID, observer)) {
        unary(observer, () -> validate(request));
      }
    }
  }

  /** The server side of WEP-04: a request without {@code workload.spiffe.io: true} is refused (WEP-11). */
  private static final class RequireSecurityHeader implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      if (!"true".equals(headers.get(SECURITY_HEADER))) {
        call.close(Status.INVALID_ARGUMENT.withDescription("security header missing from request"), new Metadata());
        return new ServerCall.Listener<>() {
        };
      }
      return next.startCall(call, headers);
    }
  }
}
