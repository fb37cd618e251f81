package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short commands to completion with a deadline, output captured through a file so no pipe can fill up. */
final class Commands {
    private Commands() {}

    /**
     * Runs the command built by {@code builder} and waits for it up to {@code timeout}; on timeout the process
     * tree is killed and the result has exit code -1 and the output so far.
     */
    static CommandResult run(ProcessBuilder builder, Duration timeout, Path scratchDir) {
        List<String> command = builder.command();
        Path output = null;
        Process process = null;
        try {
            output = Files.createTempFile(scratchDir, "cmd-", ".out");
            process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                ProcessTrees.kill(process);
            }
            String text = Files.readString(output, StandardCharsets.UTF_8);
            if (!finished) {
                return new CommandResult(command, -1, text + "\n[spiffe4j: killed after " + timeout.toMillis() + " ms]");
            }
            return new CommandResult(command, process.exitValue(), text);
        } catch (IOException e) {
            throw new SpireException("cannot run `" + String.join(" ", command) + "`: " + e, e);
        } catch (InterruptedException e) {
            ProcessTrees.kill(process);
            Thread.currentThread().interrupt();
            throw new SpireException("interrupted while running `" + String.join(" ", command) + "`", e);
        } finally {
            deleteQuietly(output);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover scratch file is removed with the fixture's directory.
            }
        }
    }
}
