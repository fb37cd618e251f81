package io.spiffe4j.testkit.differential;

import static io.spiffe4j.testkit.differential.Tally.quote;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.SpiffeException;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.testkit.oracle.GoSpiffeOracle;
import io.spiffe4j.testkit.oracle.OracleRequest;
import io.spiffe4j.testkit.oracle.Verdict;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * JWT-SVID validation, differentially against go-spiffe v2.9.0: thousands of tokens (every allowed algorithm, and
 * tokens broken in one way each: algorithm, key ID, header parameters, {@code typ}, subject, audience, times,
 * signature and payload) are validated by {@link JwtSvidValidator} and by go-spiffe's
 * {@code jwtsvid.ParseAndValidate} with the same JWT bundle and expected audience. Verdicts must agree, except for
 * the deliberate differences in {@link #DIFFERENCES}, each asserted case by case and required to occur (see
 * DIFFERENCES.md).
 *
 * <p>go-spiffe judges times by its own {@code time.Now()} and has no clock option, so tokens are built relative to
 * the real clock, and both sides use it. Every time-based case stays at least five minutes away from both sides'
 * leeway boundaries, except "expired 30 s ago", which sits 30 s inside the 60 s leeway both sides apply.
 */
class JwtSvidDifferentialTest {
    private static final long SEED = 0x0_3A7_5F1DL;
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final String AUDIENCE = "spiffe://example.org/service";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One signing setup per JWS algorithm JWT-SVID allows (JWT-03). */
    private static final Map<String, KeyAlgorithm> ALGORITHMS = new LinkedHashMap<>();

    static {
        ALGORITHMS.put("ES256", KeyAlgorithm.EC_P256);
        ALGORITHMS.put("ES384", KeyAlgorithm.EC_P384);
        ALGORITHMS.put("ES512", KeyAlgorithm.EC_P521);
        ALGORITHMS.put("RS256", KeyAlgorithm.RSA_2048);
        ALGORITHMS.put("RS384", KeyAlgorithm.RSA_2048);
        ALGORITHMS.put("RS512", KeyAlgorithm.RSA_2048);
        ALGORITHMS.put("PS256", KeyAlgorithm.RSA_2048);
        ALGORITHMS.put("PS384", KeyAlgorithm.RSA_2048);
        ALGORITHMS.put("PS512", KeyAlgorithm.RSA_2048);
    }

    /** A documented deliberate difference: which side accepts, and the rule spiffe4j names when it rejects. */
    record Difference(String name, boolean oursAccepts, Set<String> ourRules) {}

    /** Deliberate differences by the kind of token that shows them (DIFFERENCES.md). */
    static final Map<String, Difference> DIFFERENCES = new LinkedHashMap<>();

    static {
        Difference extraHeader = new Difference("JWT-02 header parameter other than alg, kid and typ rejected (cty, crit,"
                + " jwk, x5c, jku, private); go-spiffe ignores it", false, Set.of("JWT-02"));
        for (String kind : List.of("header-cty", "header-crit-b64", "header-jwk", "header-x5c", "header-jku",
                "header-private")) {
            DIFFERENCES.put(kind, extraHeader);
        }
    }

    /** A CA certificate to embed as an x5c header, as an attacker would. */
    private static final byte[] CERTIFICATE = encoded(CertificateMinter.ca(KeyPool.key(KeyAlgorithm.EC_P256, 0).getPublic(),
            TD.id()).sign(KeyPool.key(KeyAlgorithm.EC_P256, 0).getPrivate()));

    private static GoSpiffeOracle oracle;
    private static JwtBundle bundle;
    private static String jwks;
    private static JwtSvidValidator validator;

    private final Random random = new Random(SEED);
    private final IdGenerator ids = new IdGenerator(random, false);
    private Instant now;

