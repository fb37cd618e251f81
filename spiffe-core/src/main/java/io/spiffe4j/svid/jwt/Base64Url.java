package io.spiffe4j.svid.jwt;

import java.util.Arrays;

/**
 * Strict unpadded base64url (RFC 7515 §2, RFC 4648 §5) for the three parts of a compact JWS. Only the 64 URL-safe
 * characters are accepted: no {@code =} padding, no {@code +} or {@code /}, no whitespace. The unused low bits of
 * the last character must be zero, so every byte string has exactly one accepted encoding and a token cannot be
 * altered without changing its meaning. Decodes straight from the token, without substrings.
 */
final class Base64Url {
  private static final byte[] VALUES = new byte[128];

  static {
    Arrays.fill(VALUES, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      VALUES[alphabet.charAt(i)] = (byte) i;
    }
  }

  private Base64Url() {}

  /** The bytes encoded by {@code text[from, to)}, or null if that range is not canonical unpadded base64url. */
  static byte[] decode(String text, int from, int to) {
    int length = to - from;
    int tail = length & 3;
    if (tail == 1) {
      return null;
    }
    byte[] out = new byte[length / 4 * 3 + (tail == 0 ? 0 : tail - 1)];
    int o = 0;
    int i = from;
    for (int groupsEnd = to - tail; i < groupsEnd; i += 4) {
      // An invalid character is -1, which makes the whole group negative.
      int bits = value(text, i) << 18 | value(text, i + 1) << 12 | value(text, i + 2) << 6 | value(text, i + 3);
      if (bits < 0) {
        return null;
      }
      out[o++] = (byte) (bits >> 16);
      out[o++] = (byte) (bits >> 8);
      out[o++] = (byte) bits;
    }
    if (tail == 2) {
      int bits = value(text, i) << 6 | value(text, i + 1);
      if (bits < 0 || (bits & 0x0F) != 0) {
        return null;
      }
      out[o] = (byte) (bits >> 4);
    } else if (tail == 3) {
      int bits = value(text, i) << 12 | value(text, i + 1) << 6 | value(text, i + 2);
      if (bits < 0 || (bits & 0x03) != 0) {
        return null;
      }
      out[o++] = (byte) (bits >> 10);
      out[o] = (byte) (bits >> 2);
    }
    return out;
  }

  private static int value(String text, int index) {
    char c = text.charAt(index);
    return c < 128 ? VALUES[c] : -1;
  }
}
