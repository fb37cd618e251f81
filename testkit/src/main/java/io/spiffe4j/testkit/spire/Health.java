package io.spiffe4j.testkit.spire;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** The bounded wait for a freshly started SPIRE process to pass its health check. */
final class Health {
    private Health() {}

    /**
     * Polls {@code healthy} until it passes; fails as soon as the process exits, or when the deadline passes.
     * Failure messages carry no log: the fixture adds the tails of both logs.
     */
    static void await(String name, ManagedProcess process, BooleanSupplier healthy, Deadline deadline, Duration poll) {
        while (true) {
            if (!process.isAlive()) {
                throw new SpireException(name + " exited with code " + process.exitCode() + " before its health check passed");
            }
            if (healthy.getAsBoolean()) {
                return;
            }
            if (deadline.passed()) {
                throw new SpireException(name + " (pid " + process.pid() + ") did not pass its health check within "
                        + deadline.budget().toMillis() + " ms");
            }
            deadline.sleep(poll);
        }
    }
}
