package io.spiffe4j.testkit.spire;

import java.util.List;
import java.util.Objects;

/**
 * What one run of a SPIRE CLI command (or another short command) did: its exit code and its merged stdout and
 * stderr. Immutable and thread-safe.
 */
public final class CommandResult {
    private final List<String> command;
    private final int exitCode;
    private final String output;

    CommandResult(List<String> command, int exitCode, String output) {
        this.command = List.copyOf(command);
        this.exitCode = exitCode;
        this.output = Objects.requireNonNull(output, "output");
    }

    /** The command line that ran. */
    public List<String> command() {
        return command;
    }

    /** The process's exit code. */
    public int exitCode() {
        return exitCode;
    }

    /** Whether the process exited with code 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The merged stdout and stderr, decoded as UTF-8. */
    public String output() {
        return output;
    }

    /** The command, exit code and output, for assertion messages. */
    @Override
    public String toString() {
        return "`" + String.join(" ", command) + "` exited with " + exitCode + ", output:\n" + output;
    }
}
