package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.StreamObserver;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.ConnInfo;
import io.spiffe4j.upstream.akeyless.internal.proto.Empty;
import io.spiffe4j.upstream.akeyless.internal.proto.GRPCBrokerGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.GRPCControllerGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.GRPCStdioGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.InitGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A test double of go-plugin's client as SPIRE v1.13.3 runs it (spire-plugin-protocol.md 2 and 4): starts the plugin
 * with SPIRE's environment, reads the handshake line, dials the socket without TLS, opens the broker stream and offers
 * a connection on it, opens the stdio stream, and shuts the plugin down as go-plugin's Kill does. Records everything
 * the plugin writes to stdout and stderr.
 */
final class PluginClient implements AutoCloseable {
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
  /** What a plugin launched by go-plugin finds in its environment, on top of SPIRE's own. */
  static final Map<String, String> GO_PLUGIN_ENVIRONMENT = Map.of(
      "UpstreamAuthority", "UpstreamAuthority",
      "PLUGIN_MIN_PORT", "10000",
      "PLUGIN_MAX_PORT", "25000",
      "PLUGIN_PROTOCOL_VERSIONS", "1");

  final Process process;
  final long launchedNanos;
  final long handshakeNanos;
  final String handshake;
  final Path socket;
  private final Output stdout;
  private final Output stderr;
  private final EventLoopGroup eventLoop;
  final ManagedChannel channel;
  private final StreamObserver<ConnInfo> brokerRequests;
  final AtomicBoolean brokerEnded = new AtomicBoolean();
  final AtomicBoolean stdioEnded = new AtomicBoolean();

