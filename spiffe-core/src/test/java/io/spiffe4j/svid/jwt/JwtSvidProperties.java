package io.spiffe4j.svid.jwt;

import static io.spiffe4j.svid.jwt.JwtFixtures.NOW;
import static io.spiffe4j.svid.jwt.JwtFixtures.NOW_S;
import static io.spiffe4j.svid.jwt.JwtFixtures.WORKLOAD;
import static io.spiffe4j.svid.jwt.JwtFixtures.validToken;
import static io.spiffe4j.svid.jwt.JwtFixtures.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.svid.jwt.JwtFixtures.PoolKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.EdgeCasesMode;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.statistics.StatisticsReport;

/**
 * Validation never fails with anything but a {@link JwtSvidException}, whatever the input; minted tokens validate
 * and round-trip their claims. Keys come from {@link JwtFixtures.Keys}, made once per run.
 */
@Tag("property")
class JwtSvidProperties {
  private static final JwtSvidValidator VALIDATOR = validator();
  private static final String VALID = validToken();

  /** Validates, accepting either a value or a typed rejection; anything else fails the property. */
  private static JwtSvid validateOrNull(String token) {
    try {
      return VALIDATOR.validate(token);
    } catch (JwtSvidException e) {
      JwtSvidValidatorTest.assertNoTokenIn(e.getMessage(), token);
      return null;
    }
  }

  @Property(tries = 300)
  void randomStringsAreRejectedTyped(@ForAll @StringLength(max = 400) String token) {
    assertEquals(null, validateOrNull(token));
  }

  @Property(tries = 300)
  void randomDotSeparatedBase64UrlIsRejectedTyped(
      @ForAll("base64url") String header, @ForAll("base64url") String payload, @ForAll("base64url") String sig) {
    assertEquals(null, validateOrNull(header + "." + payload + "." + sig));
  }

  @Provide
  Arbitrary<String> base64url() {
    return Arbitraries.strings().withChars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.")
        .ofMaxLength(120);
  }

