package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an attempt again while it fails with a {@linkplain AkeylessException#isRetryable() retryable} error, as the
 * {@link RetryPolicy} allows and never past the call's deadline. Thread-safe.
 */
final class Retrier {
  private static final Logger LOG = LoggerFactory.getLogger(AkeylessClient.class);

  /** One try; {@code attempt} counts from 1. */
  @FunctionalInterface
  interface Attempt<T> {
    T run(int attempt);
  }

  private final RetryPolicy policy;
  private final Clock clock;
  private final Sleeper sleeper;
  private final DoubleSupplier random;

  Retrier(RetryPolicy policy, Clock clock, Sleeper sleeper, DoubleSupplier random) {
    this.policy = policy;
    this.clock = clock;
    this.sleeper = sleeper;
    this.random = random;
  }

  /** The deadline of a call starting now. */
  Instant deadline() {
    return clock.instant().plus(policy.totalBudget());
  }

  <T> T call(String op, Instant deadline, Attempt<T> attempt) {
    for (int n = 1; ; n++) {
      try {
        return attempt.run(n);
      } catch (AkeylessException e) {
        if (!e.isRetryable() || n >= policy.maxAttempts()) {
          throw e;
        }
        Duration wait = jittered(policy.backoffCeiling(n));
        if (!clock.instant().plus(wait).isBefore(deadline)) {
          LOG.debug("akeyless {} attempt {}: {}; no time left to retry", op, n, e.kind());
          throw e;
        }
        LOG.warn("akeyless {} attempt {} failed ({}{}); retrying in {} ms", op, n, e.kind(),
            e.httpStatus().isPresent() ? ", HTTP " + e.httpStatus().getAsInt() : "", wait.toMillis());
        sleep(op, wait);
      }
    }
  }

  /** Uniform in {@code [ceiling/2, ceiling]}. */
  private Duration jittered(Duration ceiling) {
    long half = ceiling.toNanos() / 2;
    return Duration.ofNanos(half + (long) (random.getAsDouble() * half));
  }

  private void sleep(String op, Duration wait) {
    try {
      sleeper.sleep(wait);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkeylessException(Kind.CLOSED, op, "interrupted while waiting to retry", e);
    }
  }
}
