package io.spiffe4j.akeyless.testkit;

import java.util.List;

/**
 * Shell-style globbing as Akeyless's bound constraints use it (and Vault's, via go-glob): {@code *} matches any run of
 * characters, including none and including {@code /} and {@code .}; every other character, {@code ?} and {@code [}
 * too, matches only itself; matching is case-sensitive. Thread-safe.
 */
final class Glob {
  private static final char STAR = '*';

  private Glob() {}

  static boolean matchesAny(List<String> patterns, String value) {
    for (String pattern : patterns) {
      if (matches(pattern, value)) {
        return true;
      }
    }
    return false;
  }

  /** Linear backtracking over the last star: O(pattern x value) at worst, never exponential. */
  static boolean matches(String pattern, String value) {
    int p = 0;
    int v = 0;
    int lastStar = -1;
    int resumeAt = 0;
    while (v < value.length()) {
      if (p < pattern.length() && pattern.charAt(p) == STAR) {
        lastStar = p++;
        resumeAt = v;
      } else if (p < pattern.length() && pattern.charAt(p) == value.charAt(v)) {
        p++;
        v++;
      } else if (lastStar >= 0) {
        p = lastStar + 1;
        v = ++resumeAt;
      } else {
        return false;
      }
    }
    while (p < pattern.length() && pattern.charAt(p) == STAR) {
      p++;
    }
    return p == pattern.length();
  }
}
