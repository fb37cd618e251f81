package io.spiffe4j.cli;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import picocli.CommandLine.Option;

/** {@code --now EPOCH}: judge validity at a fixed instant instead of the system clock. */
final class TimeOptions {
  @Option(names = "--now", paramLabel = "EPOCH",
      description = "Judge validity at this Unix time (seconds) instead of now.")
  Long nowEpochSeconds;

  Clock clock() {
    return nowEpochSeconds == null
        ? Clock.systemUTC()
        : Clock.fixed(Instant.ofEpochSecond(nowEpochSeconds), ZoneOffset.UTC);
  }
}
