package io.spiffe4j.akeyless.testkit;

import static io.spiffe4j.akeyless.testkit.GatewayHttp.body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AccessKeyAuthTest {
  private static final MutableClock CLOCK = MutableClock.at(Fixtures.START);
  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static AccessKeyCredentials credentials;

  @BeforeAll
  static void start() {
    gateway = AkeylessGateway.builder().clock(CLOCK).tokenLifetime(Duration.ofMinutes(30)).start();
    http = new GatewayHttp(gateway);
    credentials = gateway.createAccessKeyAuthMethod("ci");
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"access_key", "api_key"})
  void accessKeyAndApiKeyAreTheSameAccessType(String accessType) {
    GatewayHttp.Reply reply = http.post("auth", body("access-type", accessType, "access-id", credentials.accessId(),
        "access-key", credentials.accessKey())).assertOk();
    assertTrue(reply.text("token").matches("t-[0-9a-f]{32}"), reply.body);
    assertEquals(List.of("token", "expiration"), fieldNames(reply));
  }

  @Test
  void everyIssuedTokenIsListed_expiredOnesToo() {
    String fromAuth = http.post("auth", body("access-id", credentials.accessId(),
        "access-key", credentials.accessKey())).assertOk().text("token");
    CLOCK.advance(Duration.ofHours(1));
    String issued = gateway.issueToken();
    List<String> tokens = gateway.issuedTokens();
    assertTrue(tokens.indexOf(fromAuth) >= 0 && tokens.indexOf(fromAuth) < tokens.indexOf(issued), tokens::toString);
    assertFalse(gateway.auth().isValidToken(fromAuth), "expired, and still listed");
  }

  @Test
  void accessTypeDefaultsToAccessKey() {
    http.post("auth", body("access-id", credentials.accessId(), "access-key", credentials.accessKey())).assertOk();
  }

  @Test
  void expirationIsRfc3339AtTheConfiguredTokenLifetime() {
    GatewayHttp.Reply reply = http.post("auth", body("access-id", credentials.accessId(),
        "access-key", credentials.accessKey())).assertOk();
    Instant expiration = OffsetDateTime.parse(reply.text("expiration")).toInstant();
    assertEquals(CLOCK.instant().plus(Duration.ofMinutes(30)), expiration);
  }

  @Test
  void gsonEscapedEqualsSignsAndTheSdkDefaultsOfOtherMethodsAreAccepted() {
    // What Akeyless's Java SDK really sends: '=' escaped as \u003d and every other method's defaults.
    String escapedKey = credentials.accessKey().replace("=", "\\u003d");
    assertTrue(escapedKey.contains("\\u003d"), "the access key ends in '=' padding");
    String raw = "{\"access-id\":\"" + credentials.accessId() + "\",\"access-key\":\"" + escapedKey + "\","
        + "\"access-type\":\"access_key\",\"azure-cloud\":\"AzureCloud\",\"gcp-audience\":\"akeyless.io\","
        + "\"json\":false,\"oci-auth-type\":\"apikey\",\"oci-group-ocid\":[],\"some-future-key\":{\"x\":1}}";
    assertEquals(200, http.send(java.net.URI.create(gateway.url() + "/auth"), "POST", raw).status);
  }

  @Test
  void wrongKeyIsRefused() {
    http.post("auth", body("access-id", credentials.accessId(), "access-key", "d3JvbmcK"))
        .assertError(401, "wrong access key");
  }

  @Test
  void missingKeyIsRefused() {
    http.post("auth", body("access-id", credentials.accessId())).assertError(401, "access-key is required");
  }

  @Test
  void unknownAccessIdIsRefused() {
    http.post("auth", body("access-id", "p-doesnotexist", "access-key", credentials.accessKey()))
        .assertError(401, "unknown access id");
  }

  @Test
  void anotherAccessTypeForAnAccessKeyMethodIsRefused() {
    http.post("auth", body("access-type", "cert", "access-id", credentials.accessId(),
        "access-key", credentials.accessKey())).assertError(401, "access-type does not match");
  }

  @Test
  void tokensExpireByTheGatewayClock() {
    MutableClock clock = MutableClock.at(Fixtures.START);
    try (AkeylessGateway shortLived = AkeylessGateway.builder().clock(clock).tokenLifetime(Duration.ofMinutes(5))
        .start()) {
      shortLived.createPkiIssuer(PkiIssuerSettings.builder("issuer", Duration.ofHours(1)).build());
      GatewayHttp client = new GatewayHttp(shortLived);
      AccessKeyCredentials access = shortLived.createAccessKeyAuthMethod("short");
      String token = client.post("auth", body("access-id", access.accessId(), "access-key", access.accessKey()))
          .assertOk().text("token");
      // A request that passes the token check and fails on the missing CSR proves the token was accepted.
      client.post("get-pki-certificate", body("token", token, "cert-issuer-name", "issuer"))
          .assertError(400, "csr-data-base64 or key-data-base64 is required");
      clock.advance(Duration.ofMinutes(5));
      client.post("get-pki-certificate", body("token", token, "cert-issuer-name", "issuer"))
          .assertError(401, "token is missing, unknown or expired");
    }
  }

  @Test
  void namesAreUniqueAcrossAuthMethods() {
    gateway.createAccessKeyAuthMethod("unique");
    AkeylessGatewayException e = org.junit.jupiter.api.Assertions.assertThrows(AkeylessGatewayException.class,
        () -> gateway.createAccessKeyAuthMethod("unique"));
    assertTrue(e.getMessage().contains("already exists"));
  }

  @Test
  void credentialsNeverShowTheKey() {
    assertFalse(credentials.toString().contains(credentials.accessKey()));
    assertTrue(credentials.accessKey().endsWith("="), "32 random bytes in standard base64");
  }

  private static List<String> fieldNames(GatewayHttp.Reply reply) {
    List<String> names = new java.util.ArrayList<>();
    reply.json.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
