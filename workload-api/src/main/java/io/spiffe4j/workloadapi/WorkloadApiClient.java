package io.spiffe4j.workloadapi;

import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.SpiffeWorkloadAPIGrpc;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDRequest;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A client of the SPIFFE Workload API (a SPIRE agent, for example) at one endpoint: one-shot fetches with a
 * deadline ({@link WorkloadApiCalls}) and watches that keep a stream open and reconnect by themselves.
 *
 * <pre>{@code
 * try (WorkloadApiClient client = WorkloadApiClient.create()) {      // SPIFFE_ENDPOINT_SOCKET
 *   X509Context context = client.fetchX509Context();
 *   JwtSvid token = client.withDeadline(Duration.ofSeconds(2)).fetchJwtSvid("payments");
 *   Watch watch = client.watchX509Context(update -> use(update));
 * }
 * }</pre>
 *
 * <p><b>Transport.</b> Unix domain sockets through epoll where its natives load (Linux x86_64 and aarch64),
 * otherwise through the JDK's NIO Unix domain sockets (macOS, other Linux); TCP for {@code tcp://IP:PORT}. Only
 * grpc-netty-shaded is needed. Plaintext (WEP-05); every call carries {@code workload.spiffe.io: true} (WEP-04).
 * The connection is made on the first call and remade after failures.
 *
 * <p><b>Threads.</b> One daemon event-loop thread ({@code spiffe4j-workloadapi-io-*}), which also runs the
 * reconnect timers, and callbacks on the executor given to the builder or on a daemon pool of the client's own
 * ({@code spiffe4j-workloadapi-callback-*}). {@link #close()} cancels every call and watch and stops those threads.
 *
 * <p><b>Errors.</b> Only {@link WorkloadApiException}s, telling whether a retry can help; no gRPC or Netty type is
 * exposed. Watches retry every retryable failure, and a clean end of stream (WAPI-03), with a jittered exponential
 * {@link Backoff}; {@code PERMISSION_DENIED} (no identity yet, WEP-13) on a slower curve of its own;
 * {@code INVALID_ARGUMENT} and {@code UNIMPLEMENTED} stop the watch (WEP-14).
 *
 * <p>Thread-safe; share one client per endpoint.
 */
public final class WorkloadApiClient implements WorkloadApiCalls, AutoCloseable {
  private final WorkloadApiAddress address;
  private final Transport transport;
  private final Backoff backoff;
  private final Backoff noIdentityBackoff;
  private final Duration closeTimeout;
  private final Calls defaultCalls;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<StreamWatch<?, ?, ?>> watches = ConcurrentHashMap.newKeySet();
  private final Set<ClientCall<?, ?>> calls = ConcurrentHashMap.newKeySet();

  private WorkloadApiClient(Builder builder, WorkloadApiAddress address) {
    this.address = address;
    this.transport = Transport.open(address, builder.io == null ? Transport.Io.best() : builder.io, builder.executor);
    this.backoff = builder.backoff;
    this.noIdentityBackoff = builder.noIdentityBackoff;
    this.closeTimeout = builder.closeTimeout;
    this.defaultCalls = new Calls(this, builder.deadline);
  }

  /**
   * A client with default settings for the endpoint in {@code SPIFFE_ENDPOINT_SOCKET} (WEP-06).
   *
   * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS}
   */
  public static WorkloadApiClient create() {
    return builder().build();
  }

  /**
   * A client with default settings for the endpoint at {@code address}.
   *
   * @throws WorkloadApiException of kind {@code INVALID_ADDRESS}
   */
  public static WorkloadApiClient create(String address) {
    return builder().address(address).build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The endpoint this client talks to. */
  public WorkloadApiAddress address() {
    return address;
  }

  /**
   * The one-shot calls of this client with another deadline. The view shares this client's connection and
   * lifecycle: it has nothing to close and fails with kind {@code CLOSED} once this client is closed.
   *
   * @throws IllegalArgumentException if {@code deadline} is not positive
   */
  public WorkloadApiCalls withDeadline(Duration deadline) {
    return new Calls(this, Builder.positive(deadline, "deadline"));
  }

  @Override
  public X509Context fetchX509Context() {
    return defaultCalls.fetchX509Context();
  }

  @Override
  public BundleSet fetchX509Bundles() {
    return defaultCalls.fetchX509Bundles();
  }

  @Override
  public BundleSet fetchJwtBundles() {
    return defaultCalls.fetchJwtBundles();
  }

  @Override
  public JwtSvid fetchJwtSvid(String audience, String... moreAudiences) {
    return defaultCalls.fetchJwtSvid(audience, moreAudiences);
  }

  @Override
  public JwtSvid fetchJwtSvid(SpiffeId subject, String audience, String... moreAudiences) {
    return defaultCalls.fetchJwtSvid(subject, audience, moreAudiences);
  }

  @Override
  public List<JwtSvid> fetchJwtSvids(String audience, String... moreAudiences) {
    return defaultCalls.fetchJwtSvids(audience, moreAudiences);
  }

  @Override
  public JwtSvid validateJwtSvid(String token, String audience) {
    return defaultCalls.validateJwtSvid(token, audience);
  }

  /**
   * Watches the X.509 context (FetchX509SVID): each update is a full state that replaces the previous one
   * (WAPI-04/05). The stream opens at once and stays open until the watch or the client is closed, or the endpoint
   * refuses it for good.
   *
   * @throws WorkloadApiException of kind {@code CLOSED} if the client is closed
   */
  public Watch watchX509Context(Watcher<X509Context> watcher) {
    return watch(SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(), X509SVIDRequest.getDefaultInstance(),
        Responses::x509Context, watcher);
  }

  /**
   * Watches the X.509 bundles (FetchX509Bundles), by trust domain; full states, as {@link #watchX509Context}.
   *
   * @throws WorkloadApiException of kind {@code CLOSED} if the client is closed
   */
  public Watch watchX509Bundles(Watcher<BundleSet> watcher) {
    return watch(SpiffeWorkloadAPIGrpc.getFetchX509BundlesMethod(), X509BundlesRequest.getDefaultInstance(),
        Responses::x509Bundles, watcher);
  }

  /**
   * Watches the JWT bundles (FetchJWTBundles), by trust domain; full states, as {@link #watchX509Context}.
   *
   * @throws WorkloadApiException of kind {@code CLOSED} if the client is closed
   */
  public Watch watchJwtBundles(Watcher<BundleSet> watcher) {
    return watch(SpiffeWorkloadAPIGrpc.getFetchJWTBundlesMethod(), JWTBundlesRequest.getDefaultInstance(),
        Responses::jwtBundles, watcher);
  }

  private <Q, R, T> Watch watch(MethodDescriptor<Q, R> method, Q request, Function<R, T> mapper, Watcher<T> watcher) {
    Objects.requireNonNull(watcher, "watcher");
    StreamWatch<Q, R, T> watch = new StreamWatch<>(this, method, request, mapper, watcher);
    watches.add(watch);
    if (closed.get()) {
      // close() may have swept the watches before this one was added.
      watches.remove(watch);
      throw closedException("watch " + method.getBareMethodName());
    }
    watch.connect();
    return watch;
  }

  /**
   * Cancels every call and watch (watchers get {@link Watcher#onStopped} with kind {@code CLOSED}), shuts the
   * connection down and stops the client's threads, waiting a bounded time (the builder's {@code closeTimeout},
   * 5 s by default) for each. Idempotent; later calls fail with kind {@code CLOSED}.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    WorkloadApiException error = closedException("watch");
    for (StreamWatch<?, ?, ?> watch : watches) {
      watch.stop(error);
    }
    for (ClientCall<?, ?> call : calls) {
      call.cancel("client closed", null);
    }
    transport.shutdown(closeTimeout);
  }

  boolean isClosed() {
    return closed.get();
  }

  void checkOpen(String operation) {
    if (closed.get()) {
      throw closedException(operation);
    }
  }

  private static WorkloadApiException closedException(String operation) {
    return new WorkloadApiException(Kind.CLOSED, operation + " failed: the client is closed", null);
  }

  Transport transport() {
    return transport;
  }

  Backoff backoff() {
    return backoff;
  }

  Backoff noIdentityBackoff() {
    return noIdentityBackoff;
  }

  void track(ClientCall<?, ?> call) {
    calls.add(call);
  }

  void untrack(ClientCall<?, ?> call) {
    calls.remove(call);
  }

  void forget(StreamWatch<?, ?, ?> watch) {
    watches.remove(watch);
  }

  @Override
  public String toString() {
    return "WorkloadApiClient{address=" + address + ", closed=" + closed.get() + "}";
  }

  /** Settings of a {@link WorkloadApiClient}. Not thread-safe; {@link #build()} may be called more than once. */
  public static final class Builder {
    private WorkloadApiAddress address;
    private Duration deadline = Duration.ofSeconds(10);
    private Backoff backoff = Backoff.defaultRetry();
    private Backoff noIdentityBackoff = Backoff.defaultNoIdentity();
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Executor executor;
    private Transport.Io io;

    private Builder() {
    }

    /**
     * The endpoint, as {@code unix:///path} or {@code tcp://IP:PORT}. Default: {@code SPIFFE_ENDPOINT_SOCKET},
     * read at {@link #build()} (WEP-06).
     *
     * @throws WorkloadApiException of kind {@code INVALID_ADDRESS} if the address breaks WEP-07/08/09
     */
    public Builder address(String address) {
      this.address = WorkloadApiAddress.parse(address);
      return this;
    }

    /** The endpoint. Default: {@code SPIFFE_ENDPOINT_SOCKET}, read at {@link #build()} (WEP-06). */
    public Builder address(WorkloadApiAddress address) {
      this.address = Objects.requireNonNull(address, "address");
      return this;
    }

    /**
     * The deadline of each one-shot call; default 10 s. Watches have none.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder deadline(Duration deadline) {
      this.deadline = positive(deadline, "deadline");
      return this;
    }

    /** The backoff of watch reconnects after transient failures; default {@link Backoff#defaultRetry()}. */
    public Builder backoff(Backoff backoff) {
      this.backoff = Objects.requireNonNull(backoff, "backoff");
      return this;
    }

    /**
     * The backoff of watch retries while the endpoint has no identity for the workload ({@code PERMISSION_DENIED});
     * default {@link Backoff#defaultNoIdentity()}.
     */
    public Builder noIdentityBackoff(Backoff noIdentityBackoff) {
      this.noIdentityBackoff = Objects.requireNonNull(noIdentityBackoff, "noIdentityBackoff");
      return this;
    }

    /**
     * The executor that runs gRPC callbacks and {@link Watcher} callbacks. The client does not shut it down.
     * Default: a daemon pool of the client's own, stopped by {@link WorkloadApiClient#close()}.
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * How long {@link WorkloadApiClient#close()} waits for each of the connection and the threads to stop; default
     * 5 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = positive(closeTimeout, "closeTimeout");
      return this;
    }

    /** For tests: the Netty I/O implementation, instead of epoll when available and NIO otherwise. */
    Builder io(Transport.Io io) {
      this.io = Objects.requireNonNull(io, "io");
      return this;
    }

    /**
     * A client; it connects on first use.
     *
     * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS} if no address was set and
     *     {@code SPIFFE_ENDPOINT_SOCKET} is unset or invalid
     */
    public WorkloadApiClient build() {
      return new WorkloadApiClient(this, address != null ? address : WorkloadApiAddress.fromEnvironment());
    }

    static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }
  }
}
