package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lazy authentication, token reuse and refresh, re-authentication on 401, one shared authentication. */
class TokenCacheTest {
  private final StubGateway gateway = StubGateway.http();
  private final FakeTime time = new FakeTime(Instant.parse("2026-11-25T10:00:00Z"));
  private final AtomicInteger authCount = new AtomicInteger();

  @AfterEach
  void stop() {
    gateway.close();
  }

  private AkeylessClient client() {
    return AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
        .clock(time).sleeper(time).assumedTokenLifetime(Duration.ofMinutes(10))
        .tokenRefreshMargin(Duration.ofMinutes(1)).build();
  }

  private void authAnswers(String expiration) {
    gateway.on("auth", request -> Reply.ok("token", "t-" + authCount.incrementAndGet(), "expiration", expiration));
  }

  private static PkiCertificateRequest pki() {
    return PkiCertificateRequest.builder("issuer").csr(TestPki.csr(TestPki.ecKey(40), "x"))
        .ttl(Duration.ofHours(1)).build();
  }

  private void pkiIssues() {
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(
        TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1)))));
  }

  @Test
  void authenticatesLazily_andReusesTheTokenWhileFresh() {
    authAnswers("2026-11-25T11:00:00Z");
    pkiIssues();
    try (AkeylessClient client = client()) {
      assertEquals(0, authCount.get(), "no call before one is needed");
      client.getPkiCertificate(pki());
      time.advance(Duration.ofMinutes(58));
      client.getPkiCertificate(pki());
      assertEquals(1, authCount.get());
      assertEquals(List.of("t-1", "t-1"), tokensSent());
    }
  }

  @Test
  void refreshesBeforeExpiry() {
    authAnswers("2026-11-25T11:00:00Z");
    try (AkeylessClient client = client()) {
      AkeylessToken first = client.token();
      assertEquals(Instant.parse("2026-11-25T11:00:00Z"), first.expiresAt());
      assertTrue(first.expirationFromServer());
      time.advance(Duration.ofMinutes(58).plusSeconds(59));
      assertSame(first, client.token());
      time.advance(Duration.ofSeconds(1));
      assertEquals("t-2", client.token().reveal(), "refreshed one minute before expiry");
    }
  }

  @Test
  void shortLivedToken_isRefreshedAtHalfItsLifetime() {
    authAnswers("2026-11-25T10:01:00Z");
    try (AkeylessClient client = client()) {
      client.token();
      time.advance(Duration.ofSeconds(29));
      assertEquals("t-1", client.token().reveal());
      time.advance(Duration.ofSeconds(1));
      assertEquals("t-2", client.token().reveal());
    }
  }

  @Test
  void unreadableExpiration_fallsBackToTheAssumedLifetime() {
    for (String expiration : List.of("soon", "", "2020-01-01T00:00:00Z", "-5")) {
      authCount.set(0);
      authAnswers(expiration);
      try (AkeylessClient client = client()) {
        AkeylessToken token = client.token();
        assertFalse(token.expirationFromServer(), expiration);
        assertEquals(time.instant().plus(Duration.ofMinutes(10)), token.expiresAt(), expiration);
        time.advance(Duration.ofMinutes(9));
        assertEquals("t-2", client.token().reveal(), expiration);
      }
    }
  }

  @Test
  void missingExpiration_fallsBackToTheAssumedLifetime() {
    gateway.on("auth", request -> Reply.ok("token", "t-x"));
    try (AkeylessClient client = client()) {
      AkeylessToken token = client.token();
      assertFalse(token.expirationFromServer());
      assertEquals(time.instant().plus(Duration.ofMinutes(10)), token.expiresAt());
    }
  }

  @Test
  void expirationFormats_areReadLeniently() {
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    Instant expected = Instant.parse("2026-11-25T11:00:00Z");
    for (String text : List.of("2026-11-25T11:00:00Z", "2026-11-25T12:00:00+01:00", "2026-11-25 11:00:00Z",
        "2026-11-25T11:00:00.000000000Z", "2026-11-25 11:00:00 +0000 UTC",
        "2026-11-25 11:00:00.123 +0000 UTC m=+3600.000000001", "2026-11-25 12:00:00 +0100 CET",
        Long.toString(expected.getEpochSecond()), Long.toString(expected.toEpochMilli()),
        expected.getEpochSecond() + ".5", " 2026-11-25T11:00:00Z ")) {
      Optional<Instant> parsed = Expirations.parse(text, now);
      assertEquals(expected, parsed.orElseThrow(() -> new AssertionError(text)).truncatedTo(
          java.time.temporal.ChronoUnit.SECONDS), text);
    }
    for (String text : List.of("", "tomorrow", "2026-13-45T00:00:00Z", "99999999999999999999",
        "2026-11-25T09:00:00Z", "0", "1e9", "NaN")) {
      assertEquals(Optional.empty(), Expirations.parse(text, now), text);
    }
  }

  @Test
  void numericExpiration_isAccepted() {
    Instant expiry = time.instant().plus(Duration.ofMinutes(30));
    gateway.on("auth", request -> Reply.ok("token", "t-n", "expiration", expiry.getEpochSecond()));
    try (AkeylessClient client = client()) {
      assertEquals(expiry, client.token().expiresAt());
    }
  }

  @Test
  void unauthorizedOnTokenBearingCall_reauthenticatesOnceAndRetries() {
    authAnswers("2026-11-25T11:00:00Z");
    AtomicInteger pkiCalls = new AtomicInteger();
    gateway.on("get-pki-certificate", request -> {
      if (pkiCalls.incrementAndGet() == 2) {
        return Reply.error(401, "token revoked");
      }
      return Reply.ok("data", TestPki.pem(
          TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1))));
    });
    try (AkeylessClient client = client()) {
      client.getPkiCertificate(pki());
      client.getPkiCertificate(pki());
    }
    assertEquals(2, authCount.get());
    assertEquals(List.of("t-1", "t-1", "t-2"), tokensSent());
  }

  @Test
  void unauthorizedTwice_failsAfterExactlyOneReauthentication() {
    authAnswers("2026-11-25T11:00:00Z");
    gateway.on("get-pki-certificate", request -> Reply.error(401, "not allowed"));
    try (AkeylessClient client = client()) {
      AkeylessException e = assertThrows(AkeylessException.class, () -> client.getPkiCertificate(pki()));
      assertEquals(Kind.UNAUTHENTICATED, e.kind());
      assertEquals("get-pki-certificate", e.operation());
    }
    assertEquals(2, authCount.get());
    assertEquals(List.of("t-1", "t-2"), tokensSent());
  }

  @Test
  void unauthorizedOnAuth_isNotRetried() {
    gateway.on("auth", request -> {
      authCount.incrementAndGet();
      return Reply.error(401, "access denied");
    });
    try (AkeylessClient client = client()) {
      assertThrows(AkeylessException.class, () -> client.getPkiCertificate(pki()));
    }
    assertEquals(1, authCount.get());
    assertTrue(gateway.requests("get-pki-certificate").isEmpty());
  }

  @Test
  void concurrentCallers_shareOneAuthentication() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    gateway.on("auth", request -> {
      authCount.incrementAndGet();
      release.await(10, TimeUnit.SECONDS);
      return Reply.ok("token", "t-shared", "expiration", "2026-11-25T11:00:00Z");
    });
    int callers = 8;
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try (AkeylessClient client = client()) {
      List<Future<String>> tokens = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        tokens.add(pool.submit(() -> client.token().reveal()));
      }
      while (authCount.get() == 0) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      release.countDown();
      for (Future<String> token : tokens) {
        assertEquals("t-shared", token.get(10, TimeUnit.SECONDS));
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, authCount.get());
  }

  @Test
  void concurrentCallers_allSeeTheSharedFailure() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    gateway.on("auth", request -> {
      authCount.incrementAndGet();
      release.await(10, TimeUnit.SECONDS);
      return Reply.error(401, "denied");
    });
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try (AkeylessClient client = client()) {
      List<Future<AkeylessException>> failures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        failures.add(pool.submit(() -> assertThrows(AkeylessException.class, client::token)));
      }
      while (authCount.get() == 0) {
        Thread.sleep(5);
      }
      Thread.sleep(100);
      release.countDown();
      for (Future<AkeylessException> failure : failures) {
        assertEquals(Kind.UNAUTHENTICATED, failure.get(10, TimeUnit.SECONDS).kind());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, authCount.get());
  }

  @Test
  void closedClient_refusesCalls() {
    authAnswers("2026-11-25T11:00:00Z");
    AkeylessClient client = client();
    client.token();
    client.close();
    client.close();
    assertEquals(Kind.CLOSED, assertThrows(AkeylessException.class, client::token).kind());
    assertEquals(Kind.CLOSED, assertThrows(AkeylessException.class, () -> client.getPkiCertificate(pki())).kind());
  }

  private List<String> tokensSent() {
    List<String> tokens = new ArrayList<>();
    gateway.requests("get-pki-certificate").forEach(r -> tokens.add(r.body.get("token").asText()));
    return tokens;
  }
}
