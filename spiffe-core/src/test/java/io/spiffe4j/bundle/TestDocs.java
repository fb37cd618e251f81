package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.TestAuthorities.TD;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/** Builds JWK Set documents for tests from entries the production marshaller writes, then edits them. */
final class TestDocs {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private TestDocs() {}

  static ObjectNode tree(byte[] json) {
    try {
      return (ObjectNode) MAPPER.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(JsonNode node) {
    try {
      return MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A SPIFFE bundle {@code jwt-svid} entry (with {@code use}). */
  static ObjectNode jwtEntry(String kid, PublicKey key) {
    return firstKey(SpiffeBundle.of(TD, List.of(), Map.of(kid, key)).marshal());
  }

  /** A SPIFFE bundle {@code x509-svid} entry. */
  static ObjectNode x509Entry(X509Certificate authority) {
    return firstKey(SpiffeBundle.of(TD, List.of(authority), Map.of()).marshal());
  }

  private static ObjectNode firstKey(byte[] json) {
    return (ObjectNode) tree(json).get("keys").get(0);
  }

  /** {@code {"keys":[entries...]}}. */
  static ObjectNode doc(JsonNode... entries) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode keys = root.putArray("keys");
    for (JsonNode entry : entries) {
      keys.add(entry);
    }
    return root;
  }

  static byte[] docBytes(JsonNode... entries) {
    return bytes(doc(entries));
  }
}
