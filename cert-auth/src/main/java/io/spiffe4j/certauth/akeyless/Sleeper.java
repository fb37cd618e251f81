package io.spiffe4j.certauth.akeyless;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Waits between retries; injectable so tests can advance a fake clock instead of sleeping. */
@FunctionalInterface
interface Sleeper {
  Sleeper REAL = duration -> TimeUnit.NANOSECONDS.sleep(duration.toNanos());

  void sleep(Duration duration) throws InterruptedException;
}
