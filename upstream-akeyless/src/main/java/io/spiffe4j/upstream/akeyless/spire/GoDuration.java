package io.spiffe4j.upstream.akeyless.spire;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Go's {@code time.ParseDuration} syntax, as SPIRE's configuration uses it: one or more decimal numbers, each with an
 * optional fraction and a unit ({@code ns}, {@code us}, {@code µs}, {@code ms}, {@code s}, {@code m}, {@code h}),
 * such as {@code "24h"}, {@code "1h30m"} or {@code "1.5h"}. No sign: a negative TTL means nothing here. Thread-safe.
 */
final class GoDuration {
  private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h)");
  private static final Map<String, BigDecimal> NANOS_PER_UNIT = Map.of(
      "ns", BigDecimal.ONE,
      "us", BigDecimal.valueOf(1_000L),
      "µs", BigDecimal.valueOf(1_000L),
      "μs", BigDecimal.valueOf(1_000L),
      "ms", BigDecimal.valueOf(1_000_000L),
      "s", BigDecimal.valueOf(1_000_000_000L),
      "m", BigDecimal.valueOf(60_000_000_000L),
      "h", BigDecimal.valueOf(3_600_000_000_000L));
  /** Go's durations are int64 nanoseconds: about 292 years. */
  private static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Long.MAX_VALUE);

  private GoDuration() {
  }

  /**
   * Parses {@code text}.
   *
   * @param key the configuration key, for the error message
   * @throws PluginConfigException if {@code text} is not a Go duration or is out of Go's range
   */
  static Duration parse(String key, String text) {
    Matcher matcher = PART.matcher(text);
    BigDecimal nanos = BigDecimal.ZERO;
    int end = 0;
    while (end < text.length() && matcher.find(end) && matcher.start() == end) {
      nanos = nanos.add(new BigDecimal(matcher.group(1)).multiply(NANOS_PER_UNIT.get(matcher.group(2))));
      end = matcher.end();
    }
    if (text.isEmpty() || end != text.length()) {
      throw new PluginConfigException(key + " must be a duration such as \"24h\", \"90m\" or \"1h30m\" "
          + "(units ns, us, ms, s, m, h) or whole seconds");
    }
    if (nanos.compareTo(MAX_NANOS) > 0) {
      throw new PluginConfigException(key + " is longer than Go's longest duration");
    }
    return Duration.ofNanos(nanos.longValue());
  }
}
