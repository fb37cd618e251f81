package io.spiffe4j.svid.jwt;

import java.time.Instant;

/**
 * RFC 7519 NumericDate: seconds since the epoch, which RFC 7519 §2 allows to be fractional although the JWT-SVID
 * schema types {@code exp} as an integer (JWT-15). Fractional values are accepted, as go-spiffe (go-jose) does,
 * and rounded to whole seconds in the safe direction: {@code exp} down (the token expires no later than it says),
 * {@code nbf} and {@code iat} up (they start no earlier).
 *
 * <p>Magnitudes of 2<sup>62</sup> seconds or more are rejected, matching go-jose's bound; values beyond
 * {@link Instant}'s range (about ±10<sup>16</sup> s) but below it are clamped to {@code Instant.MIN/MAX}, which
 * moves every check in the safe direction too (a far-future {@code nbf} stays in the future).
 */
final class NumericDate {
  private static final long LIMIT = 1L << 62;

  private NumericDate() {}

  /** The instant {@code value} (a claim's JSON value) denotes, or null if it is not a NumericDate in range. */
  static Instant toInstant(Object value, boolean roundUp) {
    if (value instanceof Long) {
      long seconds = (Long) value;
      return seconds < LIMIT && seconds > -LIMIT ? clamp(seconds) : null;
    }
    if (value instanceof Double) {
      double seconds = roundUp ? Math.ceil((Double) value) : Math.floor((Double) value);
      // False for NaN and infinities, which JSON cannot spell but a huge exponent can produce.
      return seconds < LIMIT && seconds > -LIMIT ? clamp((long) seconds) : null;
    }
    return null; // strings, booleans, null, arrays, objects, and integers beyond 64 bits
  }

  private static Instant clamp(long seconds) {
    return seconds > Instant.MAX.getEpochSecond() ? Instant.MAX
        : seconds < Instant.MIN.getEpochSecond() ? Instant.MIN
        : Instant.ofEpochSecond(seconds);
  }
}
