package io.spiffe4j.certauth.akeyless;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One operation's JSON body, with kebab-case keys as the API wants them, plus the secret values it carries so that
 * an error text echoing them can be redacted. Not thread-safe; built and sent by one thread.
 */
final class ApiRequest {
  private final String operation;
  private final ObjectNode body = JsonNodeFactory.instance.objectNode();
  private final List<String> secrets = new ArrayList<>();

  ApiRequest(String operation) {
    this.operation = operation;
  }

  String operation() {
    return operation;
  }

  /** Adds a field whose value is not secret (an access ID, a certificate, a challenge). */
  ApiRequest put(String key, String value) {
    body.put(key, value);
    return this;
  }

  /** Adds a field whose value is secret, together with other forms of it an error text might echo. */
  ApiRequest putSecret(String key, String value, String... otherForms) {
    body.put(key, value);
    secrets.add(value);
    Collections.addAll(secrets, otherForms);
    return this;
  }

  List<String> secrets() {
    return Collections.unmodifiableList(secrets);
  }

  byte[] json() {
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Names the operation only: the body holds secrets. */
  @Override
  public String toString() {
    return "ApiRequest[" + operation + "]";
  }
}
