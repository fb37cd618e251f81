package io.spiffe4j.svid.jwt;

import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Parses a JWT-SVID and runs every check that needs neither a key nor a clock: the compact JWS structure, the
 * header (alg first), and the presence and types of the SPIFFE claims. Shared by {@link JwtSvid#parseInsecure} and
 * {@link JwtSvidValidator}, so both see exactly the same token.
 */
final class JwtSvidParser {
  /** Far above any real JWT-SVID (a few hundred bytes); bounds the work done before any check. */
  static final int MAX_TOKEN_CHARS = 64 * 1024;

  private static final String ALG = "alg";
  private static final String KID = "kid";
  private static final String TYP = "typ";

  private JwtSvidParser() {}

  /** A parsed token with what signature verification needs. */
  static final class Parsed {
    final JwtSvid svid;
    final JwsAlgorithm algorithm;
    final byte[] signature;
    private final int signingInputEnd;

    Parsed(JwtSvid svid, JwsAlgorithm algorithm, byte[] signature, int signingInputEnd) {
      this.svid = svid;
      this.algorithm = algorithm;
      this.signature = signature;
      this.signingInputEnd = signingInputEnd;
    }

    /** The JWS signing input, {@code header.payload} as ASCII (RFC 7515 §5.2). */
    byte[] signingInput() {
      return svid.token().substring(0, signingInputEnd).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Parses {@code token}; see the class comment for what is checked. */
  static Parsed parse(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw new JwtSvidException("token is longer than " + MAX_TOKEN_CHARS + " characters", null);
    }
    int headerEnd = token.indexOf('.');
    int payloadEnd = headerEnd < 0 ? -1 : token.indexOf('.', headerEnd + 1);
    if (payloadEnd < 0 || token.indexOf('.', payloadEnd + 1) >= 0) {
      throw notCompact(token);
    }
    Map<String, Object> header = JsonObjects.parseObject(decode(token, 0, headerEnd, "header"), "header");
    JwsAlgorithm algorithm = checkHeader(header);
    Map<String, Object> claims =
        JsonObjects.parseObject(decode(token, headerEnd + 1, payloadEnd, "payload"), "payload");
    byte[] signature = decode(token, payloadEnd + 1, token.length(), "signature");
    JwtSvid svid = new JwtSvid(
        token,
        subject(claims),
        audience(claims),
        expiry(claims),
        optionalDate(claims, "nbf"),
        optionalDate(claims, "iat"),
        claims,
        (String) header.get(KID),
        algorithm.name());
    return new Parsed(svid, algorithm, signature, payloadEnd);
  }

  private static JwtSvidException notCompact(String token) {
    if (token.startsWith("{")) {
      return new JwtSvidException("JWS JSON serialization is not allowed, only compact serialization", "JWT-01");
    }
    int parts = 1;
    for (int i = token.indexOf('.'); i >= 0; i = token.indexOf('.', i + 1)) {
      parts++;
    }
    return parts == 5
        ? new JwtSvidException("token has 5 parts: JWE is not allowed, only JWS compact serialization", "JWT-01")
        : new JwtSvidException(
            "token has " + parts + (parts == 1 ? " part" : " parts")
                + ", not the 3 of JWS compact serialization (header.payload.signature)",
            "JWT-01");
  }

  private static byte[] decode(String token, int from, int to, String part) {
    byte[] bytes = Base64Url.decode(token, from, to);
    if (bytes == null) {
      throw new JwtSvidException("token " + part + " is not unpadded base64url", "JWT-01");
    }
    return bytes;
  }

  /** The header checks, {@code alg} first as JWT-03 demands. */
  private static JwsAlgorithm checkHeader(Map<String, Object> header) {
    Object alg = header.get(ALG);
    if (alg == null) {
      throw new JwtSvidException("token header has no alg", "JWT-03");
    }
    JwsAlgorithm algorithm = alg instanceof String ? JwsAlgorithm.forName((String) alg) : null;
    if (algorithm == null) {
      throw new JwtSvidException("alg " + describe(alg) + " is not allowed: JWT-SVIDs are signed with "
          + "RS256/384/512, ES256/384/512 or PS256/384/512", "JWT-03");
    }
    if (header.containsKey(TYP)) {
      Object typ = header.get(TYP);
      if (!"JWT".equals(typ) && !"JOSE".equals(typ)) {
        throw new JwtSvidException("typ must be \"JWT\" or \"JOSE\" when present, not " + describe(typ), "JWT-05");
      }
    }
    Object kid = header.get(KID);
    if (kid == null) {
      throw new JwtSvidException("token header has no kid, so the signing key cannot be selected", "JWT-04");
    }
    if (!(kid instanceof String) || ((String) kid).isEmpty()) {
      throw new JwtSvidException("kid must be a non-empty string, not " + describe(kid), "JWT-04");
    }
    for (String name : header.keySet()) {
      if (!ALG.equals(name) && !KID.equals(name) && !TYP.equals(name)) {
        throw new JwtSvidException("token header has the parameter " + Text.quote(name)
            + "; only alg, kid and typ are allowed, and embedded keys or critical extensions are never used",
            "JWT-02");
      }
    }
    return algorithm;
  }

  private static SpiffeId subject(Map<String, Object> claims) {
    Object sub = claims.get("sub");
    if (!(sub instanceof String)) {
      throw new JwtSvidException(sub == null ? "token has no sub claim" : "sub must be a string, not "
          + describe(sub), "JWT-07");
    }
    try {
      return SpiffeId.parse((String) sub);
    } catch (InvalidSpiffeIdException e) {
      throw new JwtSvidException("sub is not a valid SPIFFE ID: " + e.getMessage(), "JWT-07", e);
    }
  }

  private static List<String> audience(Map<String, Object> claims) {
    Object aud = claims.get("aud");
    if (aud instanceof String) {
      return List.of((String) aud);
    }
    if (!(aud instanceof List) || ((List<?>) aud).isEmpty()) {
      throw new JwtSvidException(aud == null ? "token has no aud claim" : "aud must be a string or a non-empty "
          + "array of strings, not " + describe(aud), "JWT-08");
    }
    List<?> values = (List<?>) aud;
    List<String> audience = new ArrayList<>(values.size());
    for (Object value : values) {
      if (!(value instanceof String)) {
        throw new JwtSvidException("aud array must hold only strings, not " + describe(value), "JWT-08");
      }
      audience.add((String) value);
    }
    return Collections.unmodifiableList(audience);
  }

  private static Instant expiry(Map<String, Object> claims) {
    if (claims.get("exp") == null && !claims.containsKey("exp")) {
      throw new JwtSvidException("token has no exp claim", "JWT-09");
    }
    Instant expiry = NumericDate.toInstant(claims.get("exp"), false);
    if (expiry == null) {
      throw new JwtSvidException("exp must be a NumericDate (seconds since the epoch, less than 2^62), not "
          + describe(claims.get("exp")), "JWT-15");
    }
    return expiry;
  }

  /** {@code nbf} or {@code iat}: optional, but a NumericDate when present (RFC 7519 §4.1.5-6). */
  private static Instant optionalDate(Map<String, Object> claims, String name) {
    if (!claims.containsKey(name)) {
      return null;
    }
    Instant date = NumericDate.toInstant(claims.get(name), true);
    if (date == null) {
      throw new JwtSvidException(name + " must be a NumericDate (seconds since the epoch, less than 2^62), not "
          + describe(claims.get(name)), "JWT-10");
    }
    return date;
  }

  /** A JSON value for a message: strings quoted and cut short, other values by type or literal. */
  static String describe(Object value) {
    if (value instanceof String) {
      return Text.quote((String) value);
    }
    if (value == null || value instanceof Boolean) {
      return String.valueOf(value);
    }
    if (value instanceof Number) {
      String number = value.toString();
      return number.length() <= 24 ? number : "a number of " + number.length() + " characters";
    }
    return value instanceof List ? "an array" : "an object";
  }
}