  @Property(tries = 400, edgeCases = EdgeCasesMode.MIXIN)
  void mutatedValidTokensAreRejectedTyped(
      @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 0, max = 10_000) Integer> positions,
      @ForAll @Size(min = 4, max = 4) List<@IntRange(min = 0, max = 3) Integer> kinds,
      @ForAll @StringLength(min = 1, max = 1) String replacement) {
    StringBuilder token = new StringBuilder(VALID);
    for (int i = 0; i < positions.size(); i++) {
      int at = positions.get(i) % token.length();
      switch (kinds.get(i)) {
        case 0: token.setCharAt(at, replacement.charAt(0)); break;
        case 1: token.insert(at, replacement); break;
        case 2: token.deleteCharAt(at); break;
        default: token.setLength(at); break;
      }
      if (token.length() == 0) {
        break;
      }
    }
    JwtSvid svid = validateOrNull(token.toString());
    if (svid != null) {
      assertEquals(VALID, token.toString(), "only an unchanged token may validate");
    }
  }

  /**
   * Correctly signed tokens whose header and claim values are each usually valid and otherwise arbitrary JSON, so
   * that parsing gets past the signature and into every claim check.
   */
  @Property(tries = 400, edgeCases = EdgeCasesMode.MIXIN)
  @StatisticsReport(StatisticsReport.StatisticsReportMode.OFF)
  void signedTokensWithArbitraryHeaderAndClaimValuesAreTypedOutcomes(
      @ForAll("alg") String alg, @ForAll("kid") String kid, @ForAll("typ") String typ,
      @ForAll("sub") String sub, @ForAll("aud") String aud, @ForAll("exp") String exp,
      @ForAll("nbf") String nbf, @ForAll("iat") String iat, @ForAll("extraHeader") String extra) {
    String header = "{\"alg\":" + alg + ",\"kid\":" + kid + ",\"typ\":" + typ + extra + "}";
    String payload = "{\"sub\":" + sub + ",\"aud\":" + aud + ",\"exp\":" + exp + ",\"nbf\":" + nbf
        + ",\"iat\":" + iat + "}";
    JwtSvid svid = validateOrNull(JwtSvidMinter.signRaw(header, payload, JwtFixtures.Keys.P256.getPrivate(),
        "ES256"));
    Statistics.collect(svid != null);
    // Guards the generators: a share of tries must pass every check, or the property tests nothing deep.
    Statistics.coverage(coverage -> coverage.check(true).percentage(p -> p > 5));
    if (svid != null) {
      // Only example.org has a bundle, and only this kid holds the signing key.
      assertEquals(JwtFixtures.TD, svid.id().trustDomain());
      assertEquals(PoolKey.P256.kid, svid.keyId());
    }
  }

  @Provide
  Arbitrary<String> alg() {
    return usually("\"ES256\"");
  }

  @Provide
  Arbitrary<String> kid() {
    return usually("\"" + PoolKey.P256.kid + "\"");
  }

  @Provide
  Arbitrary<String> typ() {
    return usually("\"JWT\"");
  }

  @Provide
  Arbitrary<String> sub() {
    return usually("\"" + WORKLOAD + "\"");
  }

  @Provide
  Arbitrary<String> aud() {
    return usually("[\"" + JwtFixtures.AUDIENCE + "\"]");
  }

  @Provide
  Arbitrary<String> exp() {
    return usually(String.valueOf(NOW_S + 600));
  }

  @Provide
  Arbitrary<String> nbf() {
    return usually(String.valueOf(NOW_S - 600));
  }

  @Provide
  Arbitrary<String> iat() {
    return usually(NOW_S + ".5");
  }

  @Provide
  Arbitrary<String> extraHeader() {
    return Arbitraries.frequencyOf(
        Tuple.of(8, Arbitraries.just("")), Tuple.of(1, Arbitraries.of(",\"crit\":[]", ",\"jwk\":{}", ",\"x\":null")));
  }

  /** The valid JSON value five times in six, otherwise an arbitrary or adversarial one. */
  private static Arbitrary<String> usually(String valid) {
    return Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.just(valid)), Tuple.of(1, jsonValues()));
  }

  private static Arbitrary<String> jsonValues() {
    return Arbitraries.oneOf(
        Arbitraries.of("\"" + PoolKey.P256.kid + "\"", "\"JWT\"", "\"none\"", "\"HS256\"", "\"es256\"",
            "\"" + WORKLOAD + "\"", "\"" + JwtFixtures.AUDIENCE + "\"", "[\"" + JwtFixtures.AUDIENCE + "\"]", "[]",
            "{}", "null", "true", "\"\"", String.valueOf(NOW_S + 600), String.valueOf(NOW_S - 600),
            NOW_S + ".5", "1e400", "-0", "4611686018427387904", "99999999999999999999999",
            "[1,[2,{\"a\":[]}]]", "\"\\u0000\\ud800\"", "\"spiffe://example.org/../x\""),
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("N") && !s.contains("I")),
        text(20).map(JwtSvidProperties::jsonString));
  }

  /** Text without lone surrogates, which UTF-8 cannot carry and would not round-trip. */
  private static Arbitrary<String> text(int maxLength) {
    return Arbitraries.strings().withCharRange(' ', '\uD7FF').ofMaxLength(maxLength);
  }

  private static String jsonString(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\' || c < 0x20) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** Any token the minting primitive makes with a pool key validates and gives back what was minted. */
  @Property(tries = 200)
  void mintedTokensValidateAndRoundTrip(
      @ForAll PoolKey key, @ForAll("paths") List<String> path, @ForAll("audiences") List<String> audience,
      @ForAll @IntRange(min = -59, max = 1_000_000) int expiresIn, @ForAll @IntRange(min = 0, max = 3600) int age,
      @ForAll("note") String note, @ForAll long number) {
    SpiffeId id = SpiffeId.fromSegments(JwtFixtures.TD, path);
    Instant expiry = NOW.plusSeconds(expiresIn);
    List<String> aud = new java.util.ArrayList<>(audience);
    aud.add(JwtFixtures.AUDIENCE);
    String token = JwtSvidMinter.forSubject(id).audience(aud.toArray(new String[0])).expiry(expiry)
        .issuedAt(NOW.minusSeconds(age)).keyId(key.kid).claim("note", note).claim("number", number)
        .sign(key.pair().getPrivate());

    JwtSvid svid = VALIDATOR.validate(token);

    assertEquals(id, svid.id());
    assertEquals(aud, svid.audience());
    assertEquals(expiry, svid.expiry());
    assertEquals(NOW.minusSeconds(age), svid.issuedAt().orElseThrow());
    assertEquals(key.kid, svid.keyId());
    assertEquals(key.alg, svid.algorithm());
    assertEquals(token, svid.token());
    Map<String, Object> claims = svid.claims();
    assertEquals(id.toString(), claims.get("sub"));
    assertEquals(note, claims.get("note"));
    assertEquals(number, claims.get("number"));
    assertEquals(expiry.getEpochSecond(), claims.get("exp"));
    assertNotEquals(-1, svid.toString().indexOf(id.toString()));
  }

  @Provide
  Arbitrary<List<String>> paths() {
    return Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(8)
        .filter(s -> !s.equals(".") && !s.equals("..")).list().ofMaxSize(3);
  }

  @Provide
  Arbitrary<List<String>> audiences() {
    return text(12).filter(a -> !a.isEmpty()).list().ofMaxSize(2);
  }

  @Provide
  Arbitrary<String> note() {
    return text(30);
  }
}
