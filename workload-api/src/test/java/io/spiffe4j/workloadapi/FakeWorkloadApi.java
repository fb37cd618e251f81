package io.spiffe4j.workloadapi;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
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
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A Workload API server for tests, on a real Unix domain socket: serves whatever state the test sets, pushes every
 * change to open streams as a full state (WAPI-04), and can end streams, fail calls with any status, and count
 * calls. Like SPIRE, it rejects a request without {@code workload.spiffe.io: true} with INVALID_ARGUMENT (WEP-11).
 * Kept free of test-framework types so it can grow into a published test kit.
 *
 * <p>A stream method whose state is unset holds its streams open without a message. Thread-safe.
 */
final class FakeWorkloadApi implements AutoCloseable {
  static final String FETCH_X509_SVID = "FetchX509SVID";
  static final String FETCH_X509_BUNDLES = "FetchX509Bundles";
  static final String FETCH_JWT_SVID = "FetchJWTSVID";
  static final String FETCH_JWT_BUNDLES = "FetchJWTBundles";
  static final String VALIDATE_JWT_SVID = "ValidateJWTSVID";

  private final Path socket;
  private final Transport.Io io;
  private final WorkloadApiAddress address;
  private final EventLoopGroup eventLoop;
  private final Server server;
  private final Stream<X509SVIDResponse> x509 = new Stream<>(FETCH_X509_SVID);
  private final Stream<X509BundlesResponse> x509Bundles = new Stream<>(FETCH_X509_BUNDLES);
  private final Stream<JWTBundlesResponse> jwtBundles = new Stream<>(FETCH_JWT_BUNDLES);
  private volatile Function<JWTSVIDRequest, JWTSVIDResponse> jwtSvids =
      request -> { throw Status.PERMISSION_DENIED.asRuntimeException(); };
  private volatile Function<ValidateJWTSVIDRequest, ValidateJWTSVIDResponse> validator =
      request -> { throw Status.UNIMPLEMENTED.asRuntimeException(); };
  private final Map<String, Queue<Status>> failures = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final AtomicInteger rejectedWithoutHeader = new AtomicInteger();

  /** A server on the Unix socket {@code socket}, or on an ephemeral TCP port of 127.0.0.1 if it is null. */
  private FakeWorkloadApi(Path socket, Transport.Io io) throws IOException {
    this.socket = socket;
    this.io = io;
    this.eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("fakewapi-server", true),
        io == Transport.Io.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    this.server = serverBuilder(socket, io)
        .bossEventLoopGroup(eventLoop)
        .workerEventLoopGroup(eventLoop)
        .directExecutor()
        .addService(ServerInterceptors.intercept(new Service(), new RequireSecurityHeader()))
        .build()
        .start();
    this.address = socket != null ? WorkloadApiAddress.unix(socket) : WorkloadApiAddress.parse(
        "tcp://127.0.0.1:" + ((InetSocketAddress) server.getListenSockets().get(0)).getPort());
  }

