package io.spiffe4j.testkit.spire;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A real SPIRE Server and Agent ({@value SpireInstallation#VERSION}) for tests, usable with or without JUnit
 * (see {@link SpireExtension} for the JUnit 5 form).
 *
 * <pre>{@code
 * try (Spire spire = Spire.builder().defaultX509SvidTtl(Duration.ofSeconds(30)).start()) {
 *     SpireEntry entry = spire.createEntry(SpiffeId.parse("spiffe://example.org/app"),
 *             WorkloadUser.current().uidSelector());
 *     X509FetchResult fetched = spire.agent().fetchX509(WorkloadUser.current());
 *     // or point a Workload API client at spire.workloadSocketAddress()
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} follows SPIRE's own quick-start: start the server, wait for its health check, read its
 * bundle, generate a join token, start the agent with it, wait for the agent's health check. Everything lives in a
 * fresh directory {@code /tmp/spiffe4j-NNN} (short, so Unix socket paths stay far below the 108-byte limit), the
 * server on a free port of 127.0.0.1. Workloads are told apart by uid: see {@link WorkloadUser}.
 *
 * <p>Every wait is bounded (start: {@link Builder#startTimeout}, entries: {@link Builder#entryTimeout}); failures
 * throw {@link SpireException} with the last lines of the server and agent logs. {@link #close()} ends both process
 * trees and deletes the directory; a JVM shutdown hook does the same if a test run ends without closing.
 *
 * <p>Thread-safe: methods that change state are serialised.
 */
public final class Spire implements AutoCloseable {
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final int LOG_TAIL_LINES = 40;
    /** sun_path holds 108 bytes; keep well inside it. */
    private static final int MAX_SOCKET_PATH = 100;
    private static final System.Logger LOG = System.getLogger(Spire.class.getName());

    private final SpireSettings settings;
    private final Path root;
    private final Path logDir;
    private final SpiffeId agentId;
    private final SpireServer server;
    private final SpireAgent agent;
    private final WorkDirs workDirs;
    private final Map<String, SpireEntry> entries = new LinkedHashMap<>();
    private final Thread shutdownHook;
    private boolean closed;

    private Spire(SpireSettings settings, Path root) throws IOException {
        this.settings = settings;
        this.root = root;
        // Other uids must reach the workload socket and their own work directories; the rest stays private.
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
        this.logDir = settings.logDirectory() != null ? Files.createDirectories(settings.logDirectory()) : privateDir("logs");
        Path socket = publicDir("workload").resolve("api.sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            throw new SpireException("the agent socket path " + socket + " is longer than " + MAX_SOCKET_PATH
                    + " bytes: point /tmp (or java.io.tmpdir) at a shorter directory");
        }
        Path scratch = privateDir("scratch");
        this.workDirs = new WorkDirs(publicDir("work"));
        String prefix = root.getFileName().toString() + "-";
        this.agentId = SpiffeId.fromSegments(settings.trustDomain(), "spiffe4j", "agent");
        this.server = new SpireServer(settings, privateDir("server"), logDir.resolve(prefix + "server.log"), scratch);
        this.agent = new SpireAgent(settings, privateDir("agent"), socket, logDir.resolve(prefix + "agent.log"), scratch, workDirs);
        this.shutdownHook = new Thread(this::stopProcessesAndDelete, "spiffe4j-spire-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** A builder with the defaults documented on each setter. */
    public static Builder builder() {
        return new Builder();
    }

    /** A server and agent with the defaults; see {@link Builder}. */
    public static Spire start() {
        return builder().start();
    }

    static Spire start(SpireSettings settings) {
        Spire spire;
        Path root = null;
        try {
            Path tmp = Path.of("/tmp");
            root = Files.createTempDirectory(Files.isDirectory(tmp) ? tmp : Path.of(System.getProperty("java.io.tmpdir")), "spiffe4j-");
            spire = new Spire(settings, root);
        } catch (IOException | RuntimeException e) {
            deleteTree(root);
            if (e instanceof RuntimeException) {
                throw (RuntimeException) e;
            }
            throw new UncheckedIOException("cannot create the SPIRE fixture's directories in /tmp", (IOException) e);
        }
        try {
            spire.startProcesses();
            return spire;
        } catch (RuntimeException | Error e) {
            String tails = spire.logTails(LOG_TAIL_LINES);
            spire.close();
            if (e instanceof SpireException) {
                String keep = settings.logDirectory() == null ? " (deleted with the fixture: Spire.Builder.logDirectory keeps them)" : "";
                throw new SpireException("SPIRE did not start: " + e.getMessage() + "\nLog tails" + keep + ":\n" + tails, e);
            }
            throw e;
        }
    }

    private void startProcesses() {
        long started = System.nanoTime();
        Deadline deadline = Deadline.after(settings.startTimeout());
        server.start(deadline);
        long serverReady = System.nanoTime();
        agent.configure(server, server.bundlePem());
        agent.start(server.generateJoinToken(agentId), deadline);
        long agentReady = System.nanoTime();
        LOG.log(System.Logger.Level.INFO, "SPIRE {0} ready in {1} ms (server healthy after {2} ms, agent after {3} ms more), {4}",
                SpireInstallation.VERSION, (agentReady - started) / 1_000_000, (serverReady - started) / 1_000_000,
                (agentReady - serverReady) / 1_000_000, root);
    }

    /** The trust domain the server issues identities in. */
    public TrustDomain trustDomain() {
        return settings.trustDomain();
    }

    /** The agent's SPIFFE ID as registration entries name their parent (an alias of its join-token ID). */
    public SpiffeId agentId() {
        return agentId;
    }

    public SpireServer server() {
        return server;
    }

    public SpireAgent agent() {
        return agent;
    }

    /** The agent's Workload API socket. */
    public Path workloadSocket() {
        return agent.workloadSocket();
    }

    /** The agent's Workload API address, {@code unix:///tmp/spiffe4j-NNN/workload/api.sock}. */
    public String workloadSocketAddress() {
        return agent.workloadSocketAddress();
    }

    /** The fixture's directory, whose path appears in every SPIRE process's command line. */
    public Path directory() {
        return root;
    }

    /** The server's current X.509 authorities in PEM ({@code spire-server bundle show}). */
    public String serverBundlePem() {
        return server.bundlePem();
    }

    /** {@link #serverBundlePem()} as a spiffe-core bundle of {@link #trustDomain()}. */
    public X509Bundle serverBundle() {
        return X509Bundle.parsePem(trustDomain(), serverBundlePem().getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Registers {@code id} for workloads attested with all of {@code selectors} and waits until the agent holds an
     * SVID for it, so the next Workload API call of a matching workload gets it. Shorthand for
     * {@code newEntry(id).selectors(selectors).create()}.
     *
     * @throws SpireException if the server refuses the entry or the agent does not cache it within the entry
     *     timeout
     */
    public SpireEntry createEntry(SpiffeId id, String... selectors) {
        return newEntry(id).selectors(selectors).create();
    }

    /** A builder for an entry with more options than {@link #createEntry}. */
    public EntryBuilder newEntry(SpiffeId id) {
        return new EntryBuilder(this, id);
    }

    /**
     * Deletes the entry and waits until the agent has dropped it, so matching workloads are denied from then on.
     * When the agent is not running, only the server is changed.
     */
    public synchronized void deleteEntry(SpireEntry entry) {
        Objects.requireNonNull(entry, "entry");
        checkOpen();
        CommandResult result = server.cli("entry", "delete", "-entryID", entry.entryId());
        if (!result.succeeded()) {
            throw failure("spire-server could not delete " + entry + ": " + result);
        }
        entries.remove(entry.entryId());
        if (agent.isRunning()) {
            try {
                agent.awaitRemoved(entry.entryId(), Deadline.after(settings.entryTimeout()));
            } catch (SpireException e) {
                throw failure(e.getMessage());
            }
        }
    }

    /** The entries created through this fixture and not deleted. */
    public synchronized List<SpireEntry> entries() {
        return List.copyOf(entries.values());
    }

    /** Kills the agent with SIGKILL, as a crash would; its Workload API socket stops answering. */
    public synchronized void killAgent() {
        checkOpen();
        agent.kill();
    }

    /**
     * Starts the agent again with the same data directory, so it resumes with its stored SVID and needs no new
     * join token; stops it first (SIGTERM) if it is running. Returns once it is healthy and holds SVIDs for every
     * entry of {@link #entries()}.
     */
    public synchronized void restartAgent() {
        checkOpen();
        agent.terminate(STOP_GRACE);
        Deadline deadline = Deadline.after(settings.startTimeout());
        try {
            agent.start(null, deadline);
            agent.awaitSvids(entries.keySet(), deadline);
        } catch (SpireException e) {
            throw failure("the agent did not come back: " + e.getMessage());
        }
    }

    /**
     * A fresh directory inside the fixture owned by {@code user} (mode 0700), for what a workload running as that
     * user writes. Deleted with the fixture.
     */
    public Path newWorkloadDirectory(WorkloadUser user) {
        return workDirs.newFor(Objects.requireNonNull(user, "user"));
    }

    /** The last {@code lines} lines of the server and agent logs, for failure messages. */
    public String logTails(int lines) {
        return "--- spire-server log, last " + lines + " lines of " + server.logFile() + " ---\n"
                + LogTails.lastLines(server.logFile(), lines) + "\n"
                + "--- spire-agent log, last " + lines + " lines of " + agent.logFile() + " ---\n"
                + LogTails.lastLines(agent.logFile(), lines);
    }

    /** Same as {@link #close()}. */
    public void stop() {
        close();
    }

    /**
     * Stops the agent, then the server (SIGTERM, SIGKILL to whatever of either process tree is left after 5 s), and
     * deletes the fixture's directory (logs too, unless {@link Builder#logDirectory} put them elsewhere).
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // The hook is running or about to: it does the same work.
        }
        stopProcessesAndDelete();
    }

    @Override
    public String toString() {
        return "SPIRE " + SpireInstallation.VERSION + " for " + trustDomain().name() + " in " + root;
    }

    private void stopProcessesAndDelete() {
        agent.terminate(STOP_GRACE);
        server.terminate(STOP_GRACE);
        deleteTree(root);
    }

    private synchronized SpireEntry register(EntryBuilder request) {
        checkOpen();
        String entryId = "spiffe4j-" + UUID.randomUUID();
        List<String> args = new ArrayList<>(List.of("entry", "create", "-entryID", entryId, "-parentID", agentId.toString(),
                "-spiffeID", request.id.toString()));
        for (String selector : request.selectors) {
            args.add("-selector");
            args.add(selector);
        }
        if (request.x509SvidTtl != null) {
            args.add("-x509SVIDTTL");
            args.add(Long.toString(request.x509SvidTtl.toSeconds()));
        }
        if (request.jwtSvidTtl != null) {
            args.add("-jwtSVIDTTL");
            args.add(Long.toString(request.jwtSvidTtl.toSeconds()));
        }
        if (request.hint != null) {
            args.add("-hint");
            args.add(request.hint);
        }
        CommandResult result = server.cli(args.toArray(new String[0]));
        if (!result.succeeded()) {
            throw failure("spire-server could not create the entry for " + request.id + ": " + result);
        }
        SpireEntry entry = new SpireEntry(entryId, request.id, request.selectors);
        entries.put(entryId, entry);
        if (agent.isRunning()) {
            long started = System.nanoTime();
            try {
                agent.awaitSvids(Set.of(entryId), Deadline.after(settings.entryTimeout()));
            } catch (SpireException e) {
                throw failure(e.getMessage());
            }
            LOG.log(System.Logger.Level.DEBUG, "{0} reached the agent in {1} ms", entry, (System.nanoTime() - started) / 1_000_000);
        }
        return entry;
    }

    private SpireException failure(String message) {
        return new SpireException(message + "\n" + logTails(LOG_TAIL_LINES));
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("this SPIRE fixture is closed");
        }
    }

    private Path privateDir(String name) throws IOException {
        Path dir = Files.createDirectory(root.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    private Path publicDir(String name) throws IOException {
        Path dir = Files.createDirectory(root.resolve(name));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        return dir;
    }

    private static void deleteTree(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot delete the SPIRE fixture directory {0}: {1}", root, e);
        }
    }

    /**
     * Configures a {@link Spire}. Not thread-safe; {@link #start()} and {@link SpireExtension#of} take a snapshot, so
     * a builder can be reused.
     */
    public static final class Builder {
        private TrustDomain trustDomain = TrustDomain.parse("example.org");
        private Duration defaultX509SvidTtl = Duration.ofSeconds(60);
        private Duration defaultJwtSvidTtl = Duration.ofMinutes(5);
        private Duration caTtl = Duration.ofHours(24);
        private Duration agentSvidTtl = Duration.ofHours(1);
        private Duration syncInterval = Duration.ofSeconds(1);
        private String logLevel = "DEBUG";
        private final List<String> serverPluginStanzas = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration entryTimeout = Duration.ofSeconds(30);
        private Path logDirectory;
        private SpireInstallation installation;

        private Builder() {}

        /** An independent copy, so later changes to this builder do not reach what the copy starts. */
        Builder copy() {
            Builder copy = new Builder();
            copy.trustDomain = trustDomain;
            copy.defaultX509SvidTtl = defaultX509SvidTtl;
            copy.defaultJwtSvidTtl = defaultJwtSvidTtl;
            copy.caTtl = caTtl;
            copy.agentSvidTtl = agentSvidTtl;
            copy.syncInterval = syncInterval;
            copy.logLevel = logLevel;
            copy.serverPluginStanzas.addAll(serverPluginStanzas);
            copy.startTimeout = startTimeout;
            copy.entryTimeout = entryTimeout;
            copy.logDirectory = logDirectory;
            copy.installation = installation;
            return copy;
        }

        /** The trust domain; default {@code example.org}. */
        public Builder trustDomain(String trustDomain) {
            return trustDomain(TrustDomain.parse(Objects.requireNonNull(trustDomain, "trustDomain")));
        }

        /** The trust domain; default {@code example.org}. */
        public Builder trustDomain(TrustDomain trustDomain) {
            this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
            return this;
        }

        /**
         * The server's {@code default_x509_svid_ttl}, whole seconds; default 60 s. SPIRE sets no minimum; the agent
         * renews an SVID at half its lifetime (which SPIRE backdates by 10 s). Keep it at most a sixth of
         * {@link #caTtl} or SPIRE may cut SVIDs short at CA rotation (it only warns).
         *
         * @throws IllegalArgumentException unless whole seconds, at least 1 s
         */
        public Builder defaultX509SvidTtl(Duration ttl) {
            this.defaultX509SvidTtl = wholeSeconds(ttl, "defaultX509SvidTtl");
            return this;
        }

        /** The server's {@code default_jwt_svid_ttl}, whole seconds; default 5 minutes (SPIRE's default). */
        public Builder defaultJwtSvidTtl(Duration ttl) {
            this.defaultJwtSvidTtl = wholeSeconds(ttl, "defaultJwtSvidTtl");
            return this;
        }

        /** The server's {@code ca_ttl} (also the {@code preferred_ttl} an upstream authority is asked for); default 24 h. */
        public Builder caTtl(Duration ttl) {
            this.caTtl = wholeSeconds(ttl, "caTtl");
            return this;
        }

        /**
         * The server's {@code agent_ttl}, the lifetime of the agent's own SVID; default 1 h. It is set apart from the
         * workload SVID TTL because a killed agent can only resume while its stored SVID is still valid.
         */
        public Builder agentSvidTtl(Duration ttl) {
            this.agentSvidTtl = wholeSeconds(ttl, "agentSvidTtl");
            return this;
        }

        /**
         * How often the server reloads its entry cache ({@code experimental.cache_reload_interval}) and the agent asks
         * it for changes ({@code experimental.sync_interval}); default 1 s, so created and deleted entries reach the
         * agent in one to two seconds. SPIRE's defaults are 5 s each.
         */
        public Builder syncInterval(Duration interval) {
            this.syncInterval = wholeSeconds(interval, "syncInterval");
            return this;
        }

        /**
         * The server's {@code log_level}: DEBUG (default), INFO, WARN or ERROR. The agent always logs at DEBUG, since
         * the fixture follows its log to know when entries arrive.
         */
        public Builder logLevel(String level) {
            String upper = Objects.requireNonNull(level, "level").toUpperCase(Locale.ROOT);
            if (!List.of("DEBUG", "INFO", "WARN", "ERROR").contains(upper)) {
                throw new IllegalArgumentException("logLevel must be DEBUG, INFO, WARN or ERROR, got " + level);
            }
            this.logLevel = upper;
            return this;
        }

        /**
         * Adds an HCL plugin stanza to the server's {@code plugins} block, for example an upstream authority run as
         * an external plugin:
         * <pre>{@code
         * UpstreamAuthority "akeyless" {
         *   plugin_cmd = "/path/to/launcher"
         *   plugin_data { ... }
         * }
         * }</pre>
         * By default the server has no {@code UpstreamAuthority} and signs with its own self-signed CA. The stanza is
         * used verbatim.
         */
        public Builder serverPlugin(String hclStanza) {
            Objects.requireNonNull(hclStanza, "hclStanza");
            if (hclStanza.isBlank()) {
                throw new IllegalArgumentException("hclStanza must not be blank");
            }
            serverPluginStanzas.add(hclStanza);
            return this;
        }

        /** The bound on server plus agent start, and on {@link Spire#restartAgent()}; default 60 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = positive(timeout, "startTimeout");
            return this;
        }

        /** The bound on waiting for the agent to pick up a created or deleted entry; default 30 s. */
        public Builder entryTimeout(Duration timeout) {
            this.entryTimeout = positive(timeout, "entryTimeout");
            return this;
        }

        /**
         * Writes the server and agent logs into this directory (created if needed) and keeps them after
         * {@link Spire#close()}; by default they live in the fixture's directory and are deleted with it.
         */
        public Builder logDirectory(Path directory) {
            this.logDirectory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
            return this;
        }

        /** The binaries to run; default {@link SpireInstallation#locate()}, resolved at start. */
        public Builder installation(SpireInstallation installation) {
            this.installation = Objects.requireNonNull(installation, "installation");
            return this;
        }

        /**
         * Starts SPIRE as configured.
         *
         * @throws SpireException if SPIRE cannot be found or does not become healthy within the start timeout
         */
        public Spire start() {
            return Spire.start(settings());
        }

        SpireSettings settings() {
            // The agent renews SVIDs only when it syncs: an SVID shorter than two syncs could expire before renewal.
            if (defaultX509SvidTtl.compareTo(syncInterval.multipliedBy(2)) < 0) {
                throw new IllegalArgumentException("defaultX509SvidTtl (" + defaultX509SvidTtl.toSeconds()
                        + " s) must be at least two sync intervals (" + syncInterval.toSeconds() + " s each)");
            }
            return new SpireSettings(trustDomain, defaultX509SvidTtl, defaultJwtSvidTtl, caTtl, agentSvidTtl,
                    syncInterval, logLevel, serverPluginStanzas, startTimeout, entryTimeout, logDirectory,
                    installation != null ? installation : SpireInstallation.locate());
        }

        private static Duration wholeSeconds(Duration duration, String name) {
            positive(duration, name);
            if (duration.toSeconds() < 1 || duration.toNanos() % 1_000_000_000L != 0) {
                throw new IllegalArgumentException(name + " must be whole seconds, at least 1 s, got " + duration);
            }
            return duration;
        }

        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, got " + duration);
            }
            return duration;
        }
    }

    /** A registration entry to create; see {@link Spire#newEntry}. Not thread-safe. */
    public static final class EntryBuilder {
        private final Spire spire;
        private final SpiffeId id;
        private final List<String> selectors = new ArrayList<>();
        private Duration x509SvidTtl;
        private Duration jwtSvidTtl;
        private String hint;

        private EntryBuilder(Spire spire, SpiffeId id) {
            this.spire = spire;
            this.id = Objects.requireNonNull(id, "id");
            if (!id.memberOf(spire.trustDomain())) {
                throw new IllegalArgumentException(id + " is not in the fixture's trust domain " + spire.trustDomain().name());
            }
        }

        /**
         * Adds selectors, {@code type:value} as the SPIRE CLI takes them: {@code unix:uid:1000}, {@code unix:gid:0},
         * {@code unix:user:name}. A workload gets the entry when its attested selectors include all of them.
         */
        public EntryBuilder selectors(String... selectors) {
            for (String selector : selectors) {
                Objects.requireNonNull(selector, "selector");
                if (selector.indexOf(':') <= 0 || selector.endsWith(":")) {
                    throw new IllegalArgumentException("a selector is type:value, got \"" + selector + "\"");
                }
                this.selectors.add(selector);
            }
            return this;
        }

        /** This entry's X509-SVID TTL (whole seconds), overriding the server default. */
        public EntryBuilder x509SvidTtl(Duration ttl) {
            this.x509SvidTtl = Builder.wholeSeconds(ttl, "x509SvidTtl");
            return this;
        }

        /** This entry's JWT-SVID TTL (whole seconds), overriding the server default. */
        public EntryBuilder jwtSvidTtl(Duration ttl) {
            this.jwtSvidTtl = Builder.wholeSeconds(ttl, "jwtSvidTtl");
            return this;
        }

        /** The entry hint, which the Workload API returns with the SVID to tell same-workload SVIDs apart. */
        public EntryBuilder hint(String hint) {
            this.hint = Objects.requireNonNull(hint, "hint");
            return this;
        }

        /**
         * Creates the entry and waits until the agent holds its SVID (unless the agent is not running).
         *
         * @throws IllegalStateException if no selector was given
         * @throws SpireException if the server refuses the entry or the agent does not cache it in time
         */
        public SpireEntry create() {
            if (selectors.isEmpty()) {
                throw new IllegalStateException("an entry needs at least one selector");
            }
            return spire.register(this);
        }
    }
}
