package io.spiffe4j.svid.jwt;

/** Quoting of token-supplied values (header names, kid, alg, audiences) for exception messages. */
final class Text {
  private static final int MAX_CHARS = 64;

  private Text() {}

  /**
   * The value in double quotes, with anything but printable ASCII shown as {@code ?} and at most 64 characters, so
   * attacker-chosen input cannot forge log lines or flood them.
   */
  static String quote(String value) {
    int length = Math.min(value.length(), MAX_CHARS);
    StringBuilder quoted = new StringBuilder(length + 5).append('"');
    for (int i = 0; i < length; i++) {
      char c = value.charAt(i);
      quoted.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? c : '?');
    }
    if (value.length() > MAX_CHARS) {
      quoted.append("...");
    }
    return quoted.append('"').toString();
  }
}
