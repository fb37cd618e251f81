package io.spiffe4j.bundle;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes bundles as JWK Sets: the SPIFFE bundle format (SPIFFE Trust Domain and Bundle §4) and the plain
 * JWKS of Workload API JWT bundles (WAPI-11). One pass over {@code keys} serves both; they differ only in what an
 * entry without {@code use} means and whether x509-svid entries count.
 *
 * <p>JSON is read strictly: duplicate members at any depth, trailing content and non-object documents are
 * rejected. Error messages name positions such as {@code keys[2]}, never input text.
 */
final class BundleJson {
  private static final String SEQUENCE = "spiffe_sequence";
  private static final String REFRESH_HINT = "spiffe_refresh_hint";
  private static final String KEYS = "keys";
  private static final String USE = "use";
  private static final String X509_SVID = "x509-svid";
  private static final String JWT_SVID = "jwt-svid";

  private static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  /** How a document is read. */
  enum Profile {
    /** SPIFFE bundle: entries need a known {@code use} (BUN-09); x509-svid and jwt-svid entries both count. */
    SPIFFE,
    /** Plain JWKS of JWT keys: entries without {@code use} are JWT keys (WAPI-11); only JWT keys count. */
    JWKS
  }

  /** The authorities and metadata read from a document. */
  static final class Contents {
    final List<X509Certificate> x509Authorities = new ArrayList<>();
    final Map<String, PublicKey> jwtAuthorities = new LinkedHashMap<>();
    BigInteger sequence;
    Duration refreshHint;
  }

  private BundleJson() {}

  /** Whether the value fits {@code spiffe_sequence}: an unsigned 64-bit integer, as go-spiffe and SPIRE use. */
  static boolean isUint64(BigInteger value) {
    return value.signum() >= 0 && value.bitLength() <= 64;
  }

  /**
   * The document's top-level object.
   *
   * @throws BundleException if it is not one strict JSON object
   */
  static ObjectNode readObject(byte[] json) {
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (IOException | RuntimeException e) {
      // Jackson's messages quote input tokens; report only what and where.
      throw new BundleException(describe(e), null);
    }
    if (root == null || !root.isObject()) {
      throw new BundleException("bundle JSON is not a JSON object", "BUN-01");
    }
    return (ObjectNode) root;
  }

  private static String describe(Exception e) {
    if (e instanceof StreamReadException) {
      StreamReadException read = (StreamReadException) e;
      String problem = read.getOriginalMessage() != null && read.getOriginalMessage().startsWith("Duplicate field")
          ? "has a duplicate member" : "is not valid JSON";
      return read.getLocation() == null
          ? "bundle JSON " + problem
          : "bundle JSON " + problem + " at line " + read.getLocation().getLineNr()
              + ", column " + read.getLocation().getColumnNr();
    }
    return "bundle JSON is not valid JSON";
  }