    @BeforeAll
    static void start() {
        oracle = GoSpiffeOracle.start();
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (KeyAlgorithm algorithm : Set.copyOf(ALGORITHMS.values())) {
            keys.put(kid(algorithm), KeyPool.key(algorithm, 0).getPublic());
        }
        bundle = JwtBundle.of(TD, keys);
        jwks = new String(bundle.marshal(), StandardCharsets.UTF_8);
        validator = JwtSvidValidator.builder().bundleSource(bundle).expectAudience(AUDIENCE).build();
    }

    @AfterAll
    static void closeOracle() {
        oracle.close();
    }

    @Test
    void validate_agreesWithGoSpiffe() {
        now = Instant.now();
        List<Token> tokens = new ArrayList<>();
        for (int round = 0; round < 30; round++) {
            for (String alg : ALGORITHMS.keySet()) {
                tokens.add(valid(alg));
            }
            for (String kind : KINDS) {
                tokens.add(broken(kind));
            }
        }
        List<Verdict> verdicts = oracle.runAll(tokens.stream()
                .map(t -> OracleRequest.jwtValidate(t.token, TD.name(), jwks, List.of(AUDIENCE))).toList());

        Tally tally = new Tally("JwtSvidValidator.validate");
        for (int i = 0; i < tokens.size(); i++) {
            compare(tokens.get(i), verdicts.get(i), tally);
        }
        Duration elapsed = Duration.between(now, Instant.now());
        // "expired-30-s" is only valid inside both sides' 60 s leeway: a slower run would turn it into a false verdict.
        assertTrue(elapsed.compareTo(Duration.ofSeconds(25)) < 0,
                "minting and validating took " + elapsed + "; the 30 s-expired tokens may have left the 60 s leeway");
        tally.report();
        DIFFERENCES.values().forEach(d -> tally.requireExercised(d.name()));
    }

    /**
     * go-spiffe skips the {@code aud} check when no audience is expected, so it accepts a token without {@code aud};
     * spiffe4j cannot be configured without an expected audience, and rejects such a token (JWT-08).
     */
    @Test
    void JWT_08_tokenWithoutAudienceIsRejectedWhereGoSpiffeWithNoExpectedAudienceAccepts() {
        now = Instant.now();
        ObjectNode claims = claims();
        claims.remove("aud");
        String token = signed("missing-aud", "ES256", header("ES256"), claims).token;

        Verdict go = oracle.jwtValidate(token, TD.name(), jwks, List.of());
        assertTrue(go.ok(), go::toString);
        assertThrows(IllegalStateException.class, () -> JwtSvidValidator.builder().bundleSource(bundle).build());
        JwtSvidException e = assertThrows(JwtSvidException.class, () -> validator.validate(token));
        assertEquals(Optional.of("JWT-08"), e.rule());
    }

