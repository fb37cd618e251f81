package io.spiffe4j.testkit.spire;

import java.time.Duration;

/** A point in (monotonic) time that bounds a wait, and the budget it was set with for messages. */
final class Deadline {
    private final Duration budget;
    private final long endNanos;

    private Deadline(Duration budget) {
        this.budget = budget;
        this.endNanos = System.nanoTime() + budget.toNanos();
    }

    static Deadline after(Duration budget) {
        return new Deadline(budget);
    }

    boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    Duration budget() {
        return budget;
    }

    /** Sleeps {@code poll}, or less if the deadline comes first. */
    void sleep(Duration poll) {
        long nanos = Math.min(poll.toNanos(), Math.max(0, endNanos - System.nanoTime()));
        try {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpireException("interrupted while waiting for SPIRE", e);
        }
    }
}
