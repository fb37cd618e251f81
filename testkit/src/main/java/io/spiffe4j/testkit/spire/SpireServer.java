package io.spiffe4j.testkit.spire;

import static io.spiffe4j.testkit.spire.SpireSettings.quote;
import static io.spiffe4j.testkit.spire.SpireSettings.seconds;

import io.spiffe4j.id.SpiffeId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The SPIRE Server of a {@link Spire} fixture: bound to a free port on 127.0.0.1, its API on a Unix socket in the
 * fixture's private directory, with a sqlite datastore, a disk key manager, join-token node attestation, and a
 * self-signed CA unless the builder added an {@code UpstreamAuthority} stanza. Obtain it from {@link Spire#server()}.
 *
 * <p>Thread-safe: the owning {@link Spire} serialises lifecycle changes.
 */
public final class SpireServer {
    static final Duration CLI_TIMEOUT = Duration.ofSeconds(30);
    /** Short, so a health check that hangs cannot stretch a start far past its deadline. */
    static final Duration HEALTHCHECK_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final int BIND_ATTEMPTS = 3;

    private final SpireSettings settings;
    private final Path binary;
    private final Path dataDir;
    private final Path socket;
    private final Path config;
    private final Path scratch;
    private final ManagedProcess process;
    private volatile int port;

    SpireServer(SpireSettings settings, Path dir, Path logFile, Path scratch) {
        this.settings = settings;
        this.binary = settings.installation().serverBinary();
        this.dataDir = dir.resolve("data");
        this.socket = dir.resolve("api.sock");
        this.config = dir.resolve("server.conf");
        this.scratch = scratch;
        this.process = new ManagedProcess("spire-server", logFile);
    }

    /**
     * Starts the server and waits until its health check passes. A port taken between choosing and binding it is
     * retried on another port.
     */
    void start(Deadline deadline) {
        for (int attempt = 1; ; attempt++) {
            port = freeLoopbackPort();
            writeConfig();
            process.start(List.of(binary.toString(), "run", "-config", config.toString()));
            try {
                Health.await("spire-server", process, this::healthy, deadline, POLL);
                return;
            } catch (SpireException e) {
                if (attempt >= BIND_ATTEMPTS || process.isAlive() || !logOfThisRunContains("address already in use")) {
                    throw e;
                }
            }
        }
    }

    /** Whether {@code spire-server healthcheck} passes now (a check that hangs for 5 s counts as failed). */
    public boolean healthy() {
        return Commands.run(new ProcessBuilder(withSocket(binary, socket, "healthcheck")), HEALTHCHECK_TIMEOUT, scratch)
                .succeeded();
    }

    /**
     * Runs {@code spire-server <args>} against this server, {@code -socketPath} inserted after the command words
     * (the leading arguments not starting with {@code -}), for example {@code cli("entry", "show")}. Waits up to
     * 30 seconds.
     */
    public CommandResult cli(String... args) {
        return Commands.run(new ProcessBuilder(withSocket(binary, socket, args)), CLI_TIMEOUT, scratch);
    }

    /** The trust bundle (X.509 authorities) in PEM, from {@code spire-server bundle show}. */
    public String bundlePem() {
        CommandResult result = cli("bundle", "show", "-format", "pem");
        if (!result.succeeded() || !result.output().contains("-----BEGIN CERTIFICATE-----")) {
            throw new SpireException("spire-server bundle show failed: " + result);
        }
        return result.output();
    }

    /** A single-use join token for an agent, whose SVID gets {@code agentId} as an alias. Never logged. */
    String generateJoinToken(SpiffeId agentId) {
        CommandResult result = cli("token", "generate", "-spiffeID", agentId.toString(), "-ttl", "600");
        for (String line : result.output().split("\n")) {
            if (result.succeeded() && line.startsWith("Token: ")) {
                return line.substring("Token: ".length()).strip();
            }
        }
        // The output holds no token when there is no "Token:" line, so it is safe to show.
        throw new SpireException("spire-server token generate failed: " + result);
    }

    void terminate(Duration grace) {
        process.terminate(grace);
    }

    /** The process id of the current run. */
    public long pid() {
        return process.pid();
    }

    /** Whether the server process is running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** The address agents connect to: 127.0.0.1 and the port chosen at start. */
    public InetSocketAddress address() {
        return new InetSocketAddress("127.0.0.1", port);
    }

    /** The server API's Unix socket ({@code -socketPath} of the server CLI). */
    public Path socketPath() {
        return socket;
    }

    /** The generated {@code server.conf}. */
    public Path configFile() {
        return config;
    }

    /** The server's log (JSON lines, stdout and stderr merged). */
    public Path logFile() {
        return process.logFile();
    }

    @Override
    public String toString() {
        return "spire-server " + SpireInstallation.VERSION + " on 127.0.0.1:" + port + " (" + config + ")";
    }

    private void writeConfig() {
        StringBuilder hcl = new StringBuilder()
                .append("server {\n")
                .append("  bind_address = \"127.0.0.1\"\n")
                .append("  bind_port = ").append(quote(Integer.toString(port))).append('\n')
                .append("  socket_path = ").append(quote(socket.toString())).append('\n')
                .append("  trust_domain = ").append(quote(settings.trustDomain().name())).append('\n')
                .append("  data_dir = ").append(quote(dataDir.toString())).append('\n')
                .append("  log_level = ").append(quote(settings.logLevel())).append('\n')
                .append("  log_format = \"json\"\n")
                .append("  ca_ttl = ").append(seconds(settings.caTtl())).append('\n')
                .append("  default_x509_svid_ttl = ").append(seconds(settings.defaultX509SvidTtl())).append('\n')
                .append("  default_jwt_svid_ttl = ").append(seconds(settings.defaultJwtSvidTtl())).append('\n')
                .append("  agent_ttl = ").append(seconds(settings.agentSvidTtl())).append('\n')
                .append("  experimental {\n")
                .append("    cache_reload_interval = ").append(seconds(settings.syncInterval())).append('\n')
                .append("  }\n")
                .append("}\n")
                .append("plugins {\n")
                .append("  DataStore \"sql\" {\n    plugin_data {\n      database_type = \"sqlite3\"\n")
                .append("      connection_string = ").append(quote(dataDir.resolve("datastore.sqlite3").toString()))
                .append("\n    }\n  }\n")
                .append("  KeyManager \"disk\" {\n    plugin_data {\n")
                .append("      keys_path = ").append(quote(dataDir.resolve("keys.json").toString()))
                .append("\n    }\n  }\n")
                .append("  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n");
        for (String stanza : settings.serverPluginStanzas()) {
            hcl.append(stanza.strip()).append('\n');
        }
        hcl.append("}\n");
        try {
            Files.createDirectories(dataDir);
            Files.writeString(config, hcl, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + config, e);
        }
    }

    private boolean logOfThisRunContains(String text) {
        try {
            byte[] log = Files.readAllBytes(process.logFile());
            int from = (int) Math.min(process.runLogOffset(), log.length);
            return new String(log, from, log.length - from, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code binary args...} with {@code -socketPath socket} after the leading command words. */
    static List<String> withSocket(Path binary, Path socket, String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        int i = 0;
        while (i < args.length && !args[i].startsWith("-")) {
            command.add(args[i++]);
        }
        command.add("-socketPath");
        command.add(socket.toString());
        while (i < args.length) {
            command.add(args[i++]);
        }
        return command;
    }

    private static int freeLoopbackPort() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free TCP port on 127.0.0.1", e);
        }
    }
}
