package io.spiffe4j.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

/** Writes public keys as RFC 7517/7518 JWKs, for the JWK Sets the test kit publishes. */
final class Jwks {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Jwks() {}

    /** {@code {"keys":[...]}} with one {@code use: jwt-svid} JWK per entry, keyed by its {@code kid} (JWT-12). */
    static String jwtAuthorities(Map<String, PublicKey> authorities) {
        ObjectNode set = JSON.createObjectNode();
        ArrayNode keys = set.putArray("keys");
        authorities.forEach((kid, key) -> {
            ObjectNode jwk = publicJwk(key);
            jwk.put("use", "jwt-svid");
            jwk.put("kid", kid);
            keys.add(jwk);
        });
        return set.toString();
    }

    /**
     * The public parameters of an EC (P-256/384/521) or RSA key.
     *
     * @throws IllegalArgumentException for any other key type, which JWT-SVIDs cannot use (JWT-03)
     */
    static ObjectNode publicJwk(PublicKey key) {
        ObjectNode jwk = JSON.createObjectNode();
        if (key instanceof ECPublicKey) {
            ECPublicKey ec = (ECPublicKey) key;
            int fieldBits = ec.getParams().getCurve().getField().getFieldSize();
            int length = (fieldBits + 7) / 8;
            jwk.put("kty", "EC");
            jwk.put("crv", fieldBits == 256 ? "P-256" : fieldBits == 384 ? "P-384" : "P-521");
            jwk.put("x", base64Url(unsigned(ec.getW().getAffineX(), length)));
            jwk.put("y", base64Url(unsigned(ec.getW().getAffineY(), length)));
        } else if (key instanceof RSAPublicKey) {
            RSAPublicKey rsa = (RSAPublicKey) key;
            jwk.put("kty", "RSA");
            jwk.put("n", base64Url(unsigned(rsa.getModulus(), (rsa.getModulus().bitLength() + 7) / 8)));
            jwk.put("e", base64Url(unsigned(rsa.getPublicExponent(), (rsa.getPublicExponent().bitLength() + 7) / 8)));
        } else {
            throw new IllegalArgumentException("no JWK form for " + key.getAlgorithm() + " keys here: JWT-SVIDs use EC or RSA");
        }
        return jwk;
    }

    /** The big-endian magnitude in exactly {@code length} bytes, as JWK requires (no sign byte, left-padded). */
    private static byte[] unsigned(BigInteger value, int length) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[length];
        int copied = Math.min(bytes.length, length);
        System.arraycopy(bytes, bytes.length - copied, fixed, length - copied, copied);
        return fixed;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