  private static NettyServerBuilder serverBuilder(Path socket, Transport.Io io) throws IOException {
    boolean epoll = io == Transport.Io.EPOLL;
    if (socket == null) {
      return NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
          .channelType(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class);
    }
    Files.deleteIfExists(socket);
    NettyServerBuilder builder = epoll
        ? NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
        : NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioServerDomainSocketChannel.class);
    // No TCP keep-alive on a Unix socket: without this Netty warns on every accepted connection.
    return builder.withChildOption(ChannelOption.SO_KEEPALIVE, null);
  }

  /** A server on a new socket at {@code socket}. */
  static FakeWorkloadApi start(Path socket, Transport.Io io) {
    try {
      return new FakeWorkloadApi(socket, io);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server on an ephemeral TCP port of 127.0.0.1. */
  static FakeWorkloadApi startTcp(Transport.Io io) {
    return start(null, io);
  }

  /** Another server on the same socket, with this one's state; this one must be closed first. */
  FakeWorkloadApi restart() {
    FakeWorkloadApi next = start(socket, io);
    next.x509.state = x509.state;
    next.x509Bundles.state = x509Bundles.state;
    next.jwtBundles.state = jwtBundles.state;
    next.jwtSvids = jwtSvids;
    next.validator = validator;
    return next;
  }

  WorkloadApiAddress address() {
    return address;
  }

  /** Sets the X.509 context state and pushes it to every open FetchX509SVID stream. */
  void setX509Context(X509SVIDResponse response) {
    x509.set(response);
  }

  void setX509Bundles(X509BundlesResponse response) {
    x509Bundles.set(response);
  }

  void setJwtBundles(JWTBundlesResponse response) {
    jwtBundles.set(response);
  }

  /** How FetchJWTSVID answers; it may throw a {@link StatusRuntimeException}. Default: PERMISSION_DENIED. */
  void setJwtSvids(Function<JWTSVIDRequest, JWTSVIDResponse> answer) {
    this.jwtSvids = answer;
  }

  /** How ValidateJWTSVID answers; it may throw a {@link StatusRuntimeException}. Default: UNIMPLEMENTED. */
  void setValidator(Function<ValidateJWTSVIDRequest, ValidateJWTSVIDResponse> answer) {
    this.validator = answer;
  }

  /** The next calls of {@code method}, one per status, fail with these statuses before anything else happens. */
  void failNext(String method, Status... statuses) {
    Queue<Status> queue = failures.computeIfAbsent(method, m -> new ArrayDeque<>());
    synchronized (queue) {
      queue.addAll(List.of(statuses));
    }
  }

  /** Ends every open stream cleanly (status OK), as an agent may do. */
  void completeStreams() {
    for (Stream<?> stream : List.of(x509, x509Bundles, jwtBundles)) {
      stream.endAll(null);
    }
  }

  /** Ends every open stream with {@code status}. */
  void failStreams(Status status) {
    for (Stream<?> stream : List.of(x509, x509Bundles, jwtBundles)) {
      stream.endAll(status);
    }
  }

  int calls(String method) {
    AtomicInteger count = calls.get(method);
    return count == null ? 0 : count.get();
  }

  int openStreams(String method) {
    return List.of(x509, x509Bundles, jwtBundles).stream().filter(s -> s.method.equals(method))
        .mapToInt(s -> s.observers.size()).sum();
  }

  int rejectedWithoutHeader() {
    return rejectedWithoutHeader.get();
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
  }

  /** Counts the call and applies a queued failure; true if the call was failed. */
  private boolean failed(String method, StreamObserver<?> observer) {
    calls.computeIfAbsent(method, m -> new AtomicInteger()).incrementAndGet();
    Queue<Status> queue = failures.get(method);
    Status status = null;
    if (queue != null) {
      synchronized (queue) {
        status = queue.poll();
      }
    }
    if (status != null) {
      observer.onError(status.asRuntimeException());
      return true;
    }
    return false;
  }

  private static <Q, R> void unary(Function<Q, R> answer, Q request, StreamObserver<R> observer) {
    R response;
    try {
      response = answer.apply(request);
    } catch (StatusRuntimeException e) {
      observer.onError(e);
      return;
    }
    observer.onNext(response);
    observer.onCompleted();
  }

  /** The full state of one stream method and its open streams. */
  private final class Stream<R> {
    final String method;
    final List<ServerCallStreamObserver<R>> observers = new CopyOnWriteArrayList<>();
    volatile R state;

    Stream(String method) {
      this.method = method;
    }

    void open(StreamObserver<R> observer) {
      if (failed(method, observer)) {
        return;
      }
      ServerCallStreamObserver<R> serverObserver = (ServerCallStreamObserver<R>) observer;
      serverObserver.setOnCancelHandler(() -> observers.remove(serverObserver));
      synchronized (this) {
        observers.add(serverObserver);
        if (state != null) {
          serverObserver.onNext(state);
        }
      }
    }

    synchronized void set(R response) {
      state = response;
      for (ServerCallStreamObserver<R> observer : observers) {
        observer.onNext(response);
      }
    }

    synchronized void endAll(Status status) {
      for (ServerCallStreamObserver<R> observer : observers) {
        observers.remove(observer);
        if (status == null) {
          observer.onCompleted();
        } else {
          observer.onError(status.asRuntimeException());
        }
      }
    }
  }

  private final class Service extends SpiffeWorkloadAPIGrpc.SpiffeWorkloadAPIImplBase {
    @Override
    public void fetchX509SVID(X509SVIDRequest request, StreamObserver<X509SVIDResponse> observer) {
      x509.open(observer);
    }

    @Override
    public void fetchX509Bundles(X509BundlesRequest request, StreamObserver<X509BundlesResponse> observer) {
      x509Bundles.open(observer);
    }

    @Override
    public void fetchJWTBundles(JWTBundlesRequest request, StreamObserver<JWTBundlesResponse> observer) {
      jwtBundles.open(observer);
    }

    @Override
    public void fetchJWTSVID(JWTSVIDRequest request, StreamObserver<JWTSVIDResponse> observer) {
      if (!failed(FETCH_JWT_SVID, observer)) {
        unary(jwtSvids, request, observer);
      }
    }

    @Override
    public void validateJWTSVID(ValidateJWTSVIDRequest request, StreamObserver<ValidateJWTSVIDResponse> observer) {
      if (!failed(VALIDATE_JWT_SVID, observer)) {
        unary(validator, request, observer);
      }
    }
  }

  /** The server side of WEP-04/WEP-11. */
  private final class RequireSecurityHeader implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
        ServerCallHandler<Q, R> next) {
      if (!"true".equals(headers.get(Transport.SECURITY_HEADER))) {
        rejectedWithoutHeader.incrementAndGet();
        call.close(Status.INVALID_ARGUMENT.withDescription("security header missing from request"), new Metadata());
        return new ServerCall.Listener<>() {
        };
      }
      return next.startCall(call, headers);
    }
  }
}
