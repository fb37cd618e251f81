package io.spiffe4j.cli;

import io.spiffe4j.SpiffeException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The outcome for one input: the fields printed on success, or the reason and rule of the failure. */
final class Verdict {
  private final String input;
  private final Map<String, Object> fields;
  private final String reason;
  private final String rule;

  private Verdict(String input, Map<String, Object> fields, String reason, String rule) {
    this.input = input;
    this.fields = fields;
    this.reason = reason;
    this.rule = rule;
  }

  /** A valid input; {@code fields} in the order they are printed. */
  static Verdict valid(String input, Map<String, Object> fields) {
    return new Verdict(input, new LinkedHashMap<>(fields), null, null);
  }

  static Verdict invalid(String input, SpiffeException e) {
    return new Verdict(input, Map.of(), e.reason(), e.rule().orElse(null));
  }

  static Verdict invalid(String input, String reason) {
    return new Verdict(input, Map.of(), reason, null);
  }

  boolean isValid() {
    return reason == null;
  }

  /** The JSON object: input, valid, the success fields, or reason and rule (rule only when one applies). */
  Map<String, Object> toJson() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("input", input);
    json.put("valid", isValid());
    if (isValid()) {
      json.putAll(fields);
    } else {
      json.put("reason", reason);
      if (rule != null) {
        json.put("rule", rule);
      }
    }
    return json;
  }

  /** One short human line. */
  String toHumanLine() {
    if (!isValid()) {
      return "invalid  " + input + ": " + reason + (rule != null ? " [" + rule + "]" : "");
    }
    Object id = fields.get("spiffe_id");
    return "valid    " + input + (id != null && !id.equals(input) ? " -> " + id : "");
  }
}
