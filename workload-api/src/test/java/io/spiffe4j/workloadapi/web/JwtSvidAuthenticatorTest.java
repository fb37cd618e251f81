package io.spiffe4j.workloadapi.web;

import static io.spiffe4j.workloadapi.TestEndpoint.DB;
import static io.spiffe4j.workloadapi.TestEndpoint.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spiffe4j.workloadapi.TestEndpoint;
import io.spiffe4j.workloadapi.web.JwtAuthenticationException.Failure;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtSvidAuthenticatorTest {
  private static final String AUDIENCE = "spiffe://example.org/orders";
  private final JwtSvidAuthenticator local = JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE);

  @TempDir
  Path dir;

  @Test
  void local_validBearerToken_returnsTheCaller() {
    assertEquals(WEB, local.authenticate("Bearer " + TestEndpoint.token(WEB, AUDIENCE)));
    assertEquals(DB, local.authenticate(List.of("bearer  " + TestEndpoint.token(DB, "other", AUDIENCE) + " ")));
  }

  @Test
  void JWT_11_missingHeader_isMissingCredentials() {
    assertFailure(Failure.MISSING_CREDENTIALS, null, null);
    assertFailure(Failure.MISSING_CREDENTIALS, " ", null);
    assertEquals(Failure.MISSING_CREDENTIALS,
        assertThrows(JwtAuthenticationException.class, () -> local.authenticate(List.of())).failure());
  }

  @Test
  void JWT_11_otherSchemeOrTwoHeaders_isNotBearer() {
    String token = TestEndpoint.token(WEB, AUDIENCE);
    assertFailure(Failure.NOT_BEARER, "Basic d2ViOnNlY3JldA==", "d2ViOnNlY3JldA==");
    assertFailure(Failure.NOT_BEARER, token, token);
    JwtAuthenticationException twice = assertThrows(JwtAuthenticationException.class,
        () -> local.authenticate(List.of("Bearer " + token, "Bearer " + token)));
    assertEquals(Failure.NOT_BEARER, twice.failure());
    assertFalse(twice.getMessage().contains(token));
  }

  @Test
  void JWT_11_bearerWithoutOneToken_isInvalidToken() {
    assertFailure(Failure.INVALID_TOKEN, "Bearer", null);
    assertFailure(Failure.INVALID_TOKEN, "Bearer a b", null);
  }

  @Test
  void JWT_10_tokenSignedOutsideTheBundle_isInvalidToken() {
    String forged = TestEndpoint.forgedToken(WEB, AUDIENCE);
    assertEquals(Optional.of("JWT-10"), assertFailure(Failure.INVALID_TOKEN, "Bearer " + forged, forged).rule());
  }

  @Test
  void JWT_09_expiredToken_isInvalidToken() {
    String expired = TestEndpoint.expiredToken(WEB, AUDIENCE);
    assertEquals(Optional.of("JWT-09"), assertFailure(Failure.INVALID_TOKEN, "Bearer " + expired, expired).rule());
  }

  @Test
  void JWT_08_tokenForAnotherAudience_isInvalidToken() {
    String token = TestEndpoint.token(WEB, "spiffe://example.org/billing");
    assertEquals(Optional.of("JWT-08"), assertFailure(Failure.INVALID_TOKEN, "Bearer " + token, token).rule());
  }

  @Test
  void viaWorkloadApi_validatesWithValidateJwtSvid() {
    try (TestEndpoint endpoint = TestEndpoint.start(dir.resolve("agent.sock"))) {
      JwtSvidAuthenticator remote = JwtSvidAuthenticator.viaWorkloadApi(endpoint.client(), AUDIENCE);

      assertEquals(WEB, remote.authenticate("Bearer " + TestEndpoint.token(WEB, AUDIENCE)));
      assertEquals(1, endpoint.validateCalls());

      String forged = TestEndpoint.forgedToken(WEB, AUDIENCE);
      JwtAuthenticationException rejected = assertThrows(JwtAuthenticationException.class,
          () -> remote.authenticate("Bearer " + forged));
      assertEquals(Failure.INVALID_TOKEN, rejected.failure());
      assertFalse(rejected.getMessage().contains(forged));
      assertEquals(2, endpoint.validateCalls());

      assertFailure(remote, Failure.INVALID_TOKEN, "Bearer not.a.jwt", "not.a.jwt");
      assertEquals(2, endpoint.validateCalls(), "a malformed token is refused without a call");

      endpoint.failValidation();
      assertFailure(remote, Failure.UNAVAILABLE, "Bearer " + TestEndpoint.token(WEB, AUDIENCE), null);
    }
  }

  @Test
  void failures_mapToRfc6750Answers() {
    JwtAuthenticationException missing = assertFailure(Failure.MISSING_CREDENTIALS, null, null);
    JwtAuthenticationException invalid = assertFailure(Failure.INVALID_TOKEN, "Bearer x", null);
    assertEquals(401, missing.httpStatus());
    assertEquals("Bearer", missing.challenge());
    assertEquals(401, invalid.httpStatus());
    assertEquals("Bearer error=\"invalid_token\"", invalid.challenge());
    JwtAuthenticationException unavailable =
        new JwtAuthenticationException(Failure.UNAVAILABLE, "agent down", null, null);
    assertEquals(503, unavailable.httpStatus());
    assertNull(unavailable.challenge());
  }

  private JwtAuthenticationException assertFailure(Failure expected, String header, String secret) {
    return assertFailure(local, expected, header, secret);
  }

  /** The failure, whose message and causes' messages never contain {@code secret}. */
  private static JwtAuthenticationException assertFailure(JwtSvidAuthenticator authenticator, Failure expected,
      String header, String secret) {
    JwtAuthenticationException e = assertThrows(JwtAuthenticationException.class,
        () -> authenticator.authenticate(header));
    assertEquals(expected, e.failure(), e.getMessage());
    for (Throwable t = e; secret != null && t != null; t = t.getCause()) {
      assertFalse(String.valueOf(t.getMessage()).contains(secret), "leaks the credential: " + t.getMessage());
    }
    return e;
  }
}