  /** Whether a JWK Set is a SPIFFE bundle rather than a plain JWKS: it has SPIFFE members or keys with a use. */
  static boolean isSpiffeBundle(ObjectNode root) {
    if (root.has(SEQUENCE) || root.has(REFRESH_HINT)) {
      return true;
    }
    JsonNode keys = root.get(KEYS);
    if (keys != null && keys.isArray()) {
      for (JsonNode key : keys) {
        if (key.has(USE)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Reads the authorities (and for SPIFFE bundles the sequence and refresh hint).
   *
   * @throws BundleException if a rule of the format is broken
   */
  static Contents read(ObjectNode root, Profile profile) {
    Contents contents = new Contents();
    JsonNode keys = root.get(KEYS);
    if (keys == null) {
      throw new BundleException("bundle has no \"keys\" member", "BUN-05");
    }
    if (!keys.isArray()) {
      throw new BundleException("bundle \"keys\" is not an array", "BUN-05");
    }
    for (int i = 0; i < keys.size(); i++) {
      readEntry(keys.get(i), "keys[" + i + "]", profile, contents);
    }
    if (profile == Profile.SPIFFE) {
      contents.sequence = readSequence(root.get(SEQUENCE));
      contents.refreshHint = readRefreshHint(root.get(REFRESH_HINT));
    }
    return contents;
  }

  private static void readEntry(JsonNode entry, String where, Profile profile, Contents contents) {
    if (!entry.isObject()) {
      throw new BundleException(where + " is not a JSON object", "BUN-05");
    }
    ObjectNode jwk = (ObjectNode) entry;
    if (Jwk.hasSecretMembers(jwk)) {
      throw new BundleException(where + " carries private or secret key material; a bundle holds public keys only",
          null);
    }
    JsonNode kty = jwk.get("kty");
    if (kty == null || !kty.isTextual()) {
      throw new BundleException(where + " has no string \"kty\"", "BUN-08");
    }
    JsonNode use = jwk.get(USE);
    if (use != null && !use.isTextual()) {
      throw new BundleException(where + " has a \"use\" that is not a string", "BUN-09");
    }
    String effectiveUse = use != null ? use.textValue() : profile == Profile.JWKS ? JWT_SVID : null;
    if (X509_SVID.equals(effectiveUse) && profile == Profile.SPIFFE) {
      readX509Entry(jwk, kty.textValue(), where, contents);
    } else if (JWT_SVID.equals(effectiveUse)) {
      readJwtEntry(jwk, kty.textValue(), where, contents);
    }
    // Any other use, or none in a SPIFFE bundle, leaves the entry ignored (BUN-05, BUN-09).
  }

  private static void readX509Entry(ObjectNode jwk, String kty, String where, Contents contents) {
    if (!kty.equals("EC") && !kty.equals("RSA") && !kty.equals("OKP")) {
      return; // BUN-08: an unknown key type drops the element
    }
    X509Certificate authority = x5cCertificate(jwk, where, true);
    if (authority == null) {
      return; // X509-19
    }
    if (!contents.x509Authorities.contains(authority)) {
      contents.x509Authorities.add(authority);
    }
  }

  /**
   * The certificate of an entry's {@code x5c}, checked to hold the very key the entry's own members describe (RFC
   * 7517 §4.7: "the key in the first certificate MUST match the public key represented by other members of the
   * JWK"); null when {@code x5c} is absent or empty. Only the first value is read: for x509-svid entries X509-19
   * says further values MUST be ignored, and for jwt-svid entries they would certify the first, which no JWT-SVID
   * check uses. An entry whose key and certificate disagree names two keys, and taking either one would let the
   * document mean different things to different readers, so it fails the whole document, as in go-spiffe.
   *
   * @param x509Svid whether the entry is an x509-svid one, whose x5c failures fall under X509-18/19; a jwt-svid
   *     entry's fall under RFC 7517 alone
   * @throws BundleException if x5c is not an array, its first value is not padded standard base64 of exactly one DER
   *     certificate, or that certificate's key is not the entry's
   */
  private static X509Certificate x5cCertificate(ObjectNode jwk, String where, boolean x509Svid) {
    String rule = x509Svid ? "X509-19" : null;
    JsonNode x5c = jwk.get("x5c");
    if (x5c == null) {
      return null;
    }
    if (!x5c.isArray()) {
      throw new BundleException(where + ".x5c is not an array", rule);
    }
    if (x5c.isEmpty()) {
      return null;
    }
    JsonNode first = x5c.get(0);
    if (!first.isTextual()) {
      throw new BundleException(where + ".x5c[0] is not a string", rule);
    }
    X509Certificate certificate = CertificateCodec.parseSingleDer(
        decodeStandardBase64(first.textValue(), where + ".x5c[0]", x509Svid ? "X509-18" : null),
        where + ".x5c[0]", rule);
    if (!Jwk.describes(jwk, certificate.getPublicKey())) {
      throw new BundleException(
          where + " key parameters do not match its x5c certificate (RFC 7517 §4.7)", rule);
    }
    return certificate;
  }

  /** RFC 7517 §4.7: x5c values are standard base64 with padding, not base64url. */
  private static byte[] decodeStandardBase64(String text, String where, String rule) {
    if (text.length() % 4 != 0) {
      throw new BundleException(where + " is not padded standard base64", rule);
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new BundleException(where + " is not standard base64 (base64url is not allowed)", rule);
    }
  }

  private static void readJwtEntry(ObjectNode jwk, String kty, String where, Contents contents) {
    PublicKey key = Jwk.jwtSvidKey(jwk, kty, where);
    if (key == null) {
      return; // a key type JWT-SVID cannot use (JWT-03) is ignored like an unknown one (BUN-05)
    }
    // The key is the JWK's; an x5c is only checked to agree with it, and an absent or empty one has nothing to say.
    x5cCertificate(jwk, where, false);
    JsonNode kid = jwk.get("kid");
    if (kid == null || !kid.isTextual() || kid.textValue().isEmpty()) {
      throw new BundleException(where + " is a JWT authority without a key ID", "JWT-12");
    }
    if (contents.jwtAuthorities.containsKey(kid.textValue())) {
      throw new BundleException(where + " repeats the key ID " + quoteKeyId(kid.textValue()), "JWT-12");
    }
    contents.jwtAuthorities.put(kid.textValue(), key);
  }

  /** Key IDs are public, but come from input: show them only short and printable. */
  static String quoteKeyId(String kid) {
    String printable = kid.replaceAll("[^\\x20-\\x7e]", "?");
    return "\"" + (printable.length() > 64 ? printable.substring(0, 64) + "..." : printable) + "\"";
  }

  private static BigInteger readSequence(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber()) {
      throw new BundleException("spiffe_sequence is not an integer", "BUN-03");
    }
    BigInteger value = node.bigIntegerValue();
    if (!isUint64(value)) {
      throw new BundleException("spiffe_sequence is outside 0..2^64-1", "BUN-03");
    }
    return value;
  }

  private static Duration readRefreshHint(JsonNode node) {
    if (node == null) {
      return null;
    }
    if (!node.isIntegralNumber()) {
      throw new BundleException("spiffe_refresh_hint is not an integer number of seconds", "BUN-04");
    }
    BigInteger seconds = node.bigIntegerValue();
    if (seconds.signum() < 0 || seconds.bitLength() > 63) {
      throw new BundleException("spiffe_refresh_hint is outside 0..2^63-1 seconds", "BUN-04");
    }
    return Duration.ofSeconds(seconds.longValue());
  }

  /**
   * Writes a JWK Set: one x509-svid entry per authority (X509-18), then one entry per JWT authority (JWT-12). In
   * the SPIFFE profile entries carry {@code use} and the optional sequence and refresh hint follow; in the JWKS
   * profile nothing but the keys is written, as the Workload API does.
   *
   * @throws BundleException if a key has no JWK form
   */
  static byte[] write(Profile profile, List<X509Certificate> x509Authorities, Map<String, PublicKey> jwtAuthorities,
      BigInteger sequence, Duration refreshHint) {
    ObjectNode root = MAPPER.createObjectNode();
    ArrayNode keys = root.putArray(KEYS);
    for (X509Certificate authority : x509Authorities) {
      addEntry(keys, authority.getPublicKey(), X509_SVID, null)
          .putArray("x5c").add(Base64.getEncoder().encodeToString(CertificateCodec.encoded(authority)));
    }
    jwtAuthorities.forEach((kid, key) -> addEntry(keys, key, profile == Profile.SPIFFE ? JWT_SVID : null, kid));
    if (sequence != null) {
      root.put(SEQUENCE, sequence);
    }
    if (refreshHint != null) {
      root.put(REFRESH_HINT, refreshHint.getSeconds());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree of strings and numbers cannot fail to serialize", e);
    }
  }

  /** Appends {@code {"kty", "use"?, "kid"?, public parameters...}}: type and role first, for human readers. */
  private static ObjectNode addEntry(ArrayNode keys, PublicKey key, String use, String kid) {
    Iterator<Map.Entry<String, String>> members = Jwk.publicParameters(key).entrySet().iterator();
    ObjectNode jwk = keys.addObject();
    Map.Entry<String, String> kty = members.next();
    jwk.put(kty.getKey(), kty.getValue());
    if (use != null) {
      jwk.put(USE, use);
    }
    if (kid != null) {
      jwk.put("kid", kid);
    }
    members.forEachRemaining(member -> jwk.put(member.getKey(), member.getValue()));
    return jwk;
  }
}
