package io.spiffe4j.workloadapi;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The gRPC channel to one endpoint, with the threads it owns: one daemon event-loop thread (which also runs the
 * reconnect timers) and, unless the caller gave one, a daemon callback pool. Epoll where its natives load, otherwise
 * the JDK's NIO channels (Unix domain sockets since JDK 16), both from grpc-netty-shaded: no other artifact.
 * Plaintext, as the endpoint must not require TLS (WEP-05). Every call carries {@code workload.spiffe.io: true}
 * (WEP-04).
 */
final class Transport {
  /** Which Netty I/O implementation to use. */
  enum Io {
    EPOLL,
    NIO;

    static Io best() {
      return Epoll.isAvailable() ? EPOLL : NIO;
    }
  }

  static final Metadata.Key<String> SECURITY_HEADER =
      Metadata.Key.of("workload.spiffe.io", Metadata.ASCII_STRING_MARSHALLER);
  private static final AtomicInteger CALLBACK_THREADS = new AtomicInteger();

  private final ManagedChannel channel;
  private final EventLoopGroup eventLoop;
  private final Executor executor;
  private final ExecutorService ownedExecutor;
  private final Io io;

  private Transport(ManagedChannel channel, EventLoopGroup eventLoop, Executor executor, ExecutorService ownedExecutor,
      Io io) {
    this.channel = channel;
    this.eventLoop = eventLoop;
    this.executor = executor;
    this.ownedExecutor = ownedExecutor;
    this.io = io;
  }

  /** Opens a channel; {@code callbackExecutor} may be null for a pool of our own. Connects lazily. */
  static Transport open(WorkloadApiAddress address, Io io, Executor callbackExecutor) {
    ThreadFactory ioThreads = new DefaultThreadFactory("spiffe4j-workloadapi-io", true);
    EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, ioThreads,
        io == Io.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    ExecutorService owned = callbackExecutor == null ? callbackPool() : null;
    Executor executor = callbackExecutor == null ? owned : callbackExecutor;
    NettyChannelBuilder builder = address.isUnix() ? unix(address, io) : tcp(address, io);
    ManagedChannel channel = builder
        .eventLoopGroup(eventLoop)
        .executor(executor)
        .offloadExecutor(executor)
        .usePlaintext()
        .intercept(new SecurityHeader())
        .build();
    return new Transport(channel, eventLoop, executor, owned, io);
  }

  private static NettyChannelBuilder unix(WorkloadApiAddress address, Io io) {
    String path = address.socketPath().orElseThrow().toString();
    NettyChannelBuilder builder = io == Io.EPOLL
        ? NettyChannelBuilder.forAddress(new DomainSocketAddress(path))
            .channelType(EpollDomainSocketChannel.class, DomainSocketAddress.class)
        : NettyChannelBuilder.forAddress(UnixDomainSocketAddress.of(path))
            .channelType(NioDomainSocketChannel.class, UnixDomainSocketAddress.class);
    // A socket path is no host name; gRPC-Go clients send "localhost" for unix targets too.
    return builder.overrideAuthority("localhost")
        // gRPC asks every channel for TCP keep-alive, which a Unix socket lacks, and Netty would log a warning on
        // every connect; a null value removes the option before it reaches the channel.
        .withOption(ChannelOption.SO_KEEPALIVE, null);
  }

  private static NettyChannelBuilder tcp(WorkloadApiAddress address, Io io) {
    InetSocketAddress socketAddress = new InetSocketAddress(address.ip().orElseThrow(), address.port());
    return NettyChannelBuilder.forAddress(socketAddress)
        .channelType(io == Io.EPOLL ? EpollSocketChannel.class : NioSocketChannel.class, InetSocketAddress.class);
  }

  private static ExecutorService callbackPool() {
    ThreadFactory threads = runnable -> new CallbackThread(runnable);
    // Cached: gRPC needs a thread per concurrently delivered call; idle threads go after 30 s.
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), threads);
  }

  Channel channel() {
    return channel;
  }

  /** Runs the reconnect timers; the event loop is idle most of the time and timers there cost no thread. */
  ScheduledExecutorService scheduler() {
    return eventLoop;
  }

  Executor executor() {
    return executor;
  }

  Io io() {
    return io;
  }

  /**
   * Cancels every call, stops the channel and the threads this transport created, waiting at most about
   * {@code bound} for each. Restores the interrupt flag if interrupted.
   */
  void shutdown(Duration bound) {
    long nanos = bound.toNanos();
    boolean interrupted = false;
    channel.shutdownNow();
    try {
      channel.awaitTermination(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    eventLoop.shutdownGracefully(0, nanos, TimeUnit.NANOSECONDS);
    eventLoop.terminationFuture().awaitUninterruptibly(nanos, TimeUnit.NANOSECONDS);
    if (ownedExecutor != null) {
      ownedExecutor.shutdown();
      // Closed from a callback, the pool cannot terminate while this thread is in it: its threads end by themselves.
      if (!(Thread.currentThread() instanceof CallbackThread)) {
        interrupted |= awaitPool(nanos);
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the own pool to end, forcing it after the bound; true if interrupted. */
  private boolean awaitPool(long nanos) {
    try {
      if (!ownedExecutor.awaitTermination(nanos, TimeUnit.NANOSECONDS)) {
        ownedExecutor.shutdownNow();
      }
      return false;
    } catch (InterruptedException e) {
      ownedExecutor.shutdownNow();
      return true;
    }
  }

  /** A daemon thread of the client's own callback pool. */
  private static final class CallbackThread extends Thread {
    CallbackThread(Runnable runnable) {
      super(runnable, "spiffe4j-workloadapi-callback-" + CALLBACK_THREADS.incrementAndGet());
      setDaemon(true);
    }
  }

  /** Adds the header every Workload API request must carry (WEP-04). */
  private static final class SecurityHeader implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          headers.put(SECURITY_HEADER, "true");
          super.start(listener, headers);
        }
      };
    }
  }
}
