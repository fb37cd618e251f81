package io.spiffe4j.workloadapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void delayDoublesUpToTheCap() {
    Backoff backoff = Backoff.exponential(Duration.ofMillis(100), Duration.ofSeconds(1), 0);
    long[] expected = {100, 200, 400, 800, 1000, 1000};
    for (int attempt = 1; attempt <= expected.length; attempt++) {
      assertEquals(Duration.ofMillis(expected[attempt - 1]), backoff.delay(attempt, 0.5), "attempt " + attempt);
    }
    assertEquals(Duration.ofSeconds(1), backoff.delay(Integer.MAX_VALUE, 0.5));
  }

  @Test
  void jitterStaysWithinItsBand() {
    Backoff backoff = Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.2);
    assertEquals(Duration.ofMillis(800), backoff.delay(1, 0));
    assertEquals(Duration.ofMillis(1000), backoff.delay(1, 0.5));
    assertTrue(backoff.delay(1, 0.999999).compareTo(Duration.ofMillis(1200)) < 0);
  }

  @Test
  void defaults() {
    assertEquals(Duration.ofMillis(100), Backoff.defaultRetry().initialDelay());
    assertEquals(Duration.ofSeconds(30), Backoff.defaultRetry().maxDelay());
    assertEquals(Duration.ofSeconds(1), Backoff.defaultNoIdentity().initialDelay());
    assertEquals(Duration.ofSeconds(10), Backoff.defaultNoIdentity().maxDelay());
  }

  @Test
  void invalidSettingsRejected() {
    assertThrows(IllegalArgumentException.class, () -> Backoff.exponential(Duration.ZERO, Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> Backoff.exponential(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    assertThrows(IllegalArgumentException.class,
        () -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1), 1.5));
    assertThrows(IllegalArgumentException.class,
        () -> Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1), Double.NaN));
  }
}
