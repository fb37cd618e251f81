package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The SPIRE Server and Agent binaries the fixtures run: exactly SPIRE {@value #VERSION}, built from the Go module
 * proxy by the project's {@code scripts/install-spire.sh}.
 *
 * <p>{@link #locate()} looks, in order, at:
 * <ol>
 *   <li>{@code SPIRE_BIN_DIR}, when set: it must hold executable {@code spire-server} and {@code spire-agent};
 *       nothing is built into it;</li>
 *   <li>the install script's cache, {@code ${SPIFFE4J_CACHE:-~/.cache/spiffe4j}/spire-v1.13.3/bin};</li>
 *   <li>when the cache is empty and the working directory lies inside a spiffe4j checkout (a parent holding
 *       {@code tools/spire/go.mod} and {@code scripts/install-spire.sh}), it runs that script, which builds SPIRE
 *       into the cache (15 to 30 minutes cold on two cores; concurrent JVMs wait for one build).</li>
 * </ol>
 * Anything else fails with a {@link SpireException} naming what is missing and the command that installs it: the
 * SPIRE tests must run, never be skipped. The server binary must report version {@value #VERSION}.
 *
 * <p>Immutable and thread-safe.
 */
public final class SpireInstallation {
    /** The SPIRE version the fixtures and {@code tools/spire/go.mod} pin. */
    public static final String VERSION = "1.13.3";

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(60);
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    private static final String INSTALL_SCRIPT = "scripts/install-spire.sh";
    private static final System.Logger LOG = System.getLogger(SpireInstallation.class.getName());
    private static volatile SpireInstallation located;

    private final Path binDir;

    private SpireInstallation(Path binDir) {
        this.binDir = binDir;
    }

    /**
     * The installation found as described in the class documentation, located and version-checked once per JVM.
     *
     * @throws SpireException if no SPIRE {@value #VERSION} can be found or installed
     */
    public static SpireInstallation locate() {
        SpireInstallation result = located;
        if (result == null) {
            synchronized (SpireInstallation.class) {
                result = located;
                if (result == null) {
                    result = locate(System.getenv(), Path.of("").toAbsolutePath(), Path.of(System.getProperty("user.home")));
                    located = result;
                }
            }
        }
        return result;
    }

    /**
     * The installation in {@code binDir}, version-checked.
     *
     * @throws SpireException if a binary is missing or the server does not report version {@value #VERSION}
     */
    public static SpireInstallation in(Path binDir) {
        Objects.requireNonNull(binDir, "binDir");
        String missing = missingBinaries(binDir);
        if (missing != null) {
            throw new SpireException("SPIRE " + VERSION + " is not installed in " + binDir + ": " + missing + ". "
                    + howToInstall());
        }
        SpireInstallation installation = new SpireInstallation(binDir.toAbsolutePath());
        installation.checkVersion();
        return installation;
    }

    static SpireInstallation locate(Map<String, String> env, Path workingDir, Path home) {
        String fromEnv = env.get("SPIRE_BIN_DIR");
        if (fromEnv != null && !fromEnv.isEmpty()) {
            Path binDir = Path.of(fromEnv);
            String missing = missingBinaries(binDir);
            if (missing != null) {
                throw new SpireException("SPIRE_BIN_DIR=" + fromEnv + " does not hold SPIRE " + VERSION + ": " + missing
                        + ". Point it at a directory with spire-server and spire-agent " + VERSION + ", or unset it and"
                        + " install SPIRE into the cache with `" + INSTALL_SCRIPT + "` from a spiffe4j checkout.");
            }
            return in(binDir);
        }
        Path binDir = cacheBinDir(env, home);
        if (missingBinaries(binDir) == null) {
            return in(binDir);
        }
        Path checkout = findCheckout(workingDir);
        if (checkout == null) {
            throw new SpireException("SPIRE " + VERSION + " is not installed: " + missingBinaries(binDir)
                    + " (SPIRE_BIN_DIR is not set), and the working directory " + workingDir + " is not inside a"
                    + " spiffe4j checkout (no parent holds tools/spire/go.mod and " + INSTALL_SCRIPT + "), so it"
                    + " cannot be built here. " + howToInstall());
        }
        install(checkout, binDir, env);
        return in(binDir);
    }

    /** The directory holding {@code spire-server} and {@code spire-agent}. */
    public Path binDir() {
        return binDir;
    }

    /** The {@code spire-server} executable. */
    public Path serverBinary() {
        return binDir.resolve("spire-server");
    }

    /** The {@code spire-agent} executable. */
    public Path agentBinary() {
        return binDir.resolve("spire-agent");
    }

    @Override
    public String toString() {
        return "SPIRE " + VERSION + " in " + binDir;
    }

    private void checkVersion() {
        CommandResult result = Commands.run(new ProcessBuilder(serverBinary().toString(), "--version"), VERSION_TIMEOUT,
                scratchDir());
        String reported = result.output().strip();
        // SPIRE reports its release tag only when the build stamps one in with -ldflags; `go install` of the module
        // leaves it out, and SPIRE then reports the source's base version plus "-dev-<git hash>" ("1.13.3-dev-unk").
        boolean pinned = reported.equals(VERSION) || reported.equals("v" + VERSION) || reported.startsWith(VERSION + "-dev-");
        if (!result.succeeded() || !pinned) {
            throw new SpireException(serverBinary() + " --version reported \"" + reported + "\" (exit " + result.exitCode()
                    + "), but the fixtures need exactly SPIRE " + VERSION + ". " + howToInstall());
        }
    }

    private static Path scratchDir() {
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private static Path cacheBinDir(Map<String, String> env, Path home) {
        String cache = env.get("SPIFFE4J_CACHE");
        Path root = cache != null && !cache.isEmpty() ? Path.of(cache) : home.resolve(".cache").resolve("spiffe4j");
        return root.resolve("spire-v" + VERSION).resolve("bin");
    }

    /** What of the two binaries is missing from {@code binDir}, or {@code null} when both are executable files. */
    private static String missingBinaries(Path binDir) {
        StringBuilder missing = new StringBuilder();
        for (String name : List.of("spire-server", "spire-agent")) {
            Path binary = binDir.resolve(name);
            if (!Files.isRegularFile(binary) || !Files.isExecutable(binary)) {
                missing.append(missing.length() == 0 ? "" : " and ").append(binary).append(" is ")
                        .append(Files.exists(binary) ? "not an executable file" : "missing");
            }
        }
        return missing.length() == 0 ? null : missing.toString();
    }

    private static Path findCheckout(Path workingDir) {
        for (Path dir = workingDir.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("tools/spire/go.mod")) && Files.isRegularFile(dir.resolve(INSTALL_SCRIPT))) {
                return dir;
            }
        }
        return null;
    }

    private static void install(Path checkout, Path binDir, Map<String, String> env) {
        Path cacheDir = binDir.getParent();
        try {
            Files.createDirectories(cacheDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the SPIRE cache directory " + cacheDir, e);
        }
        // Surefire forks and parallel builds may all find the cache empty: one builds, the others wait and reuse it.
        try (FileChannel lockFile = FileChannel.open(cacheDir.resolve(".install.lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE)) {
            // Held until the channel closes.
            lockFile.lock();
            if (missingBinaries(binDir) == null) {
                return;
            }
            LOG.log(System.Logger.Level.WARNING, "SPIRE {0} is not installed: running {1} (a cold build takes 15-30 minutes)",
                    VERSION, checkout.resolve(INSTALL_SCRIPT));
            ProcessBuilder builder = new ProcessBuilder("bash", checkout.resolve(INSTALL_SCRIPT).toString()).directory(checkout.toFile());
            builder.environment().putAll(env);
            CommandResult result = Commands.run(builder, INSTALL_TIMEOUT, cacheDir);
            if (!result.succeeded() || missingBinaries(binDir) != null) {
                throw new SpireException(checkout.resolve(INSTALL_SCRIPT) + " failed to install SPIRE " + VERSION + " into "
                        + binDir + " (exit " + result.exitCode() + "). It needs Go 1.25.3+, a C compiler and the Go module"
                        + " proxy. Its output ends with:\n" + LogTails.lastLines(result.output(), 40));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the SPIRE cache directory " + cacheDir, e);
        }
    }

    private static String howToInstall() {
        return "Install it from a spiffe4j checkout with `" + INSTALL_SCRIPT + "` (builds SPIRE " + VERSION
                + " from the Go module proxy into ${SPIFFE4J_CACHE:-~/.cache/spiffe4j}/spire-v" + VERSION
                + "/bin; needs Go 1.25.3+ and gcc), or set SPIRE_BIN_DIR to a directory holding spire-server and"
                + " spire-agent " + VERSION + ".";
    }
}
