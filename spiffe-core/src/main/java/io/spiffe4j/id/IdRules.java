package io.spiffe4j.id;

/**
 * The character and structure rules of the SPIFFE-ID standard, shared by {@link SpiffeId} and {@link TrustDomain}.
 * Works on chars, never on a decoded URI: percent-encoding, userinfo and ports are rejected, not interpreted.
 */
final class IdRules {
  static final String SCHEME_PREFIX = "spiffe://";
  static final int MAX_TRUST_DOMAIN_BYTES = 255;
  static final int MAX_ID_BYTES = 2048;

  private IdRules() {}

  static boolean isTrustDomainChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
  }

  static boolean isPathChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c == '.' || c == '-' || c == '_';
  }

  /** Checks a trust domain name (the part between {@code spiffe://} and the path). */
  static void checkTrustDomainName(String s, int from, int to) {
    if (from == to) {
      throw new InvalidSpiffeIdException("trust domain is missing", "SID-02");
    }
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!isTrustDomainChar(c)) {
        throw badTrustDomainChar(c);
      }
    }
    // Only ASCII reaches here, so chars are bytes.
    if (to - from > MAX_TRUST_DOMAIN_BYTES) {
      throw new InvalidSpiffeIdException(
          "trust domain is longer than " + MAX_TRUST_DOMAIN_BYTES + " bytes", "SID-17");
    }
  }

  private static InvalidSpiffeIdException badTrustDomainChar(char c) {
    switch (c) {
      case ':':
        return new InvalidSpiffeIdException("trust domain cannot contain a port", "SID-06");
      case '@':
        return new InvalidSpiffeIdException("trust domain cannot contain userinfo", "SID-06");
      case '%':
        return new InvalidSpiffeIdException("trust domain cannot contain percent-encoded characters", "SID-09");
      case '?':
        return new InvalidSpiffeIdException("SPIFFE ID cannot contain a query", "SID-03");
      case '#':
        return new InvalidSpiffeIdException("SPIFFE ID cannot contain a fragment", "SID-04");
      default:
        if (c >= 'A' && c <= 'Z') {
          return new InvalidSpiffeIdException("trust domain must be lowercase", "SID-07");
        }
        return new InvalidSpiffeIdException(
            "trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
            "SID-08");
    }
  }

  /** Checks a path: empty, or {@code /segment(/segment)*} where segments follow SID-11..SID-14. */
  static void checkPath(String s, int from, int to) {
    if (from == to) {
      return;
    }
    if (s.charAt(from) != '/') {
      throw new InvalidSpiffeIdException("path must have a leading slash", "SID-20");
    }
    int segmentStart = from + 1;
    for (int i = from + 1; i < to; i++) {
      char c = s.charAt(i);
      if (c == '/') {
        checkSegmentShape(s, segmentStart, i, true);
        segmentStart = i + 1;
      } else if (!isPathChar(c)) {
        throw badPathChar(c);
      }
    }
    checkSegmentShape(s, segmentStart, to, false);
  }

  /** Checks one path segment given on its own (it may not contain {@code /}). */
  static void checkSegment(String segment) {
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '/') {
        throw new InvalidSpiffeIdException("path segment cannot contain a slash", "SID-20");
      }
      if (!isPathChar(c)) {
        throw badPathChar(c);
      }
    }
    checkSegmentShape(segment, 0, segment.length(), true);
  }

  private static void checkSegmentShape(String s, int from, int to, boolean followedBySlashOrAlone) {
    int length = to - from;
    if (length == 0) {
      throw followedBySlashOrAlone
          ? new InvalidSpiffeIdException("path cannot contain empty segments", "SID-12")
          : new InvalidSpiffeIdException("path cannot have a trailing slash", "SID-13");
    }
    if (s.charAt(from) == '.' && (length == 1 || (length == 2 && s.charAt(from + 1) == '.'))) {
      throw new InvalidSpiffeIdException("path cannot contain dot segments", "SID-12");
    }
  }

  private static InvalidSpiffeIdException badPathChar(char c) {
    switch (c) {
      case '%':
        return new InvalidSpiffeIdException("path cannot contain percent-encoded characters", "SID-11");
      case '?':
        return new InvalidSpiffeIdException("SPIFFE ID cannot contain a query", "SID-03");
      case '#':
        return new InvalidSpiffeIdException("SPIFFE ID cannot contain a fragment", "SID-04");
      default:
        return new InvalidSpiffeIdException(
            "path segment characters are limited to letters, numbers, dots, dashes, and underscores", "SID-14");
    }
  }

  static void checkIdLength(int length) {
    if (length > MAX_ID_BYTES) {
      throw new InvalidSpiffeIdException("SPIFFE ID is longer than " + MAX_ID_BYTES + " bytes", "SID-16");
    }
  }
}
