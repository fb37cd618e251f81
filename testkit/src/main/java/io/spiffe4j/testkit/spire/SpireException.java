package io.spiffe4j.testkit.spire;

/**
 * The real SPIRE could not be had or did not do what a test asked: the binaries are missing or of the wrong
 * version, a process did not become healthy in time, a CLI call failed, or an entry never reached the agent.
 * Messages say what is missing or what timed out and, once processes run, end with the tail of the server and
 * agent logs. Never a verdict about spiffe4j: a test that gets one has a broken environment or setup.
 */
public final class SpireException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    SpireException(String message) {
        super(message);
    }

    SpireException(String message, Throwable cause) {
        super(message, cause);
    }
}
