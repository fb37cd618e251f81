package io.spiffe4j.upstream.akeyless.spire;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The life of a plugin process as go-plugin runs it (spire-plugin-protocol.md 2): check the environment SPIRE sets,
 * serve gRPC on a fresh Unix socket, print the handshake line as the only output ever written to stdout, and exit
 * when the host says so.
 *
 * <p>stdout belongs to the handshake: {@link #run} takes it first and points {@code System.out} at stderr, so a stray
 * print from any library cannot break the protocol. Logs are hclog JSON lines on stderr ({@link Hclog}).
 */
final class PluginProcess {
  /** go-plugin's handshake: core protocol 1, SPIRE's plugin protocol 1, unix socket, gRPC, no server certificate. */
  static final String HANDSHAKE_FORMAT = "1|1|unix|%s|grpc|";
  /** go-plugin waits 2 s for the process to exit after Shutdown before it kills it. */
  private static final Duration STOP_BOUND = Duration.ofMillis(800);
  /** sun_path holds 108 bytes with the terminating NUL; leave a margin. */
  private static final int MAX_SOCKET_PATH = 100;
  static final String MAGIC_COOKIE_KEY = "UpstreamAuthority";
  static final String MAGIC_COOKIE_VALUE = "UpstreamAuthority";

  private final Map<String, String> environment;
  private final UpstreamFactory factory;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private Logger log;
  private PluginState state;
  private PluginServer server;
  private Path directory;

  private PluginProcess(Map<String, String> environment, UpstreamFactory factory) {
    this.environment = environment;
    this.factory = factory;
  }

  /**
   * Runs the plugin until the host shuts it down, then exits the JVM. Call it first thing in {@code main}: it must
   * own stdout and bind SLF4J before any other code logs.
   *
   * @param factory builds the upstream authority on each {@code Configure}
   */
  static void run(UpstreamFactory factory) {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    Hclog.install(System.err);
    PluginProcess process = new PluginProcess(System.getenv(), factory);
    int status = process.serve(stdout);
    System.exit(status);
  }

  /** Serves until the host shuts the plugin down; the exit status. */
  private int serve(PrintStream stdout) {
    String refusal = refusal(environment);
    if (refusal != null) {
      System.err.println(refusal);
      return 1;
    }
    log = LoggerFactory.getLogger(PluginProcess.class);
    state = new PluginState(factory, environment);
    try {
      directory = socketDirectory(environment);
      server = PluginServer.start(directory.resolve("plugin.sock"), state, this::stopAsync);
    } catch (IOException | RuntimeException e) {
      log.error("cannot serve the plugin's gRPC socket", e);
      deleteDirectory();
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "spiffe4j-plugin-exit"));
    stdout.print(String.format(HANDSHAKE_FORMAT, server.socket()) + "\n");
    stdout.flush();
    log.atInfo()
        .addKeyValue("socket", server.socket())
        .addKeyValue("startup_ms", ProcessHandle.current().info().startInstant()
            .map(started -> Duration.between(started, Instant.now()).toMillis()).orElse(-1L))
        .log("serving the UpstreamAuthority plugin");
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /**
   * Why this process must not serve, or null. go-plugin's magic cookie tells a plugin launch from a person running the
   * file; AutoMTLS (a client certificate in the environment) would need a TLS server this plugin does not have, and
   * going on would make SPIRE fail later with a TLS error instead of this message.
   */
  static String refusal(Map<String, String> environment) {
    if (!MAGIC_COOKIE_VALUE.equals(environment.get(MAGIC_COOKIE_KEY))) {
      return "spire-upstream-akeyless is a SPIRE Server plugin and is not meant to be run by hand: configure it as\n"
          + "the plugin_cmd of an UpstreamAuthority in server.conf and SPIRE starts it.\n"
          + "(The environment lacks go-plugin's magic cookie " + MAGIC_COOKIE_KEY + "=" + MAGIC_COOKIE_VALUE + ".)";
    }
    String clientCert = environment.get("PLUGIN_CLIENT_CERT");
    if (clientCert != null && !clientCert.isEmpty()) {
      return "spire-upstream-akeyless: PLUGIN_CLIENT_CERT is set, so the host wants go-plugin's AutoMTLS, which this "
          + "plugin does not support (SPIRE runs plugins without it)";
    }
    String versions = environment.get("PLUGIN_PROTOCOL_VERSIONS");
    if (versions != null && !versions.isBlank()
        && Arrays.stream(versions.split(",")).map(String::strip).noneMatch("1"::equals)) {
      return "spire-upstream-akeyless speaks plugin protocol version 1; the host offers only " + versions.strip();
    }
    return null;
  }

  /**
   * A new directory only this user can enter, in {@code PLUGIN_UNIX_SOCKET_DIR} when go-plugin names one, else in
   * {@code TMPDIR} or {@code /tmp}, as go-plugin's own servers choose.
   */
  private static Path socketDirectory(Map<String, String> environment) throws IOException {
    String base = environment.getOrDefault("PLUGIN_UNIX_SOCKET_DIR", "");
    if (base.isEmpty()) {
      base = environment.getOrDefault("TMPDIR", "");
    }
    Path parent = Path.of(base.isEmpty() ? "/tmp" : base);
    Path directory = Files.createTempDirectory(parent, "spire-plugin-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    int length = directory.resolve("plugin.sock").toString().getBytes(StandardCharsets.UTF_8).length;
    if (length > MAX_SOCKET_PATH) {
      Files.delete(directory);
      throw new IOException("the socket path in " + parent + " would be " + length + " bytes, longer than a Unix "
          + "socket allows; set PLUGIN_UNIX_SOCKET_DIR or TMPDIR to a shorter directory");
    }
    return directory;
  }

  /**
   * The host's Shutdown, answered already: stop on another thread so the answer can leave first; the main thread
   * then exits.
   */
  private void stopAsync() {
    new Thread(this::stop, "spiffe4j-plugin-shutdown").start();
  }

  /**
   * Stops serving, closes the upstream and removes the socket, bounded well below go-plugin's 2 s. A second caller
   * (the shutdown hook after a Shutdown call) waits for the first to finish.
   */
  private void stop() {
    if (!stopping.compareAndSet(false, true)) {
      try {
        stopped.await(2 * STOP_BOUND.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      log.info("shutting down");
      server.stop(STOP_BOUND);
      Thread closer = new Thread(state::close, "spiffe4j-plugin-close");
      closer.setDaemon(true);
      closer.start();
      closer.join(STOP_BOUND.toMillis() / 2);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteDirectory();
      stopped.countDown();
    }
  }

  private void deleteDirectory() {
    if (directory == null) {
      return;
    }
    try {
      Files.deleteIfExists(directory.resolve("plugin.sock"));
      Files.deleteIfExists(directory);
    } catch (NoSuchFileException gone) {
      // Removed already.
    } catch (IOException e) {
      log.atWarn().addKeyValue("directory", directory).log("could not remove the socket directory: {}",
          e.getMessage());
    }
  }
}
