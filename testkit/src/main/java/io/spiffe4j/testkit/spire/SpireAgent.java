package io.spiffe4j.testkit.spire;

import static io.spiffe4j.testkit.spire.SpireSettings.quote;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The SPIRE Agent of a {@link Spire} fixture: join-token attested once, a disk key manager and data directory so it
 * restarts with its stored SVID instead of attesting again (join tokens are single-use), the {@code unix} workload
 * attestor, and its Workload API on a Unix socket every local user can connect to. Obtain it from
 * {@link Spire#agent()}.
 *
 * <p>The agent always logs at DEBUG in JSON: the fixture learns from its log when the agent has an entry's SVID
 * cached ("SVID updated") or has dropped an entry ("Entry removed").
 *
 * <p>Thread-safe: the owning {@link Spire} serialises lifecycle changes; the log-following methods are
 * synchronized.
 */
public final class SpireAgent {
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration HEALTH_POLL = Duration.ofMillis(250);

    private final SpireSettings settings;
    private final Path binary;
    private final Path dataDir;
    private final Path socket;
    private final Path config;
    private final Path bootstrapBundle;
    private final Path scratch;
    private final WorkDirs workDirs;
    private final ManagedProcess process;
    /** Entries whose SVIDs the current run has cached, and entries it has dropped, read from its log. */
    private final Set<String> cachedEntries = new HashSet<>();
    private final Set<String> removedEntries = new HashSet<>();
    private JsonLogReader events;

    SpireAgent(SpireSettings settings, Path dir, Path socket, Path logFile, Path scratch, WorkDirs workDirs) {
        this.settings = settings;
        this.binary = settings.installation().agentBinary();
        this.dataDir = dir.resolve("data");
        this.socket = socket;
        this.config = dir.resolve("agent.conf");
        this.bootstrapBundle = dir.resolve("bootstrap-bundle.pem");
        this.scratch = scratch;
        this.workDirs = workDirs;
        this.process = new ManagedProcess("spire-agent", logFile);
    }

    /** Writes the configuration for the fixture's server; the bundle only bootstraps the first attestation. */
    void configure(SpireServer server, String bootstrapBundlePem) {
        try {
            Files.createDirectories(dataDir);
            writeConfig(server, bootstrapBundlePem);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the agent's configuration " + config, e);
        }
    }

    /**
     * Starts a run and waits until its health check passes. With a join token, the agent attests with it (first
     * run); without one it resumes with the SVID and key in its data directory.
     */
    void start(String joinToken, Deadline deadline) {
        Path tokenFile = dataDir.resolve("join-token");
        try {
            List<String> command = new ArrayList<>(List.of(binary.toString(), "run", "-config", config.toString()));
            if (joinToken != null) {
                // A file, not -joinToken, keeps the token out of process listings and of any command line we print.
                Files.writeString(tokenFile, joinToken, StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(tokenFile, PosixFilePermissions.fromString("rw-------"));
                command.add("-joinTokenFile");
                command.add(tokenFile.toString());
            }
            synchronized (this) {
                process.start(command);
                events = new JsonLogReader(process.logFile(), process.runLogOffset());
                cachedEntries.clear();
                removedEntries.clear();
            }
            Health.await("spire-agent", process, this::healthy, deadline, HEALTH_POLL);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the join token file " + tokenFile, e);
        } finally {
            try {
                Files.deleteIfExists(tokenFile);
            } catch (IOException ignored) {
                // The token is spent once the agent attested; the file goes with the fixture's directory.
            }
        }
    }

    /** Whether {@code spire-agent healthcheck} passes now (a check that hangs for 5 s counts as failed). */
    public boolean healthy() {
        return Commands.run(new ProcessBuilder(SpireServer.withSocket(binary, socket, "healthcheck")),
                SpireServer.HEALTHCHECK_TIMEOUT, scratch).succeeded();
    }

    /**
     * Runs {@code spire-agent <args>} as this JVM against this agent's Workload API socket, {@code -socketPath}
     * inserted after the command words (for example {@code cli("api", "fetch", "jwt", "-audience", "a")}). Waits up
     * to 30 seconds.
     */
    public CommandResult cli(String... args) {
        return cliAs(WorkloadUser.current(), args);
    }

    /** As {@link #cli(String...)}, run as {@code user} (see {@link WorkloadUser#command(List)}). */
    public CommandResult cliAs(WorkloadUser user, String... args) {
        return Commands.run(user.command(SpireServer.withSocket(binary, socket, args)), SpireServer.CLI_TIMEOUT, scratch);
    }

    /**
     * Runs {@code spire-agent api fetch x509 -write DIR} as {@code user}, DIR being a fresh directory that user owns.
     * Does not retry: a fetch right after {@link Spire#createEntry} succeeds, since that waits for the agent.
     */
    public X509FetchResult fetchX509(WorkloadUser user) {
        Path dir = workDirs.newFor(user);
        return new X509FetchResult(cliAs(user, "api", "fetch", "x509", "-write", dir.toString()), dir);
    }

    /** Waits until the current run has cached an SVID for each of the entries. */
    synchronized void awaitSvids(Collection<String> entryIds, Deadline deadline) {
        awaitLog(deadline, () -> {
            Set<String> missing = new TreeSet<>(entryIds);
            missing.removeAll(cachedEntries);
            return missing.isEmpty() ? null : "an SVID for entries " + missing;
        });
    }

    /** Waits until the current run has dropped the entry. */
    synchronized void awaitRemoved(String entryId, Deadline deadline) {
        awaitLog(deadline, () -> removedEntries.contains(entryId) ? null : "the removal of entry " + entryId);
    }

    void kill() {
        process.kill();
    }

    void terminate(Duration grace) {
        process.terminate(grace);
    }

    /** The process id of the current (or last) run. */
    public long pid() {
        return process.pid();
    }

    /** Whether the agent process is running. */
    public boolean isRunning() {
        return process.isAlive();
    }

    /** The agent's Workload API socket. */
    public Path workloadSocket() {
        return socket;
    }

    /** The Workload API address as the Workload Endpoint standard writes it: {@code unix://} and the socket path. */
    public String workloadSocketAddress() {
        return "unix://" + socket;
    }

    /** The data directory holding the agent's SVID, bundle and keys across restarts. */
    public Path dataDirectory() {
        return dataDir;
    }

    /** The generated {@code agent.conf}. */
    public Path configFile() {
        return config;
    }

    /** The agent's log (JSON lines, stdout and stderr merged, all runs appended). */
    public Path logFile() {
        return process.logFile();
    }

    @Override
    public String toString() {
        return "spire-agent " + SpireInstallation.VERSION + " serving " + workloadSocketAddress();
    }

    private interface Progress {
        /** What is still awaited, or null when nothing is. */
        String missing();
    }

    private void awaitLog(Deadline deadline, Progress progress) {
        while (true) {
            readEvents();
            String missing = progress.missing();
            if (missing == null) {
                return;
            }
            if (!process.isAlive()) {
                throw new SpireException("spire-agent exited with code " + process.exitCode() + " while waiting for " + missing);
            }
            if (deadline.passed()) {
                throw new SpireException("spire-agent (pid " + process.pid() + ") logged no " + missing + " within "
                        + deadline.budget().toMillis() + " ms");
            }
            deadline.sleep(POLL);
        }
    }

    private void readEvents() {
        if (events == null) {
            throw new IllegalStateException("spire-agent has never been started");
        }
        try {
            for (JsonNode event : events.poll()) {
                String message = event.path("msg").asText();
                String entry = event.path("entry").asText(null);
                if (entry == null) {
                    continue;
                }
                if (message.equals("SVID updated")) {
                    cachedEntries.add(entry);
                } else if (message.equals("Entry removed")) {
                    cachedEntries.remove(entry);
                    removedEntries.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the agent log " + process.logFile(), e);
        }
    }

    private void writeConfig(SpireServer server, String bootstrapBundlePem) throws IOException {
        Files.writeString(bootstrapBundle, bootstrapBundlePem, StandardCharsets.UTF_8);
        String hcl = "agent {\n"
                + "  data_dir = " + quote(dataDir.toString()) + "\n"
                + "  log_level = \"DEBUG\"\n"
                + "  log_format = \"json\"\n"
                + "  server_address = \"127.0.0.1\"\n"
                + "  server_port = " + quote(Integer.toString(server.address().getPort())) + "\n"
                + "  socket_path = " + quote(socket.toString()) + "\n"
                + "  trust_domain = " + quote(settings.trustDomain().name()) + "\n"
                + "  trust_bundle_path = " + quote(bootstrapBundle.toString()) + "\n"
                + "  experimental {\n"
                + "    sync_interval = " + SpireSettings.seconds(settings.syncInterval()) + "\n"
                + "  }\n"
                + "}\n"
                + "plugins {\n"
                + "  NodeAttestor \"join_token\" {\n    plugin_data {}\n  }\n"
                + "  KeyManager \"disk\" {\n    plugin_data {\n      directory = " + quote(dataDir.toString()) + "\n    }\n  }\n"
                + "  WorkloadAttestor \"unix\" {\n    plugin_data {}\n  }\n"
                + "}\n";
        Files.writeString(config, hcl, StandardCharsets.UTF_8);
    }
}
