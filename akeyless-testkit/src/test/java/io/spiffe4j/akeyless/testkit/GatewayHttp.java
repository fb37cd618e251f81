package io.spiffe4j.akeyless.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A plain JDK HTTP client for the gateway, independent of cert-auth: what the tests drive the gateway with. */
final class GatewayHttp {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One answer: status, content type, raw body and, when it parses, the JSON. */
  static final class Reply {
    final int status;
    final String contentType;
    final String body;
    final JsonNode json;

    Reply(int status, String contentType, String body, JsonNode json) {
      this.status = status;
      this.contentType = contentType;
      this.body = body;
      this.json = json;
    }

    String text(String field) {
      JsonNode value = json == null ? null : json.get(field);
      return value == null ? null : value.asText();
    }

    String error() {
      return text("error");
    }

    /** Asserts an error answer with this status, whose message contains {@code fragment}; returns this. */
    Reply assertError(int expectedStatus, String fragment) {
      assertEquals(expectedStatus, status, () -> "status of " + body);
      assertTrue(contentType.startsWith("application/json"), contentType);
      assertEquals(1, json.size(), () -> "only the error field: " + body);
      assertTrue(error() != null && error().contains(fragment), () -> "error should mention '" + fragment + "': " + body);
      return this;
    }

    Reply assertOk() {
      assertEquals(200, status, () -> "status of " + body);
      assertTrue(contentType.startsWith("application/json"), contentType);
      return this;
    }
  }

  private final HttpClient client;
  private final URI base;

  GatewayHttp(AkeylessGateway gateway) {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (gateway.isHttps()) {
      builder.sslContext(gateway.clientSslContext());
    }
    this.client = builder.build();
    this.base = gateway.url();
  }

  /** Body from alternating keys and values. */
  static Map<String, Object> body(Object... keysAndValues) {
    Map<String, Object> body = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      body.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return body;
  }

  Reply post(String op, Map<String, Object> body) {
    try {
      return send(URI.create(base + "/" + op), "POST", JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  Reply send(URI uri, String method, String body) {
    HttpRequest request = HttpRequest.newBuilder(uri)
        .timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
        .build();
    try {
      HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json;
      try {
        json = JSON.readTree(response.body());
      } catch (IOException notJson) {
        json = null;
      }
      return new Reply(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""),
          response.body(), json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** {@code cert-data} as the Akeyless CLI sends it: base64 of the PEM file. */
  static String certData(X509Certificate... chain) {
    return Fixtures.b64(Fixtures.pem(chain));
  }

  Reply challenge(String accessId, X509Certificate... chain) {
    return post("get-cert-challenge", body("access-id", accessId, "cert-data", certData(chain), "json", false));
  }

  /** The whole challenge flow with a correct signature by {@code key}. */
  Reply certAuth(String accessId, PrivateKey key, X509Certificate... chain) {
    Reply challenge = challenge(accessId, chain).assertOk();
    String text = challenge.text("challenge");
    byte[] signature = Fixtures.sign(Fixtures.challengeAlgorithm(key), key, Base64.getDecoder().decode(text));
    return answerChallenge(accessId, text, Fixtures.b64(signature), chain);
  }

  Reply answerChallenge(String accessId, String challenge, String signedChallenge, X509Certificate... chain) {
    return post("auth", body("access-type", "cert", "access-id", accessId, "cert-data", certData(chain),
        "cert-challenge", challenge, "signed-cert-challenge", signedChallenge));
  }
}
