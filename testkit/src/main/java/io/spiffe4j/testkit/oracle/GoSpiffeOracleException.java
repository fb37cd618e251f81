package io.spiffe4j.testkit.oracle;

/**
 * The go-spiffe oracle could not answer: Go is missing, the build failed, the oracle process died, or it rejected
 * a request as malformed. Never a verdict: a test that gets one has a broken setup or a bug in how it asks.
 */
public final class GoSpiffeOracleException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    GoSpiffeOracleException(String message) {
        super(message);
    }

    GoSpiffeOracleException(String message, Throwable cause) {
        super(message, cause);
    }
}
