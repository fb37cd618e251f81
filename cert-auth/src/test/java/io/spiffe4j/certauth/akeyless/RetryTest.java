package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retries only on 5xx, timeouts and connection failures, within the attempts and the total budget. */
class RetryTest {
  private final StubGateway gateway = StubGateway.http();
  private final FakeTime time = new FakeTime();

  @AfterEach
  void stop() {
    gateway.close();
  }

  private AkeylessClient client(String url, RetryPolicy policy) {
    return AkeylessClient.builder(url, AkeylessAuth.accessKey("p-1", "ak"))
        .retryPolicy(policy).clock(time).sleeper(time).random(() -> 1.0).build();
  }

  private AkeylessClient client(RetryPolicy policy) {
    return client(gateway.url(), policy);
  }

  @Test
  void serviceUnavailable_isRetriedUntilSuccess() {
    AtomicInteger calls = new AtomicInteger();
    gateway.on("auth", request -> calls.incrementAndGet() <= 2
        ? Reply.error(503, "gateway starting") : Reply.ok("token", "t-1"));
    try (AkeylessClient client = client(RetryPolicy.defaults())) {
      assertEquals("t-1", client.token().reveal());
    }
    assertEquals(3, calls.get());
    assertEquals(List.of(Duration.ofMillis(250), Duration.ofMillis(500)), time.sleeps, "exponential backoff");
  }

  @Test
  void backoffIsJitteredWithinHalfToFullCeiling() {
    gateway.on("auth", request -> Reply.error(502, "bad gateway"));
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
        .retryPolicy(RetryPolicy.builder().maxAttempts(4).initialBackoff(Duration.ofSeconds(1))
            .maxBackoff(Duration.ofSeconds(3)).totalBudget(Duration.ofMinutes(1)).build())
        .clock(time).sleeper(time).random(() -> 0.0).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(Kind.UNAVAILABLE, e.kind());
      assertTrue(e.isRetryable());
      assertEquals(502, e.httpStatus().getAsInt());
    }
    assertEquals(4, gateway.requests("auth").size());
    assertEquals(List.of(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(1500)), time.sleeps,
        "half of 1 s, 2 s and the 3 s cap");
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 403, 404, 409, 429})
  void clientErrors_areNeverRetried(int status) {
    gateway.on("auth", request -> Reply.error(status, "no"));
    try (AkeylessClient client = client(RetryPolicy.defaults())) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertFalse(e.isRetryable());
      assertEquals(status, e.httpStatus().getAsInt());
    }
    assertEquals(1, gateway.requests("auth").size());
    assertTrue(time.sleeps.isEmpty());
  }

  @Test
  void clientErrorOnTheTokenBearingCall_isNotRetried() {
    gateway.on("auth", request -> Reply.ok("token", "t-1"));
    gateway.on("get-pki-certificate", request -> Reply.error(404, "no such issuer"));
    try (AkeylessClient client = client(RetryPolicy.defaults())) {
      assertEquals(Kind.NOT_FOUND, assertThrows(AkeylessException.class, () -> client.getPkiCertificate(
          PkiCertificateRequest.builder("missing").csr(TestPki.csr(TestPki.ecKey(30), "x"))
              .ttl(Duration.ofHours(1)).build())).kind());
    }
    assertEquals(1, gateway.requests("get-pki-certificate").size());
  }

  @Test
  void totalBudget_isNeverExceeded() {
    gateway.on("auth", request -> Reply.error(503, "down"));
    Instant start = time.instant();
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(1000).initialBackoff(Duration.ofSeconds(1))
        .maxBackoff(Duration.ofSeconds(8)).totalBudget(Duration.ofSeconds(20)).build();
    try (AkeylessClient client = client(policy)) {
      assertEquals(Kind.UNAVAILABLE, assertThrows(AkeylessException.class, client::token).kind());
    }
    Duration spent = Duration.between(start, time.instant());
    assertTrue(spent.compareTo(Duration.ofSeconds(20)) < 0, "spent " + spent);
    // Waits of 1, 2, 4, 8 s fill 15 s; the next 8 s would cross the budget, so it is not taken.
    assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
        Duration.ofSeconds(8)), time.sleeps);
    assertEquals(5, gateway.requests("auth").size());
  }

  @Test
  void budgetCoversAuthenticationAndTheCallTogether() {
    AtomicInteger authCalls = new AtomicInteger();
    gateway.on("auth", request -> authCalls.incrementAndGet() <= 3
        ? Reply.error(500, "x") : Reply.ok("token", "t-1"));
    gateway.on("get-pki-certificate", request -> Reply.error(503, "busy"));
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(10).initialBackoff(Duration.ofSeconds(2))
        .maxBackoff(Duration.ofSeconds(2)).totalBudget(Duration.ofSeconds(9)).build();
    Instant start = time.instant();
    try (AkeylessClient client = client(policy)) {
      assertThrows(AkeylessException.class, () -> client.getPkiCertificate(PkiCertificateRequest.builder("i")
          .csr(TestPki.csr(TestPki.ecKey(30), "x")).ttl(Duration.ofHours(1)).build()));
    }
    // Three failed auths wait 2+2+2 s; the pki call may wait once more (8 s) but not a second time (10 s).
    assertEquals(Duration.ofSeconds(8), Duration.between(start, time.instant()));
    assertEquals(2, gateway.requests("get-pki-certificate").size());
  }

  @Test
  void timeout_isRetried() {
    AtomicInteger calls = new AtomicInteger();
    gateway.on("auth", request -> {
      if (calls.incrementAndGet() == 1) {
        Thread.sleep(3_000);
      }
      return Reply.ok("token", "t-1");
    });
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
        .requestTimeout(Duration.ofMillis(300)).clock(time).sleeper(time).build()) {
      assertEquals("t-1", client.token().reveal());
    }
    assertEquals(2, calls.get());
    assertEquals(1, time.sleeps.size());
  }

  @Test
  void requestTimeout_isCutToTheBudgetLeft() {
    gateway.on("auth", request -> {
      Thread.sleep(3_000);
      return Reply.ok("token", "t-1");
    });
    long started = System.nanoTime();
    try (AkeylessClient client = AkeylessClient.builder(gateway.url(), AkeylessAuth.accessKey("p-1", "ak"))
        .retryPolicy(RetryPolicy.builder().totalBudget(Duration.ofMillis(400)).build())
        .requestTimeout(Duration.ofSeconds(30)).build()) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(Kind.UNAVAILABLE, e.kind());
    }
    long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();
    assertTrue(millis < 2_000, "gave up after " + millis + " ms, not the 30 s request timeout");
  }

  @Test
  void connectionRefused_isRetriedThenUnavailable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    try (AkeylessClient client = client("http://127.0.0.1:" + closedPort, RetryPolicy.defaults())) {
      AkeylessException e = assertThrows(AkeylessException.class, client::token);
      assertEquals(Kind.UNAVAILABLE, e.kind());
      assertTrue(e.httpStatus().isEmpty());
    }
    assertEquals(3, time.sleeps.size(), "4 attempts");
  }

  @Test
  void retryPolicyChecksItsArguments() {
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().maxAttempts(0));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder().totalBudget(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> RetryPolicy.builder()
        .initialBackoff(Duration.ofSeconds(5)).maxBackoff(Duration.ofSeconds(1)).build());
    assertEquals(1, RetryPolicy.none().maxAttempts());
  }
}
