package io.spiffe4j.akeyless.testkit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request's JSON object, read with a real JSON parser (so {@code \u003d} and friends decode), with typed, lenient
 * accessors in the spirit of Go's JSON handling: unknown keys are ignored, JSON null means absent, scalars read as
 * strings. Every failure becomes an {@link HttpError} with the operation's status for a malformed request.
 * Thread-safe (immutable).
 */
final class RequestBody {
  static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxNumberLength(100).build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private static final Pattern TTL = Pattern.compile("([0-9]{1,12})([smhd]?)");

  private final JsonNode node;
  private final int badStatus;

  private RequestBody(JsonNode node, int badStatus) {
    this.node = node;
    this.badStatus = badStatus;
  }

  /** Parses a body that must be one JSON object; {@code badStatus} is the status of every complaint. */
  static RequestBody parse(byte[] body, int badStatus) {
    JsonNode node;
    try {
      node = JSON.readTree(body);
    } catch (IOException | RuntimeException e) {
      throw new HttpError(badStatus, "request body is not valid JSON");
    }
    if (node == null || !node.isObject()) {
      throw new HttpError(badStatus, "request body must be a JSON object");
    }
    return new RequestBody(node, badStatus);
  }

  int badStatus() {
    return badStatus;
  }

  HttpError bad(String reason) {
    return new HttpError(badStatus, reason);
  }

  /** The value as text (numbers and booleans spelled as JSON spells them); null when absent or JSON null. */
  String text(String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      throw bad(key + " must be a string");
    }
    return value.asText();
  }

  /** As {@link #text}, but absent, null and empty are refused. */
  String required(String key) {
    String value = text(key);
    if (value == null || value.isEmpty()) {
      throw bad(key + " is required");
    }
    return value;
  }

  /** A JSON array of scalars, or one comma-separated string; empty when absent. */
  List<String> list(String key) {
    JsonNode value = node.get(key);
    List<String> values = new ArrayList<>();
    if (value == null || value.isNull()) {
      return values;
    }
    if (value.isArray()) {
      for (JsonNode element : value) {
        if (!element.isValueNode() || element.isNull()) {
          throw bad(key + " must be a list of strings");
        }
        values.add(element.asText());
      }
      return values;
    }
    for (String part : text(key).split(",")) {
      if (!part.trim().isEmpty()) {
        values.add(part.trim());
      }
    }
    return values;
  }

  /** A JSON boolean or the strings {@code true}/{@code false}; {@code otherwise} when absent. */
  boolean flag(String key, boolean otherwise) {
    String value = text(key);
    if (value == null || value.isEmpty()) {
      return otherwise;
    }
    switch (value.toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw bad(key + " must be true or false");
    }
  }

  /** A JSON integer or a string of digits (with an optional sign); null when absent. */
  Long integer(String key) {
    String value = text(key);
    if (value == null || value.isEmpty()) {
      return null;
    }
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw bad(key + " must be an integer");
    }
  }

  /**
   * A TTL in seconds, as a JSON number or string, optionally with an {@code s}, {@code m}, {@code h} or {@code d}
   * suffix as the Akeyless CLI accepts; null when absent. Zero, negative and fractional values are refused.
   */
  Duration ttl(String key) {
    String value = text(key);
    if (value == null || value.isEmpty()) {
      return null;
    }
    Matcher matcher = TTL.matcher(value.trim());
    if (!matcher.matches()) {
      throw bad(key + " must be a positive number of seconds, optionally with an s, m, h or d suffix");
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration unit;
    switch (matcher.group(2)) {
      case "m":
        unit = Duration.ofMinutes(1);
        break;
      case "h":
        unit = Duration.ofHours(1);
        break;
      case "d":
        unit = Duration.ofDays(1);
        break;
      default:
        unit = Duration.ofSeconds(1);
    }
    if (amount == 0) {
      throw bad(key + " must be positive");
    }
    return unit.multipliedBy(amount);
  }
}
