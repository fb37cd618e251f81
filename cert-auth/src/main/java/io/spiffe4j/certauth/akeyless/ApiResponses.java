package io.spiffe4j.certauth.akeyless;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Turns an HTTP answer into the JSON object of a successful call or a typed {@link AkeylessException}. Bodies are
 * read as trees, so fields Akeyless adds later are ignored, and no parser exception ever escapes. Error texts are
 * cleaned before they reach a message: secrets the request carried are redacted, control characters replaced, and
 * the length bounded. Stateless and thread-safe.
 */
final class ApiResponses {
  static final String REDACTED = "[redacted]";

  private static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private ApiResponses() {}

  /**
   * The answer's JSON object if {@code status} is 2xx, otherwise the matching typed error.
   *
   * @param contentType the Content-Type header, or null when absent (treated as JSON, as Akeyless's SDK does)
   * @param secrets values the request carried that must not show in an error text
   */
  static ObjectNode interpret(String operation, int status, String contentType, byte[] body,
      List<String> secrets) {
    if (status >= 200 && status < 300) {
      if (contentType != null && !isJson(contentType)) {
        throw protocol(operation, status, "the answer is " + describeMediaType(contentType) + ", not JSON");
      }
      return object(body)
          .orElseThrow(() -> protocol(operation, status, "the answer is not a JSON object"));
    }
    String serverError = object(body)
        .map(json -> json.get("error"))
        .filter(JsonNode::isTextual)
        .map(error -> clean(error.asText(), secrets))
        .filter(error -> !error.isEmpty())
        .orElse(null);
    Kind kind = kindOf(status);
    throw new AkeylessException(kind, operation, status, serverError, problem(kind), null);
  }

  /** The body as a JSON object, or empty if it is anything else (never a parser exception). */
  static Optional<ObjectNode> object(byte[] body) {
    if (body.length == 0) {
      return Optional.empty();
    }
    try {
      JsonNode tree = MAPPER.readTree(body);
      return tree instanceof ObjectNode ? Optional.of((ObjectNode) tree) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      // Jackson's message quotes the input, which may be anything the server sent: keep only that it failed.
      return Optional.empty();
    }
  }

  static Kind kindOf(int status) {
    if (status == 401) {
      return Kind.UNAUTHENTICATED;
    }
    if (status == 403) {
      return Kind.PERMISSION_DENIED;
    }
    if (status == 404) {
      return Kind.NOT_FOUND;
    }
    if (status >= 400 && status < 500) {
      return Kind.REJECTED;
    }
    if (status >= 500 && status < 600) {
      return Kind.UNAVAILABLE;
    }
    return Kind.PROTOCOL;
  }

  private static String problem(Kind kind) {
    switch (kind) {
      case UNAUTHENTICATED:
        return "Akeyless refused the credentials or token";
      case PERMISSION_DENIED:
        return "Akeyless denied permission";
      case NOT_FOUND:
        return "Akeyless found no such item";
      case REJECTED:
        return "Akeyless rejected the request";
      case UNAVAILABLE:
        return "the gateway failed";
      default:
        return "the gateway answered with an unexpected status";
    }
  }

  /** A text field that must be present and non-blank; its absence is a protocol error. */
  static String requiredText(String operation, ObjectNode json, String field) {
    return optionalText(json, field).orElseThrow(
        () -> protocol(operation, 0, "the answer has no \"" + field + "\" text"));
  }

  /** A text (or number, for lenient reading) field, if present and non-blank. */
  static Optional<String> optionalText(ObjectNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || !(node.isTextual() || node.isNumber())) {
      return Optional.empty();
    }
    String text = node.asText().trim();
    return text.isEmpty() ? Optional.empty() : Optional.of(text);
  }

  static AkeylessException protocol(String operation, int status, String problem) {
    return new AkeylessException(Kind.PROTOCOL, operation, status, null, problem, null);
  }

  private static boolean isJson(String contentType) {
    String mediaType = mediaType(contentType);
    return mediaType.equals("application/json") || mediaType.endsWith("+json");
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
  }

  private static String describeMediaType(String contentType) {
    return bound(printable(mediaType(contentType)), 60);
  }

  /** Redacts, makes printable, trims and bounds a text from the server. */
  static String clean(String text, List<String> secrets) {
    String redacted = text;
    for (String secret : secrets) {
      if (secret != null && !secret.isEmpty()) {
        redacted = redacted.replace(secret, REDACTED);
      }
    }
    return bound(printable(redacted).trim(), AkeylessException.MAX_SERVER_ERROR_LENGTH);
  }

  private static String printable(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? ' ' : c));
    return out.toString();
  }

  private static String bound(String text, int max) {
    if (text.length() <= max) {
      return text;
    }
    int end = Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
    return text.substring(0, end) + "...";
  }
}
