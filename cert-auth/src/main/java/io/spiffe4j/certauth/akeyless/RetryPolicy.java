package io.spiffe4j.certauth.akeyless;

import java.time.Duration;
import java.util.Objects;

/**
 * How often and how long a call to Akeyless is retried. Only failures that can heal are retried: an HTTP 5xx answer,
 * a timeout, or a connection that could not be made or broke ({@link AkeylessException.Kind#UNAVAILABLE}). A 4xx
 * answer, a TLS failure or an answer that is not the Akeyless API is never retried.
 *
 * <p>The wait before retry {@code n} (counting from 1) is drawn uniformly from {@code [b/2, b]} with
 * {@code b = min(maxBackoff, initialBackoff * 2^(n-1))}, so that clients failing together do not retry together.
 * One public call, including the authentication it may need, ends after at most {@link #maxAttempts()} attempts per
 * request and never later than {@link #totalBudget()} after it started: a wait that would end past the budget is not
 * taken, and each request's timeout is cut to what is left of the budget.
 *
 * <p>Immutable and thread-safe.
 */
public final class RetryPolicy {
  private static final RetryPolicy DEFAULTS = builder().build();
  private static final RetryPolicy NONE = builder().maxAttempts(1).build();

  private final int maxAttempts;
  private final Duration initialBackoff;
  private final Duration maxBackoff;
  private final Duration totalBudget;

  private RetryPolicy(Builder builder) {
    this.maxAttempts = builder.maxAttempts;
    this.initialBackoff = builder.initialBackoff;
    this.maxBackoff = builder.maxBackoff;
    this.totalBudget = builder.totalBudget;
  }

  /** 4 attempts, backoff from 250 ms up to 4 s, 30 s in total. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** One attempt, no retry (still bounded by a 30 s total budget). */
  public static RetryPolicy none() {
    return NONE;
  }

  public static Builder builder() {
    return new Builder();
  }

  public int maxAttempts() {
    return maxAttempts;
  }

  public Duration initialBackoff() {
    return initialBackoff;
  }

  public Duration maxBackoff() {
    return maxBackoff;
  }

  public Duration totalBudget() {
    return totalBudget;
  }

  /** The upper bound of the wait before retry {@code retry} (1 for the first retry), before jitter. */
  Duration backoffCeiling(int retry) {
    Duration ceiling = initialBackoff;
    for (int i = 1; i < retry && ceiling.compareTo(maxBackoff) < 0; i++) {
      ceiling = ceiling.multipliedBy(2);
    }
    return ceiling.compareTo(maxBackoff) > 0 ? maxBackoff : ceiling;
  }

  @Override
  public String toString() {
    return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff="
        + maxBackoff + ", totalBudget=" + totalBudget + "]";
  }

  /** Builds a {@link RetryPolicy}. Not thread-safe. */
  public static final class Builder {
    private int maxAttempts = 4;
    private Duration initialBackoff = Duration.ofMillis(250);
    private Duration maxBackoff = Duration.ofSeconds(4);
    private Duration totalBudget = Duration.ofSeconds(30);

    private Builder() {}

    /** Attempts per request, the first included; at least 1. Default 4. */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The wait ceiling before the first retry; positive. Default 250 ms. */
    public Builder initialBackoff(Duration initialBackoff) {
      this.initialBackoff = positive(initialBackoff, "initialBackoff");
      return this;
    }

    /** The largest wait ceiling; positive. Default 4 s. */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = positive(maxBackoff, "maxBackoff");
      return this;
    }

    /** The longest one public call may take, retries and waits included; positive. Default 30 s. */
    public Builder totalBudget(Duration totalBudget) {
      this.totalBudget = positive(totalBudget, "totalBudget");
      return this;
    }

    /** @throws IllegalArgumentException if {@code maxBackoff} is shorter than {@code initialBackoff} */
    public RetryPolicy build() {
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff "
            + initialBackoff);
      }
      return new RetryPolicy(this);
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + duration);
      }
      return duration;
    }
  }
}
