package io.spiffe4j.internal;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Strict PEM (RFC 7468) reading and writing. Text outside blocks is ignored, as Go's {@code pem.Decode} and OpenSSL
 * do; inside a block only base64 and whitespace are allowed, and a block must be closed by a matching END line.
 * Errors are {@link IllegalArgumentException}s whose message names the problem but never echoes block contents;
 * public callers wrap them into their own typed exception.
 */
public final class Pem {
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";

  private Pem() {}

  /** One decoded block: its label (for example {@code CERTIFICATE}) and DER bytes. */
  public static final class Block {
    private final String type;
    private final byte[] der;

    Block(String type, byte[] der) {
      this.type = type;
      this.der = der;
    }

    public String type() {
      return type;
    }

    public byte[] der() {
      return der.clone();
    }
  }

  /** Whether the bytes look like PEM text (contain a BEGIN line) rather than DER. */
  public static boolean looksLikePem(byte[] data) {
    return new String(data, StandardCharsets.ISO_8859_1).contains(BEGIN);
  }

  /** All blocks in the text, in order. */
  public static List<Block> decode(String text) {
    List<Block> blocks = new ArrayList<>();
    int pos = 0;
    while (true) {
      int begin = text.indexOf(BEGIN, pos);
      if (begin < 0) {
        return blocks;
      }
      int labelEnd = text.indexOf(DASHES, begin + BEGIN.length());
      int lineEnd = lineEnd(text, begin);
      if (labelEnd < 0 || labelEnd > lineEnd) {
        throw new IllegalArgumentException("malformed PEM BEGIN line");
      }
      String type = text.substring(begin + BEGIN.length(), labelEnd);
      String endLine = END + type + DASHES;
      int end = text.indexOf(endLine, lineEnd);
      if (end < 0) {
        throw new IllegalArgumentException("PEM block \"" + safeLabel(type) + "\" has no END line");
      }
      String body = text.substring(lineEnd, end);
      if (body.indexOf(':') >= 0) {
        throw new IllegalArgumentException(
            "PEM block \"" + safeLabel(type) + "\" has headers; encrypted legacy PEM is not supported");
      }
      blocks.add(new Block(type, decodeBase64(body, type)));
      pos = end + endLine.length();
    }
  }

  private static int lineEnd(String text, int from) {
    int nl = text.indexOf('\n', from);
    return nl < 0 ? text.length() : nl + 1;
  }

  private static byte[] decodeBase64(String body, String type) {
    StringBuilder compact = new StringBuilder(body.length());
    for (int i = 0; i < body.length(); i++) {
      char c = body.charAt(i);
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        continue;
      }
      compact.append(c);
    }
    byte[] der;
    try {
      der = Base64.getDecoder().decode(compact.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM block \"" + safeLabel(type) + "\" is not valid base64");
    }
    if (der.length == 0) {
      throw new IllegalArgumentException("PEM block \"" + safeLabel(type) + "\" is empty");
    }
    return der;
  }

  /** Labels come from input; keep them short and printable so messages stay readable. */
  private static String safeLabel(String type) {
    String printable = type.replaceAll("[^A-Za-z0-9 ]", "?");
    return printable.length() > 40 ? printable.substring(0, 40) + "..." : printable;
  }

  /** One PEM block with 64-character lines and a trailing newline. */
  public static String encode(String type, byte[] der) {
    String base64 = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return BEGIN + type + DASHES + "\n" + base64 + "\n" + END + type + DASHES + "\n";
  }
}
