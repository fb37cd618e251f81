package io.spiffe4j.upstream.akeyless.spire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for what SPIRE sends as {@code hcl_configuration}: the HCL v1 printer's rendering of a
 * {@code plugin_data} block, or the raw text of a {@code plugin_data_file}, which HCL v1 reads as JSON when it starts
 * with <code>{</code>.
 *
 * <p>The HCL v1 subset: {@code #}, {@code //} and {@code /* *\/} comments; bare or double-quoted keys; {@code key =
 * value}; blocks {@code key { ... }} and {@code key "label" { ... }}; values that are double-quoted strings (with Go's
 * escapes {@code \n \t \r \a \b \f \v \\ \" \xHH \NNN \\uHHHH \UHHHHHHHH}, and {@code ${...}} kept verbatim as HCL
 * v1 does), heredocs ({@code <<EOF} and {@code <<-EOF}), integers (decimal, {@code 0x} hex, leading-zero octal),
 * decimals with exponents, {@code true}/{@code false}, lists and objects. Items may be separated by commas.
 *
 * <p>Stricter than HCL v1 where that only hides mistakes: a key given twice is an error rather than a list or a
 * silent overwrite. Values become {@link String}, {@link Long} (integers), {@link BigDecimal}, {@link Boolean},
 * {@link List} and {@link Map} (insertion-ordered); all unmodifiable.
 *
 * <p>Error messages give the line and column and what was expected, never the text found there: a value may be a
 * secret. Stateless and thread-safe.
 */
final class Hcl {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private final String text;
  private int pos;
  private int line = 1;
  private int lineStart;

  private Hcl(String text) {
    this.text = text;
  }

  /**
   * Parses HCL v1 text, or JSON when the first non-blank character is <code>{</code>.
   *
   * @throws PluginConfigException with the position of the first error
   */
  static Map<String, Object> parse(String text) {
    java.util.Objects.requireNonNull(text, "text");
    if (text.strip().startsWith("{")) {
      return parseJson(text);
    }
    return new Hcl(text).body(false);
  }

  private static Map<String, Object> parseJson(String text) {
    JsonNode root;
    try {
      root = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      // Jackson's own message quotes the offending text; only its position is safe to show.
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      String what = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field")
          ? "a key is given twice" : "invalid JSON";
      throw new PluginConfigException("plugin_data: " + what + where);
    }
    return unmodifiableObject(root, "plugin_data");
  }

  private static Map<String, Object> unmodifiableObject(JsonNode node, String path) {
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> field : node.properties()) {
      map.put(field.getKey(), jsonValue(field.getValue(), path + "." + field.getKey()));
    }
    return Collections.unmodifiableMap(map);
  }

  private static Object jsonValue(JsonNode node, String path) {
    if (node.isTextual()) {
      return node.textValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isIntegralNumber()) {
      if (!node.canConvertToLong()) {
        throw new PluginConfigException(path + ": the integer is out of range");
      }
      return node.longValue();
    }
    if (node.isNumber()) {
      return node.decimalValue();
    }
    if (node.isArray()) {
      List<Object> list = new ArrayList<>();
      for (JsonNode element : node) {
        list.add(jsonValue(element, path + "[]"));
      }
      return Collections.unmodifiableList(list);
    }
    if (node.isObject()) {
      return unmodifiableObject(node, path);
    }
    throw new PluginConfigException(path + ": null is not a value in HCL");
  }

  // ---------------------------------------------------------------------------------------------- HCL v1

  /** Items up to the end of the text (top level) or up to the closing brace (a block). */
  private Map<String, Object> body(boolean inBlock) {
    Map<String, Object> items = new LinkedHashMap<>();
    while (true) {
      skipBlank();
      if (atEnd()) {
        if (inBlock) {
          throw error("the block is not closed: expected '}'");
        }
        return Collections.unmodifiableMap(items);
      }
      if (inBlock && peek() == '}') {
        pos++;
        return Collections.unmodifiableMap(items);
      }
      int keyLine = line;
      int keyColumn = column();
      String key = key();
      Object value = itemValue();
      if (items.containsKey(key)) {
        throw new PluginConfigException("plugin_data: line " + keyLine + ", column " + keyColumn
            + ": a key is given twice");
      }
      items.put(key, value);
      skipBlank();
      if (!atEnd() && peek() == ',') {
        pos++;
      }
    }
  }

  /** After a key: {@code = value}, a block, or further labels and then a block. */
  private Object itemValue() {
    skipBlank();
    if (atEnd()) {
      throw error("expected '=' or '{' after a key");
    }
    char c = peek();
    if (c == '=') {
      pos++;
      return value();
    }
    if (c == '{') {
      pos++;
      return body(true);
    }
    if (c == '"' || isIdentifierStart(c)) {
      // A labelled block: key "label" { ... } is key { "label" { ... } }.
      String label = key();
      skipBlank();
      if (atEnd() || (peek() != '{' && peek() != '"' && !isIdentifierStart(peek()))) {
        throw error("expected '{' after a block label");
      }
      return Map.of(label, itemValue());
    }
    throw error("expected '=' or '{' after a key");
  }

  private String key() {
    char c = peek();
    if (c == '"') {
      return quoted();
    }
    if (isIdentifierStart(c)) {
      return identifier();
    }
    throw error("expected a key (a name or a quoted string)");
  }

  private Object value() {
    skipBlank();
    if (atEnd()) {
      throw error("expected a value after '='");
    }
    char c = peek();
    if (c == '"') {
      return quoted();
    }
    if (c == '<' && text.startsWith("<<", pos)) {
      return heredoc();
    }
    if (c == '[') {
      pos++;
      return list();
    }
    if (c == '{') {
      pos++;
      return body(true);
    }
    if (c == '-' || c == '+' || c == '.' || isDigit(c)) {
      return number();
    }
    if (isIdentifierStart(c)) {
      int column = column();
      String word = identifier();
      if (word.equals("true")) {
        return Boolean.TRUE;
      }
      if (word.equals("false")) {
        return Boolean.FALSE;
      }
      throw new PluginConfigException("plugin_data: line " + line + ", column " + column
          + ": expected a value (a quoted string, number, true, false, list or block); strings need double quotes");
    }
    if (c == '\'') {
      throw error("HCL has no single-quoted strings: use double quotes");
    }
    throw error("expected a value (a quoted string, number, true, false, list or block)");
  }

  private List<Object> list() {
    List<Object> elements = new ArrayList<>();
    while (true) {
      skipBlank();
      if (atEnd()) {
        throw error("the list is not closed: expected ']'");
      }
      if (peek() == ']') {
        pos++;
        return Collections.unmodifiableList(elements);
      }
      elements.add(value());
      skipBlank();
      if (atEnd()) {
        throw error("the list is not closed: expected ']'");
      }
      if (peek() == ',') {
        pos++;
      } else if (peek() != ']') {
        throw error("expected ',' or ']' in a list");
      }
    }
  }

  private String identifier() {
    int start = pos;
    while (!atEnd() && isIdentifierPart(peek())) {
      pos++;
    }
    return text.substring(start, pos);
  }

  /** A double-quoted string with Go's escapes; {@code ${...}} is copied verbatim (quotes inside it included). */
  private String quoted() {
    int startLine = line;
    int startColumn = column();
    pos++;
    StringBuilder out = new StringBuilder();
    while (true) {
      if (atEnd() || peek() == '\n') {
        throw new PluginConfigException("plugin_data: line " + startLine + ", column " + startColumn
            + ": the string is not closed on its line");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c == '\\') {
        escape(out);
      } else if (c == '$' && !atEnd() && peek() == '{') {
        interpolation(out);
      } else {
        out.append(c);
      }
    }
  }

  /** HCL v1 leaves {@code ${...}} to the application; SPIRE plugins take it literally, and so do we. */
  private void interpolation(StringBuilder out) {
    out.append('$');
    int depth = 0;
    while (!atEnd() && peek() != '\n') {
      char c = text.charAt(pos++);
      out.append(c);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return;
      }
    }
    throw error("the ${...} in a string is not closed on its line");
  }

  private void escape(StringBuilder out) {
    if (atEnd()) {
      throw error("the string is not closed");
    }
    int column = column();
    char c = text.charAt(pos++);
    switch (c) {
      case 'a': out.append('\u0007'); return;
      case 'b': out.append('\b'); return;
      case 'f': out.append('\f'); return;
      case 'n': out.append('\n'); return;
      case 'r': out.append('\r'); return;
      case 't': out.append('\t'); return;
      case 'v': out.append('\u000b'); return;
      case '\\': out.append('\\'); return;
      case '"': out.append('"'); return;
      case 'x': out.append((char) digits(2, 16, column)); return;
      case 'u': codePoint(out, digits(4, 16, column), column); return;
      case 'U': codePoint(out, digits(8, 16, column), column); return;
      default:
        if (c >= '0' && c <= '7') {
          pos--;
          int value = digits(3, 8, column);
          if (value > 255) {
            throw escapeError(column);
          }
          out.append((char) value);
          return;
        }
        throw escapeError(column);
    }
  }

  private void codePoint(StringBuilder out, int codePoint, int column) {
    if (codePoint > Character.MAX_CODE_POINT || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
      throw escapeError(column);
    }
    out.appendCodePoint(codePoint);
  }

  private int digits(int count, int radix, int column) {
    if (pos + count > text.length()) {
      throw escapeError(column);
    }
    long value = 0;
    for (int i = 0; i < count; i++) {
      int digit = Character.digit(text.charAt(pos + i), radix);
      if (digit < 0) {
        throw escapeError(column);
      }
      value = value * radix + digit;
    }
    pos += count;
    return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
  }

  private PluginConfigException escapeError(int column) {
    return new PluginConfigException("plugin_data: line " + line + ", column " + column
        + ": invalid escape in a string");
  }

  /**
   * {@code <<ID} up to a line that is exactly {@code ID}; {@code <<-ID} allows the closing line to be indented and
   * removes the smallest indentation of the lines. The value ends with a newline, as in HCL v1.
   */
  private String heredoc() {
    int startLine = line;
    int startColumn = column();
    pos += 2;
    boolean indented = !atEnd() && peek() == '-';
    if (indented) {
      pos++;
    }
    if (atEnd() || !isIdentifierStart(peek())) {
      throw error("expected an anchor name after '<<'");
    }
    String anchor = identifier();
    if (atEnd() || peek() != '\n') {
      throw error("a heredoc's anchor must end its line");
    }
    newline();
    List<String> lines = new ArrayList<>();
    while (!atEnd()) {
      int end = text.indexOf('\n', pos);
      String current = text.substring(pos, end < 0 ? text.length() : end);
      String content = current.endsWith("\r") ? current.substring(0, current.length() - 1) : current;
      pos = end < 0 ? text.length() : end;
      if ((indented ? content.strip() : content).equals(anchor)) {
        return joinHeredoc(lines, indented);
      }
      lines.add(content);
      if (!atEnd()) {
        newline();
      }
    }
    throw new PluginConfigException("plugin_data: line " + startLine + ", column " + startColumn
        + ": the heredoc is not closed by its anchor");
  }

  private static String joinHeredoc(List<String> lines, boolean indented) {
    int indent = Integer.MAX_VALUE;
    if (indented) {
      for (String l : lines) {
        if (!l.isBlank()) {
          indent = Math.min(indent, l.length() - l.stripLeading().length());
        }
      }
    }
    StringBuilder out = new StringBuilder();
    for (String l : lines) {
      boolean strip = indented && indent != Integer.MAX_VALUE;
      out.append(strip ? (l.length() >= indent ? l.substring(indent) : l.strip()) : l).append('\n');
    }
    return out.toString();
  }

  private Object number() {
    int start = pos;
    int column = column();
    if (peek() == '-' || peek() == '+') {
      pos++;
    }
    while (!atEnd() && (isIdentifierPart(peek()) || peek() == '.'
        || ((peek() == '-' || peek() == '+') && (text.charAt(pos - 1) == 'e' || text.charAt(pos - 1) == 'E')))) {
      pos++;
    }
    String literal = text.substring(start, pos);
    try {
      boolean negative = literal.startsWith("-");
      String digits = negative || literal.startsWith("+") ? literal.substring(1) : literal;
      if (digits.startsWith("0x") || digits.startsWith("0X")) {
        return signed(new BigInteger(digits.substring(2), 16), negative);
      }
      if (digits.matches("0[0-7]+")) {
        return signed(new BigInteger(digits.substring(1), 8), negative);
      }
      if (digits.matches("[0-9]+")) {
        return signed(new BigInteger(digits), negative);
      }
      if (digits.matches("([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
        return new BigDecimal(literal);
      }
    } catch (NumberFormatException | ArithmeticException e) {
      // Reported below without the literal.
    }
    throw new PluginConfigException("plugin_data: line " + line + ", column " + column + ": invalid number");
  }

  private static Long signed(BigInteger magnitude, boolean negative) {
    return (negative ? magnitude.negate() : magnitude).longValueExact();
  }

  /** Whitespace and comments. */
  private void skipBlank() {
    while (!atEnd()) {
      char c = peek();
      if (c == '\n') {
        newline();
      } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
        pos++;
      } else if (c == '#' || text.startsWith("//", pos)) {
        while (!atEnd() && peek() != '\n') {
          pos++;
        }
      } else if (text.startsWith("/*", pos)) {
        int startLine = line;
        int startColumn = column();
        int end = text.indexOf("*/", pos + 2);
        if (end < 0) {
          throw new PluginConfigException("plugin_data: line " + startLine + ", column " + startColumn
              + ": the comment is not closed by */");
        }
        while (pos < end + 2) {
          if (peek() == '\n') {
            newline();
          } else {
            pos++;
          }
        }
      } else {
        return;
      }
    }
  }

  private void newline() {
    pos++;
    line++;
    lineStart = pos;
  }

  private boolean atEnd() {
    return pos >= text.length();
  }

  private char peek() {
    return text.charAt(pos);
  }

  private int column() {
    return pos - lineStart + 1;
  }

  private PluginConfigException error(String expected) {
    return new PluginConfigException("plugin_data: line " + line + ", column " + column() + ": " + expected);
  }

  private static boolean isIdentifierStart(char c) {
    return Character.isLetter(c) || c == '_';
  }

  private static boolean isIdentifierPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '.';
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }
}
