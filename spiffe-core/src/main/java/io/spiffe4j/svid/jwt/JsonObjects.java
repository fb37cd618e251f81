package io.spiffe4j.svid.jwt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JOSE header and the claims set of a token: one JSON object in UTF-8 (RFC 7515 §4, RFC 7519 §7.2), in a
 * single streaming pass that builds the unmodifiable values handed to callers.
 *
 * <p>Values map to {@code String}, {@code Boolean}, {@code Long} (integers that fit), {@code BigInteger} (larger
 * integers), {@code Double} (numbers with a fraction or exponent), {@code null}, and unmodifiable {@code List} and
 * {@code Map} (member order kept). Duplicate member names are rejected, which RFC 7515 §5.2 permits: a parser that
 * kept either copy could let two validators read different {@code alg}s or subjects from one token. Failures carry
 * no parser message, because Jackson's messages quote input.
 */
final class JsonObjects {
  // Defaults are strict: no comments, no NaN, no single quotes, no trailing commas, no unescaped control characters.
  private static final JsonFactory FACTORY = new JsonFactory();

  private JsonObjects() {}

  /**
   * The JSON object in {@code json}.
   *
   * @param part "header" or "payload", for messages
   * @throws JwtSvidException if the bytes are not exactly one UTF-8 JSON object without duplicate member names
   */
  static Map<String, Object> parseObject(byte[] json, String part) {
    if (!plausiblyUtf8(json)) {
      throw malformed(part);
    }
    try (JsonParser parser = FACTORY.createParser(json)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new JwtSvidException("token " + part + " is not a JSON object", "JWT-01");
      }
      Map<String, Object> object = readObject(parser, part);
      if (parser.nextToken() != null) {
        throw malformed(part);
      }
      return object;
    } catch (JwtSvidException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      // Jackson's own errors (including its nesting and number-length limits) on untrusted input.
      throw malformed(part);
    }
  }

  /**
   * Jackson guesses UTF-16/32 from NUL bytes and skips a byte-order mark; JWS requires UTF-8 without either. A NUL
   * byte is never valid in UTF-8 JSON text (it must be escaped), so refusing it rejects nothing legitimate.
   */
  private static boolean plausiblyUtf8(byte[] json) {
    if (json.length > 0 && json[0] == (byte) 0xEF) {
      return false;
    }
    for (byte b : json) {
      if (b == 0) {
        return false;
      }
    }
    return true;
  }

  private static Map<String, Object> readObject(JsonParser parser, String part) throws IOException {
    Map<String, Object> object = new LinkedHashMap<>();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      if (object.containsKey(name)) {
        throw new JwtSvidException(
            "token " + part + " has a duplicate member " + Text.quote(name), "JWT-01");
      }
      object.put(name, readValue(parser, parser.nextToken(), part));
    }
    return Collections.unmodifiableMap(object);
  }

  private static Object readValue(JsonParser parser, JsonToken token, String part) throws IOException {
    switch (token) {
      case START_OBJECT:
        return readObject(parser, part);
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          array.add(readValue(parser, t, part));
        }
        return Collections.unmodifiableList(array);
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER
            ? parser.getBigIntegerValue()
            : (Object) parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw malformed(part);
    }
  }

  private static JwtSvidException malformed(String part) {
    return new JwtSvidException("token " + part + " is not valid UTF-8 JSON", "JWT-01");
  }
}
