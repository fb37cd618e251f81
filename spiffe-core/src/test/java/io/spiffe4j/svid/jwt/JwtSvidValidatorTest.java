package io.spiffe4j.svid.jwt;

import static io.spiffe4j.svid.jwt.JwtFixtures.AUDIENCE;
import static io.spiffe4j.svid.jwt.JwtFixtures.CLOCK;
import static io.spiffe4j.svid.jwt.JwtFixtures.NOW;
import static io.spiffe4j.svid.jwt.JwtFixtures.NOW_S;
import static io.spiffe4j.svid.jwt.JwtFixtures.TD;
import static io.spiffe4j.svid.jwt.JwtFixtures.WORKLOAD;
import static io.spiffe4j.svid.jwt.JwtFixtures.b64;
import static io.spiffe4j.svid.jwt.JwtFixtures.bundle;
import static io.spiffe4j.svid.jwt.JwtFixtures.es256;
import static io.spiffe4j.svid.jwt.JwtFixtures.es256Payload;
import static io.spiffe4j.svid.jwt.JwtFixtures.header;
import static io.spiffe4j.svid.jwt.JwtFixtures.join;
import static io.spiffe4j.svid.jwt.JwtFixtures.minter;
import static io.spiffe4j.svid.jwt.JwtFixtures.parts;
import static io.spiffe4j.svid.jwt.JwtFixtures.payload;
import static io.spiffe4j.svid.jwt.JwtFixtures.unb64;
import static io.spiffe4j.svid.jwt.JwtFixtures.validToken;
import static io.spiffe4j.svid.jwt.JwtFixtures.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.JwtBundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.svid.jwt.JwtFixtures.Keys;
import io.spiffe4j.svid.jwt.JwtFixtures.PoolKey;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class JwtSvidValidatorTest {
  private static final String P256_HEADER = header("ES256", PoolKey.P256.kid);

  /** Asserts that the default validator rejects {@code token} under {@code rule}, without echoing the token. */
  static JwtSvidException rejects(String token, String rule) {
    return rejects(validator(), token, rule);
  }

  static JwtSvidException rejects(JwtSvidValidator validator, String token, String rule) {
    JwtSvidException e = assertThrows(JwtSvidException.class, () -> validator.validate(token));
    assertEquals(Optional.ofNullable(rule), e.rule(), e.getMessage());
    assertNoTokenIn(e.getMessage(), token);
    return e;
  }

  static void assertNoTokenIn(String message, String token) {
    if (token.length() >= 16) {
      assertFalse(message.contains(token), message);
    }
    for (String part : token.split("\\.")) {
      if (part.length() >= 16) {
        assertFalse(message.contains(part), message);
      }
    }
  }

  @Test
  void validTokenValidates() {
    JwtSvid svid = validator().validate(validToken());
    assertEquals(WORKLOAD, svid.id());
    assertEquals(List.of(AUDIENCE), svid.audience());
    assertEquals(NOW.plusSeconds(3600), svid.expiry());
    assertEquals(Optional.of(NOW), svid.issuedAt());
    assertEquals(PoolKey.P256.kid, svid.keyId());
    assertEquals("ES256", svid.algorithm());
  }

  @ParameterizedTest
  @CsvSource({
      "P256, ES256", "P384, ES384", "P521, ES512",
      "RSA, RS256", "RSA, RS384", "RSA, RS512", "RSA, PS256", "RSA, PS384", "RSA, PS512"})
  void JWT_03_everyAllowedAlgorithmValidates(PoolKey key, String alg) {
    String token = minter().keyId(key.kid).algorithm(alg).sign(key.pair().getPrivate());
    JwtSvid svid = validator().validate(token);
    assertEquals(alg, svid.algorithm());
    assertEquals(key.kid, svid.keyId());
  }

  @Nested
  class Structure {
    @Test
    void JWT_01_jweFivePartsRejected() {
      String jwe = b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\",\"kid\":\"kid-rsa\"}") + ".a2V5.aXY.Y2lwaGVy.dGFn";
      assertTrue(rejects(jwe, "JWT-01").getMessage().contains("JWE"));
    }

    @Test
    void JWT_01_jsonSerializationRejected() {
      List<String> p = parts(validToken());
      String json = "{\"payload\":\"" + p.get(1) + "\",\"protected\":\"" + p.get(0) + "\",\"header\":{\"kid\":\""
          + PoolKey.P256.kid + "\"},\"signature\":\"" + p.get(2) + "\"}";
      assertTrue(rejects(json, "JWT-01").getMessage().contains("JSON serialization"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "...", "abc", "a.b", "a.b.c.d", "a.b.c.d.e.f"})
    void JWT_01_notThreePartsRejected(String token) {
      rejects(token, "JWT-01");
    }

    @Test
    void JWT_01_paddingRejected() {
      List<String> p = parts(validToken()); // a 64-byte signature encodes to 86 characters, padded with "=="
      rejects(join(p.get(0), p.get(1), p.get(2) + "=="), "JWT-01");
    }

    @ParameterizedTest
    @ValueSource(strings = {"+", "/", " ", "\n", "=", "\u00e9"})
    void JWT_01_charactersOutsideBase64UrlRejected(String bad) {
      List<String> p = parts(validToken());
      rejects(join(p.get(0), p.get(1), bad + p.get(2).substring(1)), "JWT-01");
      rejects(join(p.get(0), bad + p.get(1).substring(1), p.get(2)), "JWT-01");
      rejects(join(bad + p.get(0).substring(1), p.get(1), p.get(2)), "JWT-01");
    }

    @Test
    void JWT_01_surroundingWhitespaceRejected() {
      rejects(validToken() + "\n", "JWT-01");
      rejects(" " + validToken(), "JWT-01");
    }

    @Test
    void JWT_01_nonCanonicalLastCharacterRejected() {
      // 86 characters hold 64 bytes plus 4 unused bits; setting one gives the same bytes, a different token.
      List<String> p = parts(validToken());
      String sig = p.get(2);
      char last = sig.charAt(sig.length() - 1);
      String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      char flipped = alphabet.charAt(alphabet.indexOf(last) ^ 1);
      String altered = sig.substring(0, sig.length() - 1) + flipped;
      assertTrue(Arrays.equals(unb64(sig), unb64(altered)), "the JDK decoder reads both the same");
      rejects(join(p.get(0), p.get(1), altered), "JWT-01");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "[]", "\"alg\"", "{", "{\"alg\":\"ES256\",}", "{\"alg\":'ES256'}",
        "{\"alg\":\"ES256\"} {}", "{\"alg\":\"ES256\"}x", "{\"alg\":\"ES256\" /* c */}", "{\"alg\":NaN}"})
    void JWT_01_headerNotOneJsonObjectRejected(String headerJson) {
      rejects(es256(headerJson, payload("")), "JWT-01");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "null", "[]", "42", "{\"sub\":1,}", "{} []"})
    void JWT_01_payloadNotOneJsonObjectRejected(String payloadJson) {
      rejects(es256(P256_HEADER, payloadJson), "JWT-01");
    }

    @Test
    void JWT_01_duplicateHeaderMemberRejected() {
      // A parser keeping the last "alg" would see ES256 while another keeping the first sees none.
      String headerJson = "{\"alg\":\"none\",\"kid\":\"kid-p256\",\"alg\":\"ES256\"}";
      JwtSvidException e = rejects(es256(headerJson, payload("")), "JWT-01");
      assertTrue(e.getMessage().contains("duplicate member \"alg\""), e.getMessage());
    }

    @Test
    void JWT_01_duplicateClaimRejected() {
      String payloadJson = payload(",\"sub\":\"spiffe://example.org/admin\"");
      rejects(es256(P256_HEADER, payloadJson), "JWT-01");
    }

    @Test
    void JWT_01_utf16AndByteOrderMarkRejected() {
      String sig = parts(validToken()).get(2);
      String payloadB64 = parts(validToken()).get(1);
      for (String charset : new String[] {"UTF-16LE", "UTF-16BE"}) {
        String h = b64(P256_HEADER.getBytes(java.nio.charset.Charset.forName(charset)));
        rejects(join(h, payloadB64, sig), "JWT-01");
      }
      byte[] bom = ("\uFEFF" + P256_HEADER).getBytes(StandardCharsets.UTF_8);
      rejects(join(b64(bom), payloadB64, sig), "JWT-01");
    }

    @Test
    void JWT_01_deeplyNestedClaimRejectedWithoutStackOverflow() {
      String deep = "[".repeat(5000) + "]".repeat(5000);
      rejects(es256(P256_HEADER, payload(",\"x\":" + deep)), "JWT-01");
    }

    @Test
    void tokenOverSizeCapRejectedBeforeParsing() {
      String huge = "a".repeat(JwtSvidParser.MAX_TOKEN_CHARS + 1);
      JwtSvidException e = rejects(huge, null);
      assertTrue(e.getMessage().contains("longer than 65536"), e.getMessage());
    }

    @Test
    void tokenJustUnderSizeCapStillParses() {
      String filler = "x".repeat(40_000);
      String token = minter().claim("filler", filler).sign(Keys.P256.getPrivate());
      assertTrue(token.length() < JwtSvidParser.MAX_TOKEN_CHARS);
      assertEquals(filler, validator().validate(token).claims().get("filler"));
    }
  }

  @Nested
  class Algorithm {
    @Test
    void JWT_03_algNoneWithEmptySignatureRejected() {
      String token = join(b64("{\"alg\":\"none\",\"kid\":\"kid-p256\"}"), b64(payload("")), "");
      assertTrue(rejects(token, "JWT-03").getMessage().contains("\"none\""));
    }

    @Test
    void JWT_03_hs256WithPublicKeyAsHmacSecretRejected() throws Exception {
      // The classic confusion attack: HMAC "verified" with the RSA public key's bytes as the shared secret.
      PublicKey rsa = Keys.RSA.getPublic();
      for (byte[] secret : List.of(rsa.getEncoded(),
          io.spiffe4j.internal.Pem.encode("PUBLIC KEY", rsa.getEncoded()).getBytes(StandardCharsets.US_ASCII))) {
        String signingInput = b64(header("HS256", PoolKey.RSA.kid)) + "." + b64(payload(""));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret, "HmacSHA256"));
        String token = signingInput + "." + b64(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        rejects(token, "JWT-03");
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "None", "HS256", "HS384", "HS512", "EdDSA", "ES256K", "es256", "Es256", "RS1",
        "PS256 ", "", "RSA-OAEP", "dir"})
    void JWT_03_disallowedAlgRejected(String alg) {
      rejects(es256(header(alg, PoolKey.P256.kid), payload("")), "JWT-03");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"kid\":\"kid-p256\"}", "{\"alg\":null,\"kid\":\"kid-p256\"}",
        "{\"alg\":256,\"kid\":\"kid-p256\"}", "{\"alg\":[\"ES256\"],\"kid\":\"kid-p256\"}"})
    void JWT_03_missingOrNonStringAlgRejected(String headerJson) {
      rejects(es256(headerJson, payload("")), "JWT-03");
    }

    @Test
    void JWT_03_algCheckedBeforeOtherHeaders() {
      String headerJson = "{\"alg\":\"none\",\"typ\":\"bad\",\"jwk\":{},\"kid\":\"\"}";
      rejects(join(b64(headerJson), b64(payload("")), ""), "JWT-03");
    }

    @Test
    void JWT_03_es256TokenWithP384KeyRejected() {
      JwtBundle mixed = JwtBundle.of(TD, Map.of(PoolKey.P256.kid, Keys.P384.getPublic()));
      JwtSvidException e = rejects(validatorFor(mixed), validToken(), "JWT-03");
      assertTrue(e.getMessage().contains("P-256") && e.getMessage().contains("kid-p256"), e.getMessage());
    }

    @Test
    void JWT_03_secp256k1KeyCannotEvenEnterABundle() {
      // secp256k1 has P-256's field size: only comparing the whole curve tells them apart.
      io.spiffe4j.bundle.BundleException e = assertThrows(io.spiffe4j.bundle.BundleException.class,
          () -> JwtBundle.of(TD, Map.of(PoolKey.P256.kid, Keys.SECP256K1.getPublic())));
      assertEquals("JWT-03", e.rule().orElseThrow());
    }

    @Test
    void JWT_03_es384And512TokensWithOtherCurvesRejected() {
      String es384 = minter().keyId("k").sign(Keys.P384.getPrivate());
      String es512 = minter().keyId("k").sign(Keys.P521.getPrivate());
      rejects(validatorFor(JwtBundle.of(TD, Map.of("k", Keys.P521.getPublic()))), es384, "JWT-03");
      rejects(validatorFor(JwtBundle.of(TD, Map.of("k", Keys.P384.getPublic()))), es512, "JWT-03");
    }

    @Test
    void JWT_03_rsaTokenWithEcKeyAndEcTokenWithRsaKeyRejected() {
      String rs256 = minter().keyId("k").sign(Keys.RSA.getPrivate());
      rejects(validatorFor(JwtBundle.of(TD, Map.of("k", Keys.P256.getPublic()))), rs256, "JWT-03");
      rejects(validatorFor(JwtBundle.of(TD, Map.of("k", Keys.RSA.getPublic()))),
          minter().keyId("k").sign(Keys.P256.getPrivate()), "JWT-03");
    }

    @Test
    void JWT_03_rsaKeyBelow2048BitsRejected() {
      // The key is judged before the signature, so any 128-byte signature reaches the check.
      String token = join(b64(header("RS256", "weak")), b64(payload("")), b64(new byte[128]));
      JwtSvidException e =
          rejects(validatorFor(JwtBundle.of(TD, Map.of("weak", Keys.RSA_1024.getPublic()))), token, "JWT-03");
      assertTrue(e.getMessage().contains("2048"), e.getMessage());
    }

    @Test
    void JWT_03_es256SignatureInDerFormRejected() {
      List<String> p = parts(validToken());
      byte[] rs = unb64(p.get(2));
      ASN1EncodableVector v = new ASN1EncodableVector();
      v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 0, 32))));
      v.add(new ASN1Integer(new BigInteger(1, Arrays.copyOfRange(rs, 32, 64))));
      byte[] der;
      try {
        der = new DERSequence(v).getEncoded();
      } catch (java.io.IOException e) {
        throw new AssertionError(e);
      }
      JwtSvidException e = rejects(join(p.get(0), p.get(1), b64(der)), "JWT-03");
      assertTrue(e.getMessage().contains("R||S"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 63, 65, 96, 132})
    void JWT_03_es256SignatureOfWrongLengthRejected(int length) {
      List<String> p = parts(validToken());
      byte[] sig = Arrays.copyOf(unb64(p.get(2)), length);
      rejects(join(p.get(0), p.get(1), b64(sig)), "JWT-03");
    }

    @Test
    void JWT_03_rsaSignatureShorterThanModulusRejected() {
      List<String> p = parts(minter().keyId(PoolKey.RSA.kid).sign(Keys.RSA.getPrivate()));
      byte[] sig = unb64(p.get(2));
      rejects(join(p.get(0), p.get(1), b64(Arrays.copyOfRange(sig, 1, sig.length))), "JWT-03");
    }
  }

  @Nested
  class Header {
    @Test
    void JWT_04_missingKidRejected() {
      rejects(minter().keyId(null).sign(Keys.P256.getPrivate()), "JWT-04");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "null", "7", "[\"kid-p256\"]", "{}"})
    void JWT_04_emptyOrNonStringKidRejected(String kid) {
      rejects(es256("{\"alg\":\"ES256\",\"kid\":" + kid + "}", payload("")), "JWT-04");
    }

    @Test
    void JWT_16_unknownKidRejectedAndNamed() {
      String token = minter().keyId("kid-unknown").sign(Keys.P256.getPrivate());
      JwtSvidException e = rejects(token, "JWT-16");
      assertTrue(e.getMessage().contains("\"kid-unknown\"") && e.getMessage().contains("example.org"),
          e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "\"crit\":[\"exp\"]", "\"crit\":[]", "\"jku\":\"https://attacker.example/jwks\"",
        "\"x5u\":\"https://attacker.example/cert\"", "\"x5c\":[\"MIIB\"]", "\"x5t\":\"abc\"", "\"b64\":false",
        "\"cty\":\"JWT\"", "\"enc\":\"A256GCM\"", "\"zip\":\"DEF\"", "\"private\":1", "\"Alg\":\"ES256\""})
    void JWT_02_headerParameterOtherThanAlgKidTypRejected(String extra) {
      String name = extra.substring(1, extra.indexOf('"', 1));
      String headerJson = "{\"alg\":\"ES256\",\"kid\":\"kid-p256\",\"typ\":\"JWT\"," + extra + "}";
      JwtSvidException e = rejects(es256(headerJson, payload("")), "JWT-02");
      assertTrue(e.getMessage().contains("\"" + name + "\""), e.getMessage());
    }

    @Test
    void JWT_02_embeddedJwkOfTheSigningKeyIsNeverUsed() {
      // Signed by a key no bundle knows, with that key embedded: must not verify "with itself".
      java.security.interfaces.ECPublicKey attacker = (java.security.interfaces.ECPublicKey) Keys.ATTACKER.getPublic();
      String jwk = new com.nimbusds.jose.jwk.ECKey.Builder(com.nimbusds.jose.jwk.Curve.P_256, attacker)
          .build().toJSONString();
      String headerJson = "{\"alg\":\"ES256\",\"kid\":\"kid-p256\",\"jwk\":" + jwk + "}";
      String token = JwtSvidMinter.signRaw(headerJson, payload(""), Keys.ATTACKER.getPrivate(), "ES256");
      rejects(token, "JWT-02");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"jws\"", "\"jwt\"", "\"JWS\"", "\"JWT \"", "\"application/jwt\"", "null", "1"})
    void JWT_05_typOtherThanJwtOrJoseRejected(String typ) {
      rejects(es256("{\"alg\":\"ES256\",\"kid\":\"kid-p256\",\"typ\":" + typ + "}", payload("")), "JWT-05");
    }

    @ParameterizedTest
    @ValueSource(strings = {"JWT", "JOSE"})
    void JWT_05_typJwtOrJoseAccepted(String typ) {
      String token = es256("{\"typ\":\"" + typ + "\",\"kid\":\"kid-p256\",\"alg\":\"ES256\"}", payload(""));
      assertEquals(WORKLOAD, validator().validate(token).id());
    }

    @Test
    void JWT_05_typAbsentAccepted() {
      assertEquals(WORKLOAD, validator().validate(minter().typHeader(false).sign(Keys.P256.getPrivate())).id());
    }
  }

  @Nested
  class Subject {
    @Test
    void JWT_07_missingSubRejected() {
      rejects(es256Payload("{\"aud\":\"" + AUDIENCE + "\",\"exp\":" + (NOW_S + 60) + "}"), "JWT-07");
    }

    @ParameterizedTest
    @ValueSource(strings = {"null", "1", "[\"spiffe://example.org/workload\"]", "{}", "true"})
    void JWT_07_nonStringSubRejected(String sub) {
      rejects(es256Payload("{\"sub\":" + sub + ",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + (NOW_S + 60) + "}"),
          "JWT-07");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "workload", "https://example.org/workload", "spiffe://Example.org/workload",
        "spiffe://example.org/a/../b", "spiffe://example.org/workload/", "spiffe://example.org:8080/w",
        "spiffe:///workload", "SPIFFE://example.org/workload"})
    void JWT_07_invalidSpiffeIdRejected(String sub) {
      String payloadJson = "{\"sub\":\"" + sub + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + (NOW_S + 60) + "}";
      JwtSvidException e = rejects(es256Payload(payloadJson), "JWT-07");
      assertInstanceOf(io.spiffe4j.id.InvalidSpiffeIdException.class, e.getCause());
    }

    @Test
    void JWT_07_rootPathSubAccepted() {
      String token = JwtSvidMinter.forSubject(TD.id()).audience(AUDIENCE).expiry(NOW.plusSeconds(60))
          .keyId(PoolKey.P256.kid).sign(Keys.P256.getPrivate());
      assertEquals(TD.id(), validator().validate(token).id());
    }

    @Test
    void JWT_16_trustDomainWithoutBundleRejected() {
      SpiffeId foreign = SpiffeId.parse("spiffe://other.org/workload");
      String token = JwtSvidMinter.forSubject(foreign).audience(AUDIENCE).expiry(NOW.plusSeconds(60))
          .keyId(PoolKey.P256.kid).sign(Keys.P256.getPrivate());
      JwtSvidException e = rejects(token, "JWT-16");
      assertTrue(e.getMessage().contains("\"other.org\""), e.getMessage());
      assertInstanceOf(BundleNotFoundException.class, e.getCause());
    }

    @Test
    void JWT_16_keyOfAnotherTrustDomainNeverVerifies() {
      // other.org publishes the same kid with its own key; a token for other.org signed by example.org's key
      // must be checked with other.org's key only, never with a global kid map.
      TrustDomain other = TrustDomain.parse("other.org");
      JwtBundle otherBundle = JwtBundle.of(other, Map.of(PoolKey.P256.kid, Keys.ATTACKER.getPublic()));
      JwtBundleSource both = td -> td.equals(TD) ? bundle() : otherBundle.jwtBundleFor(td);
      String token = JwtSvidMinter.forSubject(SpiffeId.parse("spiffe://other.org/workload")).audience(AUDIENCE)
          .expiry(NOW.plusSeconds(60)).keyId(PoolKey.P256.kid).sign(Keys.P256.getPrivate());
      rejects(validatorFor(both), token, "JWT-10");
      JwtBundleSource otherEmpty = td -> td.equals(TD) ? bundle() : JwtBundle.of(other, Map.of());
      rejects(validatorFor(otherEmpty), token, "JWT-16");
    }

    @Test
    void JWT_16_bundleOfWrongTrustDomainFromSourceRejected() {
      JwtBundleSource careless = td -> bundle(); // answers every trust domain with example.org's bundle
      String token = JwtSvidMinter.forSubject(SpiffeId.parse("spiffe://other.org/workload")).audience(AUDIENCE)
          .expiry(NOW.plusSeconds(60)).keyId(PoolKey.P256.kid).sign(Keys.P256.getPrivate());
      rejects(validatorFor(careless), token, "JWT-16");
      rejects(validatorFor(td -> null), token, "JWT-16");
    }
  }

  @Nested
  class Audience {
    @Test
    void JWT_08_missingAudRejected() {
      rejects(es256Payload("{\"sub\":\"" + WORKLOAD + "\",\"exp\":" + (NOW_S + 60) + "}"), "JWT-08");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "null", "1", "{}", "[1]", "[\"" + AUDIENCE + "\",null]", "true"})
    void JWT_08_emptyOrMalformedAudRejected(String aud) {
      rejects(es256Payload("{\"sub\":\"" + WORKLOAD + "\",\"aud\":" + aud + ",\"exp\":" + (NOW_S + 60) + "}"),
          "JWT-08");
    }

    @Test
    void JWT_08_audienceMismatchRejectedNamingBoth() {
      String token = minter().audience("spiffe://example.org/other").sign(Keys.P256.getPrivate());
      JwtSvidException e = rejects(token, "JWT-08");
      assertTrue(e.getMessage().contains("spiffe://example.org/other") && e.getMessage().contains(AUDIENCE),
          e.getMessage());
    }

    @Test
    void JWT_08_comparisonIsExact() {
      for (String aud : List.of(AUDIENCE.toUpperCase(java.util.Locale.ROOT), AUDIENCE + "/", AUDIENCE + " ", "")) {
        rejects(minter().audience(aud).sign(Keys.P256.getPrivate()), "JWT-08");
      }
    }

    @Test
    void JWT_08_audArrayContainingExpectedAccepted() {
      String token = minter().audience("a", AUDIENCE, "b").sign(Keys.P256.getPrivate());
      assertEquals(List.of("a", AUDIENCE, "b"), validator().validate(token).audience());
    }

    @Test
    void JWT_08_audStringAccepted() {
      JwtSvid svid = validator().validate(es256Payload(payload("")));
      assertEquals(List.of(AUDIENCE), svid.audience());
      assertEquals(AUDIENCE, svid.claims().get("aud"));
    }

    @Test
    void JWT_08_anyOneExpectedAudienceSuffices() {
      JwtSvidValidator anyOf = JwtSvidValidator.builder().bundleSource(bundle()).clock(CLOCK)
          .expectAudience("x", "y").expectAudiences(List.of("z")).build();
      for (String aud : List.of("x", "y", "z")) {
        assertEquals(WORKLOAD, anyOf.validate(minter().audience(aud).sign(Keys.P256.getPrivate())).id());
      }
      rejects(anyOf, minter().audience("w").sign(Keys.P256.getPrivate()), "JWT-08");
    }
  }

  @Nested
  class Times {
    private String withExp(String exp) {
      return es256Payload("{\"sub\":\"" + WORKLOAD + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + exp + "}");
    }

    @Test
    void JWT_09_missingExpRejected() {
      rejects(es256Payload("{\"sub\":\"" + WORKLOAD + "\",\"aud\":\"" + AUDIENCE + "\"}"), "JWT-09");
    }

    @Test
    void JWT_09_expiredBeyondLeewayRejected() {
      JwtSvidException e = rejects(withExp(String.valueOf(NOW_S - 61)), "JWT-09");
      assertTrue(e.getMessage().contains("expired"), e.getMessage());
      rejects(withExp(String.valueOf(NOW_S - 300)), "JWT-09");
    }

    @Test
    void JWT_09_expiredWithinDefaultLeewayAccepted() {
      assertEquals(NOW.minusSeconds(59), validator().validate(withExp(String.valueOf(NOW_S - 59))).expiry());
      assertEquals(NOW.minusSeconds(30), validator().validate(withExp(String.valueOf(NOW_S - 30))).expiry());
    }

    @Test
    void JWT_09_expiryPlusLeewayIsExclusive() {
      // RFC 7519 §4.1.4: the current time must be before exp.
      rejects(withExp(String.valueOf(NOW_S - 60)), "JWT-09");
      JwtSvidValidator strict = builder().leeway(Duration.ZERO).build();
      rejects(strict, withExp(String.valueOf(NOW_S)), "JWT-09");
      assertEquals(WORKLOAD, strict.validate(withExp(String.valueOf(NOW_S + 1))).id());
    }

    @Test
    void JWT_09_fractionalExpAcceptedAndRoundedDown() {
      JwtSvid svid = validator().validate(withExp(NOW_S + 10 + ".9"));
      assertEquals(NOW.plusSeconds(10), svid.expiry());
      assertEquals(Double.parseDouble(NOW_S + 10 + ".9"), svid.claims().get("exp"));
      // Rounding down moves the expiry earlier: 59.5 s ago counts as 60 s ago.
      rejects(withExp(NOW_S - 60 + ".5"), "JWT-09");
      assertEquals(NOW.plusSeconds(100), validator().validate(withExp((NOW_S + 100) + "e0")).expiry());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"1893456000\"", "true", "null", "[1893456000]", "{}", "4611686018427387904",
        "-4611686018427387904", "100000000000000000000", "1e300", "-1e300", "1e400"})
    void JWT_15_expNotANumericDateRejected(String exp) {
      JwtSvidException e = assertThrows(JwtSvidException.class, () -> validator().validate(withExp(exp)));
      assertEquals(Optional.of("JWT-15"), e.rule(), e.getMessage());
    }

    @Test
    void JWT_09_farFutureExpClampedToInstantMax() {
      JwtSvid svid = validator().validate(withExp("100000000000000000"));
      assertEquals(Instant.MAX, svid.expiry());
    }

    @Test
    void JWT_10_nbfInFutureBeyondLeewayRejected() {
      JwtSvidException e = rejects(es256Payload(payload(",\"nbf\":" + (NOW_S + 61))), "JWT-10");
      assertTrue(e.getMessage().contains("not valid before"), e.getMessage());
      rejects(es256Payload(payload(",\"nbf\":" + (NOW_S + 60) + ".2")), "JWT-10"); // rounded up to +61
      rejects(es256Payload(payload(",\"nbf\":4611686018427387903")), "JWT-10"); // clamped, still in the future
    }

    @Test
    void JWT_10_nbfWithinLeewayOrPastAccepted() {
      JwtSvid svid = validator().validate(es256Payload(payload(",\"nbf\":" + (NOW_S + 60))));
      assertEquals(Optional.of(NOW.plusSeconds(60)), svid.notBefore());
      assertEquals(WORKLOAD, validator().validate(es256Payload(payload(",\"nbf\":" + (NOW_S - 3600)))).id());
    }

    @ParameterizedTest
    @ValueSource(strings = {"nbf", "iat"})
    void JWT_10_nbfAndIatMustBeNumericDates(String claim) {
      for (String value : List.of("\"1\"", "null", "false", "[]", "1e300")) {
        rejects(es256Payload(payload(",\"" + claim + "\":" + value)), "JWT-10");
      }
    }

    @Test
    void JWT_10_iatInFutureBeyondLeewayRejected() {
      JwtSvidException e = rejects(es256Payload(payload(",\"iat\":" + (NOW_S + 61))), "JWT-10");
      assertTrue(e.getMessage().contains("issued in the future"), e.getMessage());
    }

    @Test
    void JWT_10_iatWithinLeewayAccepted() {
      JwtSvid svid = validator().validate(es256Payload(payload(",\"iat\":" + (NOW_S + 60))));
      assertEquals(Optional.of(NOW.plusSeconds(60)), svid.issuedAt());
    }

    @Test
    void clockDecidesValidity() {
      String token = minter().issuedAt(NOW).expiry(NOW.plusSeconds(600)).sign(Keys.P256.getPrivate());
      assertEquals(WORKLOAD, validatorAt(NOW.plusSeconds(599)).validate(token).id());
      assertEquals(WORKLOAD, validatorAt(NOW.plusSeconds(659)).validate(token).id());
      rejects(validatorAt(NOW.plusSeconds(660)), token, "JWT-09");
      rejects(validatorAt(NOW.minusSeconds(61)), token, "JWT-10"); // iat ahead of this clock
    }

    private JwtSvidValidator validatorAt(Instant instant) {
      return builder().clock(Clock.fixed(instant, ZoneOffset.UTC)).build();
    }
  }

  @Nested
  class Signature {
    @Test
    void JWT_10_tamperedPayloadRejected() {
      List<String> p = parts(validToken());
      String forged = b64(payload(",\"admin\":true"));
      JwtSvidException e = rejects(join(p.get(0), forged, p.get(2)), "JWT-10");
      assertTrue(e.getMessage().contains("kid-p256"), e.getMessage());
    }

    @Test
    void JWT_10_tamperedHeaderRejected() {
      List<String> p = parts(validToken());
      rejects(join(b64("{\"alg\":\"ES256\",\"kid\":\"kid-p256\"}"), p.get(1), p.get(2)), "JWT-10");
    }

    @Test
    void JWT_10_tamperedSignatureRejected() {
      for (PoolKey key : PoolKey.values()) {
        List<String> p = parts(minter().keyId(key.kid).sign(key.pair().getPrivate()));
        byte[] sig = unb64(p.get(2));
        sig[sig.length / 2] ^= 1;
        rejects(join(p.get(0), p.get(1), b64(sig)), "JWT-10");
      }
    }

    @Test
    void JWT_10_signatureByKeyOutsideBundleRejected() {
      rejects(minter().sign(Keys.ATTACKER.getPrivate()), "JWT-10");
    }

    @Test
    void JWT_10_signatureOfAnotherTokenRejected() {
      List<String> a = parts(validToken());
      List<String> b = parts(minter().audience("other").sign(Keys.P256.getPrivate()));
      rejects(join(a.get(0), a.get(1), b.get(2)), "JWT-10");
    }

    @Test
    void JWT_10_zeroSignatureRejected() {
      // r = s = 0 must never verify (CVE-2022-21449, "psychic signatures").
      List<String> p = parts(validToken());
      rejects(join(p.get(0), p.get(1), b64(new byte[64])), "JWT-10");
    }
  }

  @Nested
  class Builder {
    @Test
    void JWT_08_noExpectedAudienceFailsAtBuild() {
      JwtSvidValidator.Builder builder = JwtSvidValidator.builder().bundleSource(bundle());
      IllegalStateException e = assertThrows(IllegalStateException.class, builder::build);
      assertTrue(e.getMessage().contains("JWT-08"));
      assertThrows(IllegalStateException.class, () -> builder.expectAudience().build());
      assertThrows(IllegalStateException.class, () -> builder.expectAudiences(List.of()).build());
    }

    @Test
    void emptyOrNullAudienceRefused() {
      JwtSvidValidator.Builder builder = JwtSvidValidator.builder();
      assertThrows(IllegalArgumentException.class, () -> builder.expectAudience(""));
      assertThrows(IllegalArgumentException.class, () -> builder.expectAudience("a", ""));
      assertThrows(NullPointerException.class, () -> builder.expectAudience("a", null));
      assertThrows(NullPointerException.class, () -> builder.expectAudience((String[]) null));
      assertThrows(NullPointerException.class, () -> builder.expectAudiences(null));
      builder.bundleSource(bundle());
      assertThrows(IllegalStateException.class, builder::build, "a refused call adds nothing");
    }

    @Test
    void bundleSourceRequired() {
      assertThrows(IllegalStateException.class, () -> JwtSvidValidator.builder().expectAudience("a").build());
      assertThrows(NullPointerException.class, () -> JwtSvidValidator.builder().bundleSource(null));
    }

    @Test
    void leewayCappedAtFiveMinutes() {
      JwtSvidValidator.Builder builder = builder();
      assertThrows(IllegalArgumentException.class, () -> builder.leeway(Duration.ofMinutes(5).plusNanos(1)));
      assertThrows(IllegalArgumentException.class, () -> builder.leeway(Duration.ofSeconds(-1)));
      assertThrows(NullPointerException.class, () -> builder.leeway(null));
      JwtSvidValidator lenient = builder.leeway(Duration.ofMinutes(5)).build();
      String token = es256Payload(payload("").replace(String.valueOf(NOW_S + 3600), String.valueOf(NOW_S - 299)));
      assertEquals(WORKLOAD, lenient.validate(token).id());
      rejects(validator(), token, "JWT-09");
    }

    @Test
    void clockRequiresNonNull() {
      assertThrows(NullPointerException.class, () -> builder().clock(null));
    }

    @Test
    void nullTokenIsCallerError() {
      assertThrows(NullPointerException.class, () -> validator().validate(null));
    }

    @Test
    void toStringShowsPolicy() {
      String text = validator().toString();
      assertTrue(text.contains(AUDIENCE) && text.contains("PT1M"), text);
    }
  }

  static JwtSvidValidator.Builder builder() {
    return JwtSvidValidator.builder().bundleSource(bundle()).expectAudience(AUDIENCE).clock(CLOCK);
  }

  static JwtSvidValidator validatorFor(JwtBundleSource source) {
    return JwtSvidValidator.builder().bundleSource(source).expectAudience(AUDIENCE).clock(CLOCK).build();
  }
}
