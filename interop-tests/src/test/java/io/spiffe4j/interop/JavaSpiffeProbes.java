package io.spiffe4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a program of java-spiffe-probe/ in a child JVM on java-spiffe's own class path (the probe's jar and its
 * target/lib), so java-spiffe's grpc and BouncyCastle jdk15on never meet ours, and reads the one JSON object it
 * prints. A probe that fails, hangs or is not built fails the calling test with its stderr.
 */
final class JavaSpiffeProbes {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private JavaSpiffeProbes() {
    }

    /** The JSON that {@code io.spiffe4j.interop.probe.<program>} printed for the arguments. */
    static JsonNode run(String program, String... args) throws IOException {
        Path probe = Path.of(System.getProperty("spiffe4j.interop.javaSpiffeProbe", "java-spiffe-probe/target"));
        Path jar = probe.resolve("java-spiffe-probe.jar");
        assertTrue(Files.isRegularFile(jar) && Files.isDirectory(probe.resolve("lib")),
                () -> "no java-spiffe probe at " + probe + ": build the reactor (mvn install -DskipTests) first");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", jar + File.pathSeparator + probe.resolve("lib") + File.separator + "*",
                "io.spiffe4j.interop.probe." + program));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("java-spiffe-probe", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            // The output is a few kilobytes: read it all before waiting, the pipe never fills.
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the java-spiffe probe " + program + " did not finish within " + TIMEOUT);
            }
            String errors = Files.readString(stderr);
            assertEquals(0, process.exitValue(), () -> "the java-spiffe probe " + program + " failed:\n" + errors);
            return new ObjectMapper().readTree(stdout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }
}
