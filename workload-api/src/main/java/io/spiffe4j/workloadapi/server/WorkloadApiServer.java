package io.spiffe4j.workloadapi.server;

import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.spiffe4j.workloadapi.WorkloadApiAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A SPIFFE Workload API server to embed: it serves the standard's {@code SpiffeWorkloadAPI} (the same proto as SPIRE,
 * so any client can use it) on Unix domain sockets, each backed by an {@link IdentityProvider}.
 *
 * <pre>{@code
 * try (MintingIdentityProvider web = MintingIdentityProvider.builder(SpiffeId.parse("spiffe://example.org/web")).build();
 *     WorkloadApiServer server = WorkloadApiServer.builder().unix(dir.resolve("web.sock"), web).start();
 *     WorkloadApiClient client = WorkloadApiClient.builder().address(server.endpoint().address()).build()) {
 *   X509Context context = client.fetchX509Context();
 *   web.rotate();                                             // every open watch gets the new SVID
 *   server.endpoint().failNext(Rpc.FETCH_JWT_SVID, 1, StatusCode.UNAVAILABLE);
 * }
 * }</pre>
 *
 * <p><b>One socket per identity.</b> The server does not attest its callers: whoever can connect to a socket is
 * served that socket's provider. Processes of one user cannot be told apart by the kernel either, so a socket, not
 * a caller, decides who is served: give each workload its own socket (and directory) and serve several from one
 * server with {@link Builder#unix} called once per socket. Socket files are created with owner-only permissions by
 * default ({@link Builder#socketPermissions}), set just after binding, and removed when the server terminates.
 *
 * <p><b>The protocol.</b> Every request must carry {@code workload.spiffe.io: true}, or it fails with
 * {@code INVALID_ARGUMENT} (WEP-04, WEP-11). Streams get the full state when they open and after every change the
 * provider signals (WAPI-04). A provider without an identity gets callers {@code PERMISSION_DENIED} (WEP-13), on
 * every call but ValidateJWTSVID, and open streams end with it when an identity is withdrawn. JWT bundles are JWK
 * Sets without {@code use}, keyed by {@code spiffe://<trust domain>} (WAPI-11); ValidateJWTSVID validates with the
 * provider and answers the token's claims as a protobuf {@code Struct}, an invalid token with
 * {@code INVALID_ARGUMENT} (WAPI-12). The WIT-SVID calls answer {@code UNIMPLEMENTED} (WAPI-14).
 *
 * <p><b>Test hooks.</b> Each {@link Endpoint} can push its state again, fail the next calls of an {@link Rpc} with a
 * {@link StatusCode}, end its open streams, and count calls and streams: the test kit to try a client against.
 *
 * <p><b>Threads and lifecycle.</b> Daemon threads named {@code spiffe4j-workloadapi-server-*}: one event loop for all
 * sockets, a pool for the calls, and one that finishes a shutdown. The lifecycle is grpc-java's: {@link #shutdown},
 * {@link #shutdownNow}, {@link #awaitTermination} (with a {@link Duration}, as every spiffe4j timeout),
 * {@link #isShutdown}, {@link #isTerminated}; {@link #close()} shuts down and waits a bounded time. The server does not
 * close its providers.
 *
 * <p>Thread-safe.
 */
public final class WorkloadApiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadApiServer.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  /** Filled by the builder while it binds; written before the server is handed out, read by any thread. */
  private final List<ServedEndpoint> endpoints = new CopyOnWriteArrayList<>();
  private final EventLoopGroup eventLoop;
  private final ExecutorService executor;
  private final Duration closeTimeout;
  private final CountDownLatch terminated = new CountDownLatch(1);
  private final Object lock = new Object();
  private boolean shutdown;
  private volatile boolean forced;

  private WorkloadApiServer(ServerIo io, Duration closeTimeout) {
    this.eventLoop = io.newEventLoopGroup();
    this.executor = callPool();
    this.closeTimeout = closeTimeout;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A cached pool: provider calls may block, so calls are not run on the event loop. Idle threads go after 30 s. */
  private static ExecutorService callPool() {
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
        runnable -> daemon(runnable, "spiffe4j-workloadapi-server-" + THREADS.incrementAndGet()));
  }

  private static Thread daemon(Runnable runnable, String name) {
    Thread thread = new Thread(runnable, name);
    thread.setDaemon(true);
    return thread;
  }

  /** The endpoints, in the order the builder was given them; an unmodifiable list. */
  public List<Endpoint> endpoints() {
    return List.copyOf(endpoints);
  }

  /**
   * The only endpoint of a server that serves one socket.
   *
   * @throws IllegalStateException if the server has several
   */
  public Endpoint endpoint() {
    if (endpoints.size() != 1) {
      throw new IllegalStateException("the server has " + endpoints.size() + " endpoints; use endpoints()");
    }
    return endpoints.get(0);
  }

  /**
   * Starts an orderly shutdown: the sockets stop accepting, open streams end with {@code UNAVAILABLE} (clients
   * reconnect elsewhere or back off), unary calls in flight finish. Then the threads stop and the socket files are
   * removed. Idempotent; returns at once.
   */
  public WorkloadApiServer shutdown() {
    synchronized (lock) {
      if (shutdown) {
        return this;
      }
      shutdown = true;
    }
    for (ServedEndpoint endpoint : endpoints) {
      endpoint.shutdown();
    }
    daemon(this::terminate, "spiffe4j-workloadapi-server-shutdown-" + THREADS.incrementAndGet()).start();
    return this;
  }

  /** As {@link #shutdown()}, and cancels the calls in flight and interrupts provider code still running. */
  public WorkloadApiServer shutdownNow() {
    shutdown();
    forced = true;
    for (ServedEndpoint endpoint : endpoints) {
      endpoint.shutdownNow();
    }
    return this;
  }

  /** Whether {@link #shutdown()} or {@link #shutdownNow()} was called. */
  public boolean isShutdown() {
    synchronized (lock) {
      return shutdown;
    }
  }

  /** Whether the server has shut down, its threads have ended and its socket files are gone. */
  public boolean isTerminated() {
    return terminated.getCount() == 0;
  }

  /**
   * Waits until the server is terminated, at most {@code timeout}.
   *
   * @return whether it is terminated
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Shuts down and waits for termination up to the builder's {@code closeTimeout}; if calls are still running then,
   * shuts down now and waits as long again. Idempotent. If interrupted, shuts down now and keeps the interrupt flag.
   */
  @Override
  public void close() {
    shutdown();
    try {
      if (!awaitTermination(closeTimeout)) {
        shutdownNow();
        if (!awaitTermination(closeTimeout)) {
          LOG.warn("the Workload API server did not terminate within {}", closeTimeout);
        }
      }
    } catch (InterruptedException e) {
      shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** Runs on a thread of its own, so that a shutdown completes whether or not anybody waits for it. */
  private void terminate() {
    try {
      for (ServedEndpoint endpoint : endpoints) {
        endpoint.awaitTermination();
      }
      eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
      executor.shutdown();
      while (!executor.awaitTermination(50, TimeUnit.MILLISECONDS)) {
        if (forced) {
          executor.shutdownNow();
        }
      }
      for (ServedEndpoint endpoint : endpoints) {
        endpoint.deleteSocket();
      }
    } catch (InterruptedException e) {
      // Nobody interrupts this thread; if something does, give up waiting.
      executor.shutdownNow();
    } finally {
      terminated.countDown();
    }
  }

  @Override
  public String toString() {
    return "WorkloadApiServer{endpoints="
        + endpoints.stream().map(e -> e.address().toString()).collect(Collectors.toList())
        + ", shutdown=" + isShutdown() + ", terminated=" + isTerminated() + "}";
  }

  /**
   * One socket of a server and the provider it serves, with the hooks tests use to drive a client. Thread-safe;
   * implemented by the server only.
   */
  public interface Endpoint {
    /** The address clients connect to: {@code unix:///path}, or {@code tcp://127.0.0.1:PORT} with the bound port. */
    WorkloadApiAddress address();

    IdentityProvider provider();

    /**
     * Sends the provider's current state to every open stream now, even if it is unchanged, and returns when the
     * messages are handed to the transport. Streams end with {@code PERMISSION_DENIED} if there is no identity.
     */
    void push();

    /**
     * Makes the next {@code times} calls of {@code rpc} fail with {@code code} before anything else is done (after
     * the header check). Repeated calls queue up.
     *
     * @throws IllegalArgumentException if {@code times} is less than 1
     */
    void failNext(Rpc rpc, int times, StatusCode code);

    /** Ends every open stream cleanly (status OK), as an agent may do at any time (WAPI-03). */
    void endStreams();

    /** Ends every open stream with {@code code}. */
    void failStreams(StatusCode code);

    /** How many calls of {@code rpc} arrived with the security header, failed ones included. */
    int calls(Rpc rpc);

    /** How many streams of {@code rpc} are open; 0 for a unary call. */
    int openStreams(Rpc rpc);
  }

  /** Settings of a {@link WorkloadApiServer}. Not thread-safe. */
  public static final class Builder {
    private static final Set<PosixFilePermission> OWNER_ONLY =
        EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

    private final List<EndpointSpec> specs = new ArrayList<>();
    private Set<PosixFilePermission> socketPermissions = OWNER_ONLY;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private ServerIo io;

    private Builder() {
    }

    /**
     * Serves {@code provider} on a Unix domain socket at {@code socketPath} (made absolute). A stale socket file
     * there is replaced; a socket something still listens on, or a file of another kind, makes {@link #start} fail.
     *
     * @throws IllegalArgumentException if the path is already given to this builder
     */
    public Builder unix(Path socketPath, IdentityProvider provider) {
      Path path = Objects.requireNonNull(socketPath, "socketPath").toAbsolutePath();
      Objects.requireNonNull(provider, "provider");
      for (EndpointSpec spec : specs) {
        if (path.equals(spec.socket)) {
          throw new IllegalArgumentException("socket " + path + " is already served by this builder");
        }
      }
      specs.add(new EndpointSpec(path, 0, provider));
      return this;
    }

    /**
     * Serves {@code provider} on {@code port} of 127.0.0.1, 0 for a free port (see {@link Endpoint#address()}).
     * For tests and platforms without Unix sockets only: any local process can connect, and the standard allows TCP
     * only where the caller can be authenticated otherwise (WEP-03).
     *
     * @throws IllegalArgumentException if the port is outside 0-65535
     */
    public Builder tcp(int port, IdentityProvider provider) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be in 0-65535: " + port);
      }
      specs.add(new EndpointSpec(null, port, Objects.requireNonNull(provider, "provider")));
      return this;
    }

    /**
     * The permissions of every socket file; default owner read and write ({@code rw-------}): only processes of the
     * server's user can connect. Widen them (for example to the group) for workloads that run as other users.
     *
     * @throws IllegalArgumentException if they lack {@code OWNER_WRITE}, without which not even the owner connects
     */
    public Builder socketPermissions(Set<PosixFilePermission> permissions) {
      Objects.requireNonNull(permissions, "permissions");
      if (!permissions.contains(PosixFilePermission.OWNER_WRITE)) {
        throw new IllegalArgumentException("connecting to a socket needs write permission; OWNER_WRITE is missing");
      }
      this.socketPermissions = EnumSet.copyOf(permissions);
      return this;
    }

    /**
     * How long {@link WorkloadApiServer#close()} waits for an orderly shutdown, and then for a forced one; default
     * 5 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder closeTimeout(Duration closeTimeout) {
      Objects.requireNonNull(closeTimeout, "closeTimeout");
      if (closeTimeout.isNegative() || closeTimeout.isZero()) {
        throw new IllegalArgumentException("closeTimeout must be positive: " + closeTimeout);
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** For tests: the Netty I/O implementation, instead of epoll when available and NIO otherwise. */
    Builder io(ServerIo io) {
      this.io = Objects.requireNonNull(io, "io");
      return this;
    }

    /**
     * Binds every socket and starts serving. If one cannot be bound, those already bound are closed again.
     *
     * @throws IllegalStateException if no endpoint was given
     * @throws UncheckedIOException if a socket cannot be bound: its directory is missing, the path is too long for a
     *     Unix socket, something else listens there, or the port is taken
     */
    public WorkloadApiServer start() {
      if (specs.isEmpty()) {
        throw new IllegalStateException("no endpoint: call unix(...) or tcp(...) first");
      }
      ServerIo chosen = io != null ? io : ServerIo.best();
      WorkloadApiServer server = new WorkloadApiServer(chosen, closeTimeout);
      EndpointSpec current = null;
      try {
        for (EndpointSpec spec : specs) {
          current = spec;
          server.endpoints.add(spec.socket != null
              ? ServedEndpoint.unix(spec.socket, socketPermissions, spec.provider, chosen, server.eventLoop,
                  server.executor)
              : ServedEndpoint.tcp(spec.port, spec.provider, chosen, server.eventLoop, server.executor));
        }
      } catch (IOException e) {
        server.close();
        throw new UncheckedIOException("cannot serve the Workload API on " + current + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        server.close();
        throw e;
      }
      return server;
    }
  }

  /** What the builder was told to serve. */
  private static final class EndpointSpec {
    final Path socket;
    final int port;
    final IdentityProvider provider;

    EndpointSpec(Path socket, int port, IdentityProvider provider) {
      this.socket = socket;
      this.port = port;
      this.provider = provider;
    }

    @Override
    public String toString() {
      return socket != null ? "unix://" + socket : "tcp://127.0.0.1:" + port;
    }
  }
}
