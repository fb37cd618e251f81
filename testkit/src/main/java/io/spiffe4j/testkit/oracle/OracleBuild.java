package io.spiffe4j.testkit.oracle;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the oracle binary from the Go sources shipped in this jar, once per source version, into a cache directory
 * keyed by the sources' hash, so any machine with Go can rebuild exactly the same oracle.
 */
final class OracleBuild {
    private static final List<String> SOURCES = List.of("go.mod", "go.sum", "main.go");
    private static final Path FALLBACK_GO = Path.of("/usr/local/go/bin/go");
    // A cold build downloads go-spiffe and its dependencies and compiles them on a small machine; a stalled
    // download must still fail the run rather than hang it.
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
    private static final System.Logger LOG = System.getLogger(OracleBuild.class.getName());

    private OracleBuild() {}

    /** The path of the oracle binary for the shipped sources, built now if no earlier run built it. */
    static Path binary() {
        Map<String, byte[]> sources = readSources();
        Path dir = cacheRoot().resolve("go-spiffe-oracle").resolve(sha256(sources));
        Path binary = dir.resolve("oracle");
        if (Files.isExecutable(binary)) {
            return binary;
        }
        Path go = findGo();
        try {
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> source : sources.entrySet()) {
                Path target = dir.resolve(source.getKey());
                if (!Files.exists(target)) {
                    writeAtomically(target, source.getValue());
                }
            }
            build(go, dir, binary);
        } catch (IOException e) {
            throw new GoSpiffeOracleException("cannot prepare the go-spiffe oracle build in " + dir + ": " + e, e);
        }
        return binary;
    }

    private static void build(Path go, Path dir, Path binary) throws IOException {
        // Concurrent or aborted builds must never leave a partial binary under the final name: build under a
        // unique name and rename it into place.
        Path output = dir.resolve("oracle.tmp-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        Path log = dir.resolve(output.getFileName() + ".log");
        // The environment is inherited so GOPROXY, GOMODCACHE and GOCACHE apply. The flags override GOFLAGS where
        // it could change what gets built: the spiffeid_charset_backcompat tag loosens go-spiffe's ID charset, and
        // -mod=readonly fails rather than rewriting the shipped go.mod and go.sum.
        List<String> command = List.of(
                go.toString(), "build", "-mod=readonly", "-tags=", "-buildvcs=false", "-o", output.getFileName().toString(), ".");
        LOG.log(System.Logger.Level.INFO, "building the go-spiffe oracle in {0} (first use; this can take minutes)", dir);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        try {
            process.getOutputStream().close();
            boolean finished = process.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
                throw buildFailure("did not finish within " + BUILD_TIMEOUT.toMinutes() + " minutes", command, dir, log);
            }
            if (process.exitValue() != 0) {
                throw buildFailure("exited with " + process.exitValue(), command, dir, log);
            }
            Files.move(output, binary, StandardCopyOption.ATOMIC_MOVE);
            LOG.log(System.Logger.Level.INFO, "built the go-spiffe oracle in {0} s", (System.nanoTime() - started) / 1_000_000_000.0);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new GoSpiffeOracleException("interrupted while building the go-spiffe oracle in " + dir, e);
        } finally {
            Files.deleteIfExists(output);
            Files.deleteIfExists(log);
        }
    }

    private static GoSpiffeOracleException buildFailure(String what, List<String> command, Path dir, Path log) throws IOException {
        return new GoSpiffeOracleException("building the go-spiffe oracle failed: `" + String.join(" ", command) + "` in " + dir
                + " " + what + ". The build needs Go 1.26 or newer and, on first use, the Go module proxy (GOPROXY) or a"
                + " module cache (GOMODCACHE) holding github.com/spiffe/go-spiffe/v2 v2.9.0 and its dependencies."
                + " Build output:\n" + new String(Files.readAllBytes(log), StandardCharsets.UTF_8));
    }

    /** {@code GO} if set, else {@code go} on {@code PATH}, else {@code /usr/local/go/bin/go}. */
    private static Path findGo() {
        String fromEnv = System.getenv("GO");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            Path go = Path.of(fromEnv);
            if (Files.isRegularFile(go) && Files.isExecutable(go)) {
                return go;
            }
            throw new GoSpiffeOracleException("GO=" + fromEnv + " is not an executable file: set GO to the go binary of a"
                    + " Go 1.26+ toolchain, or unset it to use go from PATH");
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String entry : path.split(File.pathSeparator)) {
            if (!entry.isEmpty()) {
                Path go = Path.of(entry, "go");
                if (Files.isRegularFile(go) && Files.isExecutable(go)) {
                    return go;
                }
            }
        }
        if (Files.isExecutable(FALLBACK_GO)) {
            return FALLBACK_GO;
        }
        throw new GoSpiffeOracleException("the go-spiffe oracle needs a Go toolchain to build it, and none was found:"
                + " GO is not set, no go is on PATH (" + path + ") and " + FALLBACK_GO + " does not exist. Install Go 1.26"
                + " or newer (for example the official Linux archive unpacked into /usr/local, giving " + FALLBACK_GO
                + ") or set GO to its go binary. The first build also needs the Go module proxy (GOPROXY) or a module"
                + " cache (GOMODCACHE) holding github.com/spiffe/go-spiffe/v2 v2.9.0.");
    }

    private static Path cacheRoot() {
        String fromEnv = System.getenv("SPIFFE4J_CACHE");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return Path.of(fromEnv);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "spiffe4j");
    }

    private static Map<String, byte[]> readSources() {
        Map<String, byte[]> sources = new LinkedHashMap<>();
        for (String name : SOURCES) {
            try (InputStream in = OracleBuild.class.getResourceAsStream(name)) {
                if (in == null) {
                    throw new GoSpiffeOracleException("resource " + name + " of the go-spiffe oracle is missing next to "
                            + OracleBuild.class.getName() + ": the testkit jar is incomplete");
                }
                sources.put(name, in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the go-spiffe oracle resource " + name, e);
            }
        }
        return sources;
    }

    /** The hex SHA-256 of the sources, each framed by name and length so no two source sets collide. */
    private static String sha256(Map<String, byte[]> sources) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> source : sources.entrySet()) {
                digest.update(source.getKey().getBytes(StandardCharsets.UTF_8));
                digest.update(ByteBuffer.allocate(Long.BYTES + 1).put((byte) 0).putLong(source.getValue().length).array());
                digest.update(source.getValue());
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    private static void writeAtomically(Path target, byte[] content) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
        try {
            Files.write(temp, content);
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
