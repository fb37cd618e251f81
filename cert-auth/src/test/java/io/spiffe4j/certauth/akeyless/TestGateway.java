package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.MutableClock;
import io.spiffe4j.akeyless.testkit.RequestRecord;
import io.spiffe4j.certauth.SuiteSecrets;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Supplier;
import org.junit.jupiter.api.function.Executable;

/**
 * The Akeyless testkit's gateway over HTTPS, on a {@link MutableClock}, with the bookkeeping the round-trip tests
 * share: clients that trust the gateway's TLS CA and follow its clock, secrets registered with {@link SuiteSecrets}
 * (access keys, identity tokens, and on {@link #close()} every token the gateway issued), and the assertion that a
 * refusal carries the gateway's own reason. Not thread-safe; one per test or test class.
 */
public final class TestGateway implements AutoCloseable {
  public final MutableClock clock;
  public final AkeylessGateway gateway;

  /** A gateway whose tokens live for an hour. */
  public TestGateway() {
    this(Duration.ofHours(1));
  }

  public TestGateway(Duration tokenLifetime) {
    this(MutableClock.startingNow(), tokenLifetime);
  }

  public TestGateway(MutableClock clock, Duration tokenLifetime) {
    this.clock = clock;
    this.gateway = AkeylessGateway.builder().clock(clock).https(true).tokenLifetime(tokenLifetime).start();
  }

  /**
   * A client builder for this gateway: trusting only its TLS CA, on its clock, and waiting between retries by
   * moving that clock rather than sleeping.
   */
  public AkeylessClient.Builder client(AkeylessAuth auth) {
    SuiteSecrets.observeToString(auth);
    return AkeylessClient.builder(gateway.url().toString(), auth)
        .trustedCertificates(List.of(gateway.tlsCaCertificate()))
        .clock(clock)
        .sleeper(clock::advance);
  }

  /** {@link #client(AkeylessAuth)}, built. */
  public AkeylessClient open(AkeylessAuth auth) {
    return SuiteSecrets.observeToString(client(auth).build());
  }

  /** An access-key auth method; its key is registered as a secret. */
  public AccessKeyCredentials accessKeyMethod(String name) {
    AccessKeyCredentials credentials = SuiteSecrets.observeToString(gateway.createAccessKeyAuthMethod(name));
    SuiteSecrets.secret("access key", credentials.accessKey());
    return credentials;
  }

  /** An identity token supplier that registers each token it hands out (a JWT, sent base64-encoded). */
  public static IdentityTokenSupplier identityToken(Supplier<String> jwt) {
    return () -> SuiteSecrets.bearerToken("identity token", jwt.get());
  }

  /**
   * Runs {@code call}, which must fail with {@code kind}, and checks that the exception carries the gateway's own
   * reason: {@code serverError} is exactly what the gateway answered last, with that answer's status.
   */
  public AkeylessException refused(Kind kind, String reason, Executable call) {
    AkeylessException e = SuiteSecrets.assertThrows(AkeylessException.class, call);
    assertEquals(kind, e.kind(), e::getMessage);
    assertEquals(Optional.of(reason), e.serverError(), e::getMessage);
    RequestRecord last = lastRequest();
    assertEquals(Optional.of(reason), last.error(), "the gateway's own answer");
    assertEquals(OptionalInt.of(last.status()), e.httpStatus());
    assertTrue(e.getMessage().contains(reason), e::getMessage);
    return e;
  }

  public RequestRecord lastRequest() {
    List<RequestRecord> requests = gateway.requests();
    return requests.get(requests.size() - 1);
  }

  /** Registers every token the gateway issued, then stops it. */
  @Override
  public void close() {
    gateway.issuedTokens().forEach(token -> SuiteSecrets.secret("gateway token", token));
    gateway.close();
  }
}
