package io.spiffe4j.certauth.akeyless;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads {@code /auth}'s {@code expiration}, whose format Akeyless does not document: RFC 3339 (with {@code T} or a
 * space), Go's default {@code time.Time} text ({@code 2006-01-02 15:04:05.999 -0700 MST}), or epoch seconds (or
 * milliseconds, when the number is too large for seconds). Anything else, and any time not in the future, is
 * unknown and left to the caller's assumed lifetime. Stateless and thread-safe.
 */
final class Expirations {
  private static final Pattern NUMBER = Pattern.compile("\\d{1,19}(\\.\\d{1,9})?");
  /** Epoch seconds beyond this (the year 5138) are taken as milliseconds. */
  private static final long MAX_EPOCH_SECONDS = 100_000_000_000L;
  private static final DateTimeFormatter GO_TIME = new DateTimeFormatterBuilder()
      .appendPattern("yyyy-MM-dd HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd()
      .appendPattern(" xx")
      .toFormatter();

  private Expirations() {}

  static Optional<Instant> parse(String text, Instant now) {
    return read(text.trim()).filter(expiry -> expiry.isAfter(now));
  }

  private static Optional<Instant> read(String text) {
    if (NUMBER.matcher(text).matches()) {
      return epoch(new BigDecimal(text));
    }
    try {
      return Optional.of(OffsetDateTime.parse(text.replaceFirst("^(\\d{4}-\\d{2}-\\d{2}) ", "$1T")).toInstant());
    } catch (DateTimeParseException e) {
      // Not RFC 3339: try Go's layout next.
    }
    // Go appends the zone name and, for times from time.Now(), a monotonic clock reading: keep what precedes them.
    String[] fields = text.split(" ");
    if (fields.length >= 3) {
      try {
        return Optional.of(OffsetDateTime.parse(fields[0] + " " + fields[1] + " " + fields[2], GO_TIME).toInstant());
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static Optional<Instant> epoch(BigDecimal value) {
    BigDecimal seconds = value.compareTo(BigDecimal.valueOf(MAX_EPOCH_SECONDS)) > 0
        ? value.movePointLeft(3) : value;
    if (seconds.compareTo(BigDecimal.valueOf(Instant.MAX.getEpochSecond())) > 0) {
      return Optional.empty();
    }
    return Optional.of(Instant.ofEpochSecond(seconds.longValue()));
  }
}