  private PluginClient(Process process, long launchedNanos, Output stdout, Output stderr) {
    this.process = process;
    this.launchedNanos = launchedNanos;
    this.stdout = stdout;
    this.stderr = stderr;
    this.handshake = stdout.next(HANDSHAKE_TIMEOUT, process, stderr);
    this.handshakeNanos = System.nanoTime();
    String[] fields = handshake.split("\\|", -1);
    assertEquals(6, fields.length, "handshake " + handshake);
    assertEquals(List.of("1", "1", "unix", "grpc", ""), List.of(fields[0], fields[1], fields[2], fields[4], fields[5]),
        "handshake " + handshake);
    this.socket = Path.of(fields[3]);
    this.eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-plugin-client", true),
        EpollIoHandler.newFactory());
    this.channel = dial(socket, eventLoop);
    this.brokerRequests = GRPCBrokerGrpc.newStub(channel).startStream(new Ending<>(brokerEnded));
    // go-plugin's GRPCBroker.Accept(1), which SPIRE calls when it dispenses the plugin.
    brokerRequests.onNext(ConnInfo.newBuilder().setServiceId(1).setNetwork("unix")
        .setAddress("/tmp/plugin-host-services.sock").build());
    GRPCStdioGrpc.newStub(channel).streamStdio(com.google.protobuf.Empty.getDefaultInstance(), new Ending<>(stdioEnded));
  }

  /** Starts {@code command} with the inherited environment plus go-plugin's and {@code environment}. */
  static PluginClient launch(List<String> command, Map<String, String> environment) {
    Process process = start(command, environment);
    return new PluginClient(process, System.nanoTime(), new Output(process.getInputStream()),
        new Output(process.getErrorStream()));
  }

  static Process start(List<String> command, Map<String, String> environment) {
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("PLUGIN_CLIENT_CERT");
    builder.environment().remove("PLUGIN_UNIX_SOCKET_DIR");
    builder.environment().putAll(GO_PLUGIN_ENVIRONMENT);
    builder.environment().putAll(environment);
    try {
      return builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  /** {@code java -cp <this test class path> TestPluginMain}, with the launcher's JVM flags. */
  static List<String> testPluginCommand() {
    return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+DisplayVMOutputToStderr",
        "-cp", testClassPath(), TestPluginMain.class.getName());
  }

  static String testClassPath() {
    String classPath = System.getProperty("java.class.path");
    List<String> entries = new ArrayList<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(Path.of(entry).toAbsolutePath().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  static ManagedChannel dial(Path socket, EventLoopGroup eventLoop) {
    // As go-plugin dials: plaintext, authority "unused".
    return NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollDomainSocketChannel.class, DomainSocketAddress.class)
        .eventLoopGroup(eventLoop)
        .withOption(ChannelOption.SO_KEEPALIVE, null)
        .overrideAuthority("unused")
        .usePlaintext()
        .build();
  }

  InitGrpc.InitBlockingStub init() {
    return InitGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  ConfigGrpc.ConfigBlockingStub config() {
    return ConfigGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  UpstreamAuthorityGrpc.UpstreamAuthorityBlockingStub upstream() {
    return UpstreamAuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  UpstreamAuthorityGrpc.UpstreamAuthorityStub upstreamAsync() {
    return UpstreamAuthorityGrpc.newStub(channel);
  }

  HealthGrpc.HealthBlockingStub health() {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  /**
   * go-plugin's Kill: close the broker stream, call Shutdown (its error ignored), close the connection, then wait
   * for the process. Returns the time from the Shutdown call to the process's exit.
   */
  Duration shutdown(Duration wait) throws InterruptedException {
    brokerRequests.onCompleted();
    long started = System.nanoTime();
    try {
      GRPCControllerGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
          .shutdown(Empty.getDefaultInstance());
    } catch (StatusRuntimeException ignored) {
      // As go-plugin: the process may be gone before the answer arrives.
    }
    channel.shutdownNow();
    if (!process.waitFor(wait.toMillis(), TimeUnit.MILLISECONDS)) {
      fail("the plugin did not exit within " + wait + " of Shutdown; stderr:\n" + String.join("\n", stderrLines()));
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Lines written to stdout after the handshake (there must be none), once the process has exited. */
  List<String> stdoutAfterHandshake() throws InterruptedException {
    stdout.awaitEnd();
    return stdout.lines();
  }

  /** Lines written to stderr so far (all of them once the process has exited). */
  List<String> stderrLines() {
    return stderr.lines();
  }

  /** Waits until the plugin has written its first stderr line (it logs once it serves), without taking it. */
  void awaitFirstStderrLine(Duration timeout) throws InterruptedException {
    stderr.awaitAny(timeout);
  }

  List<String> stderrLinesAfterExit() throws InterruptedException {
    stderr.awaitEnd();
    return stderr.lines();
  }

  Duration startToHandshake() {
    return Duration.ofNanos(handshakeNanos - launchedNanos);
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(2, TimeUnit.SECONDS);
    eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  /** Collects a stream's lines on a daemon thread; {@link #next} takes the first ones off. */
  static final class Output {
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;
    private int taken;

    Output(InputStream in) {
      reader = new Thread(() -> {
        try (BufferedReader lineReader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          for (String line = lineReader.readLine(); line != null; line = lineReader.readLine()) {
            synchronized (this) {
              lines.add(line);
              notifyAll();
            }
          }
        } catch (IOException e) {
          // The process is gone.
        }
      }, "test-plugin-output");
      reader.setDaemon(true);
      reader.start();
    }

    /** The next line not yet taken, failing if the process exits or the timeout passes first. */
    synchronized String next(Duration timeout, Process process, Output stderr) {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (lines.size() <= taken) {
          if (!process.isAlive() && !reader.isAlive()) {
            fail("the plugin exited (" + process.exitValue() + ") before its handshake; stderr:\n"
                + String.join("\n", stderr.lines()));
          }
          if (System.nanoTime() > deadline) {
            fail("no handshake within " + timeout + "; stderr:\n" + String.join("\n", stderr.lines()));
          }
          wait(50);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      return lines.get(taken++);
    }

    /** The lines not taken by {@link #next}. */
    synchronized List<String> lines() {
      return List.copyOf(lines.subList(taken, lines.size()));
    }

    synchronized void awaitAny(Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (lines.size() <= taken) {
        assertTrue(System.nanoTime() < deadline, "no output within " + timeout);
        wait(50);
      }
    }

    void awaitEnd() throws InterruptedException {
      reader.join(TimeUnit.SECONDS.toMillis(5));
      assertTrue(!reader.isAlive(), "the plugin's output did not end");
    }
  }

  /** Records that a stream the plugin should hold open has ended. */
  private static final class Ending<T> implements StreamObserver<T> {
    private final AtomicBoolean ended;

    Ending(AtomicBoolean ended) {
      this.ended = ended;
    }

    @Override
    public void onNext(T value) {
      // Neither the broker nor stdio ever sends anything here.
    }

    @Override
    public void onError(Throwable t) {
      ended.set(true);
    }

    @Override
    public void onCompleted() {
      ended.set(true);
    }
  }
}
