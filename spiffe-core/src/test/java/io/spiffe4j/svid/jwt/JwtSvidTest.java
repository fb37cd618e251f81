package io.spiffe4j.svid.jwt;

import static io.spiffe4j.svid.jwt.JwtFixtures.AUDIENCE;
import static io.spiffe4j.svid.jwt.JwtFixtures.NOW;
import static io.spiffe4j.svid.jwt.JwtFixtures.NOW_S;
import static io.spiffe4j.svid.jwt.JwtFixtures.WORKLOAD;
import static io.spiffe4j.svid.jwt.JwtFixtures.b64;
import static io.spiffe4j.svid.jwt.JwtFixtures.es256Payload;
import static io.spiffe4j.svid.jwt.JwtFixtures.join;
import static io.spiffe4j.svid.jwt.JwtFixtures.minter;
import static io.spiffe4j.svid.jwt.JwtFixtures.parts;
import static io.spiffe4j.svid.jwt.JwtFixtures.payload;
import static io.spiffe4j.svid.jwt.JwtFixtures.validToken;
import static io.spiffe4j.svid.jwt.JwtFixtures.validator;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.svid.jwt.JwtFixtures.Keys;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JwtSvidTest {
  @Test
  void parseInsecureReadsWithoutVerifying() {
    // Signed by a key no bundle holds and expired long ago: inspection still works.
    String token = minter().issuedAt(NOW.minusSeconds(7200)).expiry(NOW.minusSeconds(3600))
        .sign(Keys.ATTACKER.getPrivate());
    JwtSvid svid = JwtSvid.parseInsecure(token);
    assertEquals(WORKLOAD, svid.id());
    assertEquals(NOW.minusSeconds(3600), svid.expiry());
    assertEquals(List.of(AUDIENCE), svid.audience());
    assertSame(token, svid.token());
  }

  @Test
  void parseInsecureStillEnforcesTokenLocalRules() {
    String none = join(b64("{\"alg\":\"none\",\"kid\":\"k\"}"), b64(payload("")), "");
    assertEquals(Optional.of("JWT-03"), rule(() -> JwtSvid.parseInsecure(none)));
    String noExp = es256Payload("{\"sub\":\"" + WORKLOAD + "\",\"aud\":\"a\"}");
    assertEquals(Optional.of("JWT-09"), rule(() -> JwtSvid.parseInsecure(noExp)));
    String badSub = es256Payload("{\"sub\":\"spiffe://EXAMPLE.org\",\"aud\":\"a\",\"exp\":1}");
    assertEquals(Optional.of("JWT-07"), rule(() -> JwtSvid.parseInsecure(badSub)));
    assertThrows(NullPointerException.class, () -> JwtSvid.parseInsecure(null));
  }

  private static Optional<String> rule(Runnable parse) {
    return assertThrows(JwtSvidException.class, parse::run).rule();
  }

  @Test
  void JWT_06_otherClaimsExposedWithJsonTypes() {
    String token = es256Payload(payload(",\"iss\":\"https://issuer\",\"jti\":\"id-1\",\"n\":42,\"big\":"
        + "123456789012345678901234567890,\"f\":1.5,\"ok\":true,\"nil\":null,"
        + "\"nested\":{\"list\":[1,\"two\",{\"three\":3}]}"));
    Map<String, Object> claims = validator().validate(token).claims();
    assertEquals(List.of("sub", "aud", "exp", "iss", "jti", "n", "big", "f", "ok", "nil", "nested"),
        List.copyOf(claims.keySet()));
    assertEquals("https://issuer", claims.get("iss"));
    assertEquals(42L, claims.get("n"));
    assertEquals(new BigInteger("123456789012345678901234567890"), claims.get("big"));
    assertEquals(1.5, claims.get("f"));
    assertEquals(Boolean.TRUE, claims.get("ok"));
    assertTrue(claims.containsKey("nil") && claims.get("nil") == null);
    assertEquals(Map.of("list", List.of(1L, "two", Map.of("three", 3L))), claims.get("nested"));
    assertEquals(NOW_S + 3600, claims.get("exp"));
  }

  @Test
  @SuppressWarnings("unchecked")
  void JWT_06_claimsAreDeeplyUnmodifiable() {
    String token = es256Payload(payload(",\"nested\":{\"list\":[1]}"));
    JwtSvid svid = validator().validate(token);
    assertThrows(UnsupportedOperationException.class, () -> svid.claims().put("sub", "spiffe://evil"));
    Map<String, Object> nested = (Map<String, Object>) svid.claims().get("nested");
    assertThrows(UnsupportedOperationException.class, () -> nested.put("x", 1));
    List<Object> list = (List<Object>) nested.get("list");
    assertThrows(UnsupportedOperationException.class, () -> list.add(2));
    assertThrows(UnsupportedOperationException.class, () -> svid.audience().add("x"));
  }

  @Test
  void toStringShowsIdAudienceExpiryButNeverTheToken() {
    String token = validToken();
    JwtSvid svid = validator().validate(token);
    String text = svid.toString();
    assertTrue(text.contains(WORKLOAD.toString()) && text.contains(AUDIENCE)
        && text.contains(NOW.plusSeconds(3600).toString()), text);
    for (String part : parts(token)) {
      assertFalse(text.contains(part), text);
    }
  }

  @Test
  void optionalTimesAbsentWhenNotInToken() {
    JwtSvid svid = JwtSvid.parseInsecure(es256Payload(payload("")));
    assertEquals(Optional.empty(), svid.issuedAt());
    assertEquals(Optional.empty(), svid.notBefore());
  }
}
