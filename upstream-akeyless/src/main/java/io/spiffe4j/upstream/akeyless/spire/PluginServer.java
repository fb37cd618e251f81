package io.spiffe4j.upstream.akeyless.spire;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plugin's gRPC server: plaintext HTTP/2 on a Unix domain socket, as go-plugin dials it without TLS (SPIRE runs
 * plugins with AutoMTLS off). Whoever can connect could ask for a signed CA, so the socket lives in a directory only
 * this user can enter, and is made owner-only as well. Epoll where its natives load, else the JDK's NIO Unix sockets.
 *
 * <p>Serves go-plugin's broker, controller and stdio, the health check, SPIRE's Init and Config, and the
 * UpstreamAuthority. Calls run on a pool of daemon threads (a mint may block on the network). Thread-safe.
 */
final class PluginServer {
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final Server server;
  private final EventLoopGroup eventLoop;
  private final ExecutorService executor;
  private final Path socket;

  private PluginServer(Server server, EventLoopGroup eventLoop, ExecutorService executor, Path socket) {
    this.server = server;
    this.eventLoop = eventLoop;
    this.executor = executor;
    this.socket = socket;
  }

  /**
   * Binds {@code socket} (its directory must exist) and starts serving.
   *
   * @param onShutdown run after the host's {@code GRPCController/Shutdown} has been answered
   */
  static PluginServer start(Path socket, PluginState state, Runnable onShutdown) throws IOException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("spiffe4j-plugin-io", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    ExecutorService executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, "spiffe4j-plugin-" + THREADS.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    NettyServerBuilder builder = epoll
        ? NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
        : NettyServerBuilder.forAddress(UnixDomainSocketAddress.of(socket))
            .channelType(NioServerDomainSocketChannel.class);
    Server server = builder
        // gRPC asks every accepted channel for TCP keep-alive, which a Unix socket lacks; Netty would warn each time.
        .withChildOption(ChannelOption.SO_KEEPALIVE, null)
        .bossEventLoopGroup(eventLoop)
        .workerEventLoopGroup(eventLoop)
        .executor(executor)
        // go-plugin's client allows messages up to 2 GiB; a CA chain is a few KiB, but do not refuse a long one.
        .maxInboundMessageSize(16 * 1024 * 1024)
        .addService(new GoPluginServices.BrokerService())
        .addService(new GoPluginServices.ControllerService(onShutdown))
        .addService(new GoPluginServices.StdioService())
        .addService(new GoPluginServices.HealthService())
        .addService(new SpireServices.InitService(state))
        .addService(new SpireServices.ConfigService(state))
        .addService(new UpstreamAuthorityService(state))
        .build();
    try {
      server.start();
      Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException | RuntimeException e) {
      server.shutdownNow();
      eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      executor.shutdownNow();
      throw e;
    }
    return new PluginServer(server, eventLoop, executor, socket);
  }

  Path socket() {
    return socket;
  }

  /**
   * Stops serving: lets unary calls in flight finish for a moment, then cancels the streams that never end on
   * their own (broker, stdio, root updates), and waits for the threads, all within about {@code bound}.
   */
  void stop(Duration bound) {
    long deadline = System.nanoTime() + bound.toNanos();
    server.shutdown();
    try {
      if (!server.awaitTermination(Math.min(100, bound.toMillis() / 4), TimeUnit.MILLISECONDS)) {
        server.shutdownNow();
        server.awaitTermination(remaining(deadline) / 3, TimeUnit.NANOSECONDS);
      }
      // Calls still finishing on the pool write through the event loop: let them end before it goes.
      executor.shutdown();
      if (!executor.awaitTermination(remaining(deadline) / 2, TimeUnit.NANOSECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(remaining(deadline), TimeUnit.NANOSECONDS);
  }

  private static long remaining(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }
}
