package io.spiffe4j.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Conversions between single JWKs (RFC 7517/7518) and JCA public keys, on top of Nimbus.
 *
 * <p>Public parameters are compared with the canonical encoding derived from the decoded key: RFC 7518 fixes EC
 * coordinates to the curve's length and RSA integers to their minimal length, and Nimbus's base64url decoder is
 * lenient, so this comparison is what makes parsing strict (one key, one spelling).
 */
final class Jwk {
  /** Curves JWT-SVID can sign with: ES256, ES384, ES512 (JWT-03). */
  private static final Set<Curve> JWT_SVID_CURVES = Set.of(Curve.P_256, Curve.P_384, Curve.P_521);

  /** Members that carry private or secret key material in any RFC 7518 key type. */
  private static final Set<String> SECRET_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

  /** SubjectPublicKeyInfo prefixes of Ed25519 and Ed448 keys (RFC 8410); the raw key follows. */
  private static final byte[] ED25519_SPKI_PREFIX = hex("302a300506032b6570032100");
  private static final byte[] ED448_SPKI_PREFIX = hex("3043300506032b6571033a00");

  private Jwk() {}

  /** Whether the JWK carries private or secret key material, which a bundle must never hold. */
  static boolean hasSecretMembers(ObjectNode jwk) {
    for (String member : SECRET_MEMBERS) {
      if (jwk.has(member)) {
        return true;
      }
    }
    return false;
  }

  /** Whether a key can verify JWT-SVIDs: EC on P-256/384/521 or RSA (JWT-03). */
  static boolean isJwtSvidKey(PublicKey key) {
    if (key instanceof RSAPublicKey) {
      return true;
    }
    return key instanceof ECPublicKey
        && JWT_SVID_CURVES.contains(Curve.forECParameterSpec(((ECPublicKey) key).getParams()));
  }

  /**
   * The JWT-SVID verification key a JWK describes, or null if its type cannot verify JWT-SVIDs (OKP, oct, EC on
   * another curve, unknown types): such keys are ignored, not rejected.
   *
   * @throws BundleException if the JWK is of a usable type but malformed, off its curve or non-canonical
   */
  static PublicKey jwtSvidKey(ObjectNode jwk, String kty, String where) {
    if ("EC".equals(kty)) {
      JsonNode crv = jwk.get("crv");
      if (crv == null || !crv.isTextual()) {
        throw new BundleException(where + " is an EC key without a crv name", null);
      }
      // By name: Curve.parse throws on an empty name, and any unknown name means "another curve", ignored.
      String curveName = crv.textValue();
      if (JWT_SVID_CURVES.stream().noneMatch(curve -> curve.getName().equals(curveName))) {
        return null;
      }
      return parse(jwk, where, "crv", "x", "y");
    }
    if ("RSA".equals(kty)) {
      return parse(jwk, where, "n", "e");
    }
    return null;
  }

  private static PublicKey parse(ObjectNode jwk, String where, String... parameters) {
    Map<String, Object> members = new LinkedHashMap<>();
    members.put("kty", jwk.get("kty").textValue());
    for (String parameter : parameters) {
      JsonNode value = jwk.get(parameter);
      if (value == null || !value.isTextual()) {
        throw new BundleException(where + " has no string \"" + parameter + "\" parameter", null);
      }
      members.put(parameter, value.textValue());
    }
    PublicKey key;
    try {
      JWK parsed = JWK.parse(members);
      key = parsed instanceof ECKey ? ((ECKey) parsed).toECPublicKey() : ((RSAKey) parsed).toRSAPublicKey();
    } catch (Exception e) {
      // Nimbus reports bad keys through ParseException, JOSEException and unchecked exceptions alike
      // (an EC point off its curve is an IllegalArgumentException); its messages may quote input, so drop them.
      throw new BundleException(where + " is not a valid public key of its type", null);
    }
    if (!describes(jwk, key)) {
      throw new BundleException(where + " has non-canonical key parameters (RFC 7518 §6)", null);
    }
    return key;
  }

  /**
   * Whether the JWK's type and public parameters are exactly the canonical ones of {@code key}. Keys of types that
   * have no JWK form are never described.
   */
  static boolean describes(ObjectNode jwk, PublicKey key) {
    Map<String, String> expected;
    try {
      expected = publicParameters(key);
    } catch (BundleException e) {
      return false;
    }
    for (Map.Entry<String, String> member : expected.entrySet()) {
      JsonNode actual = jwk.get(member.getKey());
      if (actual == null || !actual.isTextual() || !actual.textValue().equals(member.getValue())) {
        return false;
      }
    }
    return true;
  }

  /**
   * The canonical JWK members ({@code kty} and the public parameters) of a key: EC on a curve JOSE names, RSA,
   * Ed25519 or Ed448.
   *
   * @throws BundleException if the key has no JWK form
   */
  static Map<String, String> publicParameters(PublicKey key) {
    Map<String, String> members = new LinkedHashMap<>();
    if (key instanceof ECPublicKey) {
      Curve curve = Curve.forECParameterSpec(((ECPublicKey) key).getParams());
      if (curve == null) {
        throw new BundleException("an EC key is on a curve that JWK cannot name", null);
      }
      ECKey ec = new ECKey.Builder(curve, (ECPublicKey) key).build();
      members.put("kty", "EC");
      members.put("crv", curve.getName());
      members.put("x", ec.getX().toString());
      members.put("y", ec.getY().toString());
    } else if (key instanceof RSAPublicKey) {
      RSAKey rsa = new RSAKey.Builder((RSAPublicKey) key).build();
      members.put("kty", "RSA");
      members.put("n", rsa.getModulus().toString());
      members.put("e", rsa.getPublicExponent().toString());
    } else {
      byte[] spki = key.getEncoded();
      Curve curve = hasPrefix(spki, ED25519_SPKI_PREFIX, 32) ? Curve.Ed25519
          : hasPrefix(spki, ED448_SPKI_PREFIX, 57) ? Curve.Ed448 : null;
      if (curve == null) {
        throw new BundleException("a " + key.getAlgorithm() + " key has no JWK form", null);
      }
      byte[] raw = Arrays.copyOfRange(spki, spki.length - (curve == Curve.Ed25519 ? 32 : 57), spki.length);
      OctetKeyPair okp = new OctetKeyPair.Builder(curve, Base64URL.encode(raw)).build();
      members.put("kty", "OKP");
      members.put("crv", curve.getName());
      members.put("x", okp.getX().toString());
    }
    return members;
  }

  private static boolean hasPrefix(byte[] spki, byte[] prefix, int rawLength) {
    return spki != null
        && spki.length == prefix.length + rawLength
        && Arrays.equals(spki, 0, prefix.length, prefix, 0, prefix.length);
  }

  private static byte[] hex(String hex) {
    byte[] bytes = new byte[hex.length() / 2];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    return bytes;
  }
}
