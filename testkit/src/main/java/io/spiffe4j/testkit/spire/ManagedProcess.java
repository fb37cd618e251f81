package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * One long-running SPIRE process, restartable, its stdout and stderr appended to one log file across runs.
 * Guarded by its owner's lock.
 */
final class ManagedProcess {
    private final String name;
    private final Path logFile;
    private Process process;
    private long runLogOffset;

    ManagedProcess(String name, Path logFile) {
        this.name = name;
        this.logFile = logFile;
    }

    /** Starts a run of {@code command}; the previous run must have ended. */
    void start(List<String> command) {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running as pid " + process.pid());
        }
        try {
            runLogOffset = Files.exists(logFile) ? Files.size(logFile) : 0;
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new SpireException("cannot start " + name + " (`" + String.join(" ", command) + "`): " + e, e);
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** The exit code of the last run, if it has ended. */
    Integer exitCode() {
        return process == null || process.isAlive() ? null : process.exitValue();
    }

    long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " has never been started");
        }
        return process.pid();
    }

    /** Where in the log file the current (or last) run's output begins. */
    long runLogOffset() {
        return runLogOffset;
    }

    Path logFile() {
        return logFile;
    }

    void terminate(Duration grace) {
        ProcessTrees.terminate(process, grace);
    }

    void kill() {
        ProcessTrees.kill(process);
    }
}
