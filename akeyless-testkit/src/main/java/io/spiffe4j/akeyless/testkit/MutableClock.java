package io.spiffe4j.akeyless.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it, so expiry (challenges, tokens, certificates, JWTs) can be tested
 * without waiting. Give the same instance to the {@link AkeylessGateway} and the {@link TestIdentityProvider}.
 * Thread-safe.
 */
public final class MutableClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /** A clock reading {@code start}, in UTC. */
  public static MutableClock at(Instant start) {
    return new MutableClock(new AtomicReference<>(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  /** A clock reading the current system time, truncated to whole seconds as X.509 and JWT times are. */
  public static MutableClock startingNow() {
    return at(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  }

  /** Moves the clock forward (or back, for a negative amount). */
  public MutableClock advance(Duration amount) {
    Objects.requireNonNull(amount, "amount");
    now.updateAndGet(instant -> instant.plus(amount));
    return this;
  }

  public MutableClock set(Instant instant) {
    now.set(Objects.requireNonNull(instant, "instant"));
    return this;
  }

  @Override
  public Instant instant() {
    return now.get();
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view in another zone that still follows this clock's moves. */
  @Override
  public Clock withZone(ZoneId zone) {
    return new MutableClock(now, Objects.requireNonNull(zone, "zone"));
  }

  @Override
  public String toString() {
    return "MutableClock[" + now.get() + "]";
  }
}