    private static void compare(Token t, Verdict go, Tally tally) {
        String ours;
        String rule = null;
        try {
            ours = validator.validate(t.token).id().toString();
        } catch (SpiffeException e) {
            ours = null;
            rule = e.rule().orElse(null);
            if (!go.ok()) {
                tally.agree(false);
                return;
            }
            Difference known = DIFFERENCES.get(t.kind);
            if (known != null && !known.oursAccepts() && known.ourRules().contains(rule)) {
                tally.knownDifference(known.name());
            } else {
                tally.disagree(t.kind, t.kind + " " + t.shown() + ": spiffe4j rejects [" + rule + "] " + e.reason()
                        + ", go-spiffe accepts " + go.spiffeId());
            }
            return;
        } catch (RuntimeException e) {
            tally.disagree(t.kind, t.kind + " " + t.shown() + ": spiffe4j threw " + e + "; go-spiffe: " + go);
            return;
        }
        if (go.ok() && ours.equals(go.spiffeId())) {
            tally.agree(true);
        } else if (!go.ok() && DIFFERENCES.containsKey(t.kind) && DIFFERENCES.get(t.kind).oursAccepts()) {
            tally.knownDifference(DIFFERENCES.get(t.kind).name());
        } else {
            tally.disagree(t.kind, t.kind + " " + t.shown() + ": spiffe4j accepts " + ours + ", go-spiffe " + go);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tokens

    private static final String[] KINDS = {
        "alg-none", "alg-hs256-public-key", "alg-eddsa", "alg-lowercase", "alg-key-mismatch", "der-ecdsa-signature",
        "expired-10-min", "expired-30-s", "nbf-future", "nbf-past", "iat-future", "iat-past", "wrong-aud",
        "aud-array-with-expected", "aud-string", "aud-empty-array", "missing-aud", "missing-exp", "fractional-exp",
        "string-exp", "far-future-exp", "missing-kid", "empty-kid", "unknown-kid", "kid-of-other-algorithm",
        "header-cty", "header-crit-b64", "header-jwk", "header-x5c", "header-jku", "header-private", "typ-JWT",
        "typ-JOSE", "typ-empty", "typ-xyz", "typ-lowercase", "no-typ", "sub-invalid", "sub-mutated",
        "sub-other-trust-domain", "sub-trust-domain-only", "missing-sub", "signature-tampered", "payload-tampered",
        "two-parts", "four-parts", "duplicate-claim", "duplicate-header", "extra-claims",
    };

    private Token valid(String alg) {
        return signed("valid-" + alg, alg, header(alg), claims());
    }

    private Token broken(String kind) {
        String alg = pick(ALGORITHMS.keySet().toArray(new String[0]));
        ObjectNode header = header(alg);
        ObjectNode claims = claims();
        switch (kind) {
            case "alg-none":
                header.put("alg", "none");
                return raw(kind, header, claims, "");
            case "alg-hs256-public-key": {
                header.put("alg", "HS256");
                String input = signingInput(header, claims);
                return raw(kind, header, claims, base64Url(hmac(KeyPool.key(ALGORITHMS.get(alg), 0).getPublic(), input)));
            }
            case "alg-eddsa": {
                header.put("alg", "EdDSA");
                String input = signingInput(header, claims);
                return raw(kind, header, claims, base64Url(sign("Ed25519", KeyPool.key(KeyAlgorithm.ED25519, 0), input)));
            }
            case "alg-lowercase":
                return signed(kind, alg, header.put("alg", alg.toLowerCase()), claims);
            case "alg-key-mismatch": {
                // The header names one algorithm family, the kid a key of the other.
                String other = alg.startsWith("ES") ? "RS256" : "ES256";
                header.put("kid", kid(ALGORITHMS.get(other)));
                return signed(kind, alg, header, claims);
            }
            case "der-ecdsa-signature": {
                header.put("alg", "ES256").put("kid", kid(KeyAlgorithm.EC_P256));
                String input = signingInput(header, claims);
                return raw(kind, header, claims, base64Url(sign("SHA256withECDSA", KeyPool.key(KeyAlgorithm.EC_P256, 0), input)));
            }
            case "expired-10-min": claims.put("exp", now.minus(Duration.ofMinutes(10)).getEpochSecond()); break;
            case "expired-30-s": claims.put("exp", now.minusSeconds(30).getEpochSecond()); break;
            case "nbf-future": claims.put("nbf", now.plus(Duration.ofMinutes(10)).getEpochSecond()); break;
            case "nbf-past": claims.put("nbf", now.minus(Duration.ofMinutes(10)).getEpochSecond()); break;
            case "iat-future": claims.put("iat", now.plus(Duration.ofMinutes(10)).getEpochSecond()); break;
            case "iat-past": claims.put("iat", now.minus(Duration.ofDays(1)).getEpochSecond()); break;
            case "wrong-aud": claims.putArray("aud").add(pick("spiffe://example.org/other", AUDIENCE + "/", "SPIFFE://example.org/service")); break;
            case "aud-array-with-expected": claims.putArray("aud").add("spiffe://example.org/a").add(AUDIENCE).add("b"); break;
            case "aud-string": claims.put("aud", AUDIENCE); break;
            case "aud-empty-array": claims.putArray("aud"); break;
            case "missing-aud": claims.remove("aud"); break;
            case "missing-exp": claims.remove("exp"); break;
            case "fractional-exp": claims.put("exp", now.plus(Duration.ofHours(1)).getEpochSecond() + 0.5); break;
            case "string-exp": claims.put("exp", Long.toString(now.plus(Duration.ofHours(1)).getEpochSecond())); break;
            case "far-future-exp": claims.put("exp", pick(253402300799L, 32503680000L, 9_007_199_254_740_991L)); break;
            case "missing-kid": header.remove("kid"); break;
            case "empty-kid": header.put("kid", ""); break;
            case "unknown-kid": header.put("kid", "no-such-kid"); break;
            case "kid-of-other-algorithm": {
                String other = pick(ALGORITHMS.keySet().stream().filter(a -> ALGORITHMS.get(a) != ALGORITHMS.get(alg)).toArray(String[]::new));
                header.put("kid", kid(ALGORITHMS.get(other)));
                break;
            }
            case "header-cty": header.put("cty", "JWT"); break;
            case "header-crit-b64": header.putArray("crit").add("b64"); header.put("b64", true); break;
            case "header-jwk": header.set("jwk", embeddedJwk(alg)); break;
            case "header-x5c": header.putArray("x5c").add(Base64.getEncoder().encodeToString(CERTIFICATE)); break;
            case "header-jku": header.put("jku", "https://example.org/jwks"); break;
            case "header-private": header.put("x-tenant", "blue"); break;
            case "typ-JWT": header.put("typ", "JWT"); break;
            case "typ-JOSE": header.put("typ", "JOSE"); break;
            case "typ-empty": header.put("typ", ""); break;
            case "typ-xyz": header.put("typ", "xyz"); break;
            case "typ-lowercase": header.put("typ", "jwt"); break;
            case "no-typ": header.remove("typ"); break;
            case "sub-invalid": claims.put("sub", pick("not-an-id", "spiffe://example.org/a/", "spiffe://EXAMPLE.org/a", "")); break;
            case "sub-mutated": claims.put("sub", ids.mutate(claims.get("sub").textValue(), 1)); break;
            case "sub-other-trust-domain": claims.put("sub", "spiffe://other.org/workload"); break;
            case "sub-trust-domain-only": claims.put("sub", "spiffe://example.org"); break;
            case "missing-sub": claims.remove("sub"); break;
            case "signature-tampered":
                return tamper(kind, signed(kind, alg, header, claims), 2);
            case "payload-tampered": {
                Token valid = signed(kind, alg, header, claims);
                String[] parts = valid.token.split("\\.");
                ObjectNode changed = claims.deepCopy().put("sub", "spiffe://example.org/admin");
                return new Token(kind, parts[0] + "." + base64Url(json(changed)) + "." + parts[2]);
            }
            case "two-parts": {
                String[] parts = signed(kind, alg, header, claims).token.split("\\.");
                return new Token(kind, parts[0] + "." + parts[1]);
            }
            case "four-parts":
                return new Token(kind, signed(kind, alg, header, claims).token + ".AAAA");
            case "duplicate-claim": {
                // The same sub twice: only the duplication itself can make a validator reject it.
                String payload = "{\"sub\":" + claims.get("sub") + "," + json(claims).substring(1);
                return rawSigned(kind, alg, json(header), payload);
            }
            case "duplicate-header": {
                String headerJson = "{\"kid\":" + header.get("kid") + "," + json(header).substring(1);
                return rawSigned(kind, alg, headerJson, json(claims));
            }
            case "extra-claims": claims.put("iss", "https://issuer.example").put("jti", "id-1").putObject("ctx").put("a", 1); break;
            default: throw new IllegalArgumentException(kind);
        }
        return signed(kind, alg, header, claims);
    }

    /** The signing key's own public JWK, as an attacker would embed a key of their choosing. */
    private static ObjectNode embeddedJwk(String alg) {
        JwtBundle own = JwtBundle.of(TD, Map.of("embedded", KeyPool.key(ALGORITHMS.get(alg), 0).getPublic()));
        try {
            return (ObjectNode) JSON.readTree(own.marshal()).get("keys").get(0);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ObjectNode header(String alg) {
        ObjectNode header = JSON.createObjectNode().put("alg", alg).put("kid", kid(ALGORITHMS.get(alg)));
        if (random.nextInt(4) > 0) {
            header.put("typ", "JWT");
        }
        return header;
    }

    private ObjectNode claims() {
        ObjectNode claims = JSON.createObjectNode();
        claims.put("sub", SpiffeId.fromPath(TD, ids.validPath()).toString());
        if (random.nextBoolean()) {
            claims.putArray("aud").add(AUDIENCE);
        } else {
            claims.put("aud", AUDIENCE);
        }
        claims.put("exp", now.plus(Duration.ofMinutes(10 + random.nextInt(600))).getEpochSecond());
        if (random.nextBoolean()) {
            claims.put("iat", now.minus(Duration.ofMinutes(5 + random.nextInt(60))).getEpochSecond());
        }
        return claims;
    }

    /** Signed with the pool key of {@code alg}, whatever the header now says. */
    private static Token signed(String kind, String alg, ObjectNode header, ObjectNode claims) {
        return rawSigned(kind, alg, json(header), json(claims));
    }

    private static Token rawSigned(String kind, String alg, String headerJson, String payloadJson) {
        KeyPair key = KeyPool.key(ALGORITHMS.get(alg), 0);
        return new Token(kind, JwtSvidMinter.signRaw(headerJson, payloadJson, key.getPrivate(), alg));
    }

    private static Token raw(String kind, ObjectNode header, ObjectNode claims, String signature) {
        return new Token(kind, signingInput(header, claims) + "." + signature);
    }

    /** The token with one bit of its {@code part}-th part (0-based, decoded) flipped. */
    private Token tamper(String kind, Token token, int part) {
        String[] parts = token.token.split("\\.");
        byte[] bytes = Base64.getUrlDecoder().decode(parts[part]);
        bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
        parts[part] = base64Url(bytes);
        return new Token(kind, String.join(".", parts));
    }

    private static byte[] encoded(java.security.cert.X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String kid(KeyAlgorithm algorithm) {
        return "kid-" + algorithm.name().toLowerCase();
    }

    private static String signingInput(ObjectNode header, ObjectNode claims) {
        return base64Url(json(header)) + "." + base64Url(json(claims));
    }

    private static byte[] hmac(PublicKey key, String input) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getEncoded(), "HmacSHA256"));
            return mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sign(String algorithm, KeyPair key, String input) {
        try {
            Signature signature = Signature.getInstance(algorithm);
            signature.initSign(key.getPrivate());
            signature.update(input.getBytes(StandardCharsets.US_ASCII));
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(ObjectNode node) {
        return node.toString();
    }

    private static String base64Url(String text) {
        return base64Url(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    /** One token and what it is meant to exercise. */
    private static final class Token {
        final String kind;
        final String token;

        Token(String kind, String token) {
            this.kind = kind;
            this.token = token;
        }

        /** Header and payload, decoded: the signature is meaningless in a message. */
        String shown() {
            String[] parts = token.split("\\.", -1);
            StringBuilder shown = new StringBuilder();
            for (int i = 0; i < Math.min(2, parts.length); i++) {
                try {
                    shown.append(quote(new String(Base64.getUrlDecoder().decode(parts[i]), StandardCharsets.UTF_8))).append(' ');
                } catch (IllegalArgumentException e) {
                    shown.append("(undecodable part) ");
                }
            }
            return shown.append("(").append(parts.length).append(" parts)").toString();
        }
    }
}
