package io.spiffe4j.workloadapi;

import java.time.Duration;
import java.util.Objects;

/**
 * A jittered exponential backoff: the delay before retry {@code n} (counting from 1) is
 * {@code min(initialDelay * 2^(n-1), maxDelay)}, scaled by a random factor in {@code [1 - jitter, 1 + jitter]} so
 * that workloads restarted together do not reconnect in lockstep. A watch resets its count when a valid message
 * arrives.
 *
 * <p>Two curves are used: {@link #defaultRetry()} for transient failures (endpoint unavailable, stream ended,
 * other retryable codes) and {@link #defaultNoIdentity()} for {@code PERMISSION_DENIED}, where the workload waits
 * to be registered (WEP-13) and polling fast only loads the agent.
 *
 * <p>Immutable and thread-safe.
 */
public final class Backoff {
  private static final double DEFAULT_JITTER = 0.2;
  private static final Backoff DEFAULT_RETRY = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(30), DEFAULT_JITTER);
  private static final Backoff DEFAULT_NO_IDENTITY = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(10), DEFAULT_JITTER);

  private final Duration initialDelay;
  private final Duration maxDelay;
  private final double jitter;

  private Backoff(Duration initialDelay, Duration maxDelay, double jitter) {
    this.initialDelay = initialDelay;
    this.maxDelay = maxDelay;
    this.jitter = jitter;
  }

  /**
   * Transient failures: 100 ms, doubling up to 30 s, ±20 %. The first retry comes almost at once, as the standard
   * asks after a stream ends (WAPI-03), while an agent that keeps failing is polled at most every 30 s.
   */
  public static Backoff defaultRetry() {
    return DEFAULT_RETRY;
  }

  /** No identity yet ({@code PERMISSION_DENIED}): 1 s, doubling up to 10 s, ±20 %. */
  public static Backoff defaultNoIdentity() {
    return DEFAULT_NO_IDENTITY;
  }

  /**
   * A backoff from {@code initialDelay} doubling up to {@code maxDelay}, with ±20 % jitter.
   *
   * @throws IllegalArgumentException if a delay is not positive or {@code maxDelay < initialDelay}
   */
  public static Backoff exponential(Duration initialDelay, Duration maxDelay) {
    return exponential(initialDelay, maxDelay, DEFAULT_JITTER);
  }

  /**
   * A backoff from {@code initialDelay} doubling up to {@code maxDelay}, each delay scaled by a random factor in
   * {@code [1 - jitter, 1 + jitter]}.
   *
   * @throws IllegalArgumentException if a delay is not positive, {@code maxDelay < initialDelay}, or
   *     {@code jitter} is outside {@code [0, 1]}
   */
  public static Backoff exponential(Duration initialDelay, Duration maxDelay, double jitter) {
    Objects.requireNonNull(initialDelay, "initialDelay");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (initialDelay.isNegative() || initialDelay.isZero()) {
      throw new IllegalArgumentException("initialDelay must be positive: " + initialDelay);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException("maxDelay " + maxDelay + " is less than initialDelay " + initialDelay);
    }
    if (!(jitter >= 0 && jitter <= 1)) {
      throw new IllegalArgumentException("jitter must be in [0, 1]: " + jitter);
    }
    return new Backoff(initialDelay, maxDelay, jitter);
  }

  public Duration initialDelay() {
    return initialDelay;
  }

  public Duration maxDelay() {
    return maxDelay;
  }

  public double jitter() {
    return jitter;
  }

  /**
   * The delay before retry {@code attempt} (from 1), for a uniform random number {@code random} in {@code [0, 1)}.
   */
  Duration delay(int attempt, double random) {
    long max = maxDelay.toNanos();
    long base = initialDelay.toNanos();
    for (int i = 1; i < attempt && base < max; i++) {
      base = base > max / 2 ? max : base * 2;
    }
    base = Math.min(base, max);
    double factor = 1 - jitter + 2 * jitter * random;
    return Duration.ofNanos((long) (base * factor));
  }

  @Override
  public String toString() {
    return "Backoff{initialDelay=" + initialDelay + ", maxDelay=" + maxDelay + ", jitter=" + jitter + "}";
  }
}
