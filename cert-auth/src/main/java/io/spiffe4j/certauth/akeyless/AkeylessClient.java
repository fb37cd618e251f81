package io.spiffe4j.certauth.akeyless;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small typed client for the Akeyless API, through a Gateway or against Akeyless SaaS: authentication
 * ({@code /auth}, with {@code /get-cert-challenge} for certificates) and certificate issuance
 * ({@code /get-pki-certificate}). Every operation is {@code POST <gateway URL>/<operation>} with a JSON body; the
 * gateway URL is used as given, so {@code https://gw:8000/api/v2}, {@code https://gw:8081},
 * {@code https://gw:8080/v2} and {@code https://api.akeyless.io} all work.
 *
 * <p><b>Tokens.</b> The client authenticates lazily on the first call that needs a token, caches the token and
 * authenticates again shortly before it expires (Akeyless's {@code expiration} is read leniently; when it cannot be
 * read, an assumed lifetime applies). If Akeyless refuses a cached token with HTTP 401, the client authenticates
 * once more and repeats the call once. Concurrent callers that need a new token share one authentication.
 *
 * <p><b>Failures</b> are {@link AkeylessException}s. Only HTTP 5xx answers, timeouts and connection failures are
 * retried, with jittered exponential backoff, within the {@link RetryPolicy}'s attempts and total time budget.
 *
 * <p><b>Secrets</b> (access keys, private keys, tokens, cloud identity tokens, signed challenges) never appear in a
 * log line, an exception message or a {@code toString()}. Logging (SLF4J, logger
 * {@code io.spiffe4j.certauth.akeyless.AkeylessClient}) names the operation, status, duration and attempt at DEBUG
 * and retries at WARN; bodies are never logged.
 *
 * <p>Thread-safe; share one client per gateway and identity. {@link #close()} releases its threads.
 */
public final class AkeylessClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AkeylessClient.class);

  private final GatewayUrl gateway;
  private final AkeylessAuth auth;
  private final Transport transport;
  private final Retrier retrier;
  private final Clock clock;
  private final Duration assumedTokenLifetime;
  private final Duration tokenRefreshMargin;

  private final Object lock = new Object();
  private volatile CachedToken cached;
  private CompletableFuture<CachedToken> authenticating;
  private volatile boolean closed;

  private AkeylessClient(Builder builder, SSLContext sslContext) {
    this.gateway = builder.gateway;
    this.auth = builder.auth;
    this.clock = builder.clock;
    this.transport = new Transport(gateway, sslContext, builder.connectTimeout, builder.requestTimeout, clock);
    this.retrier = new Retrier(builder.retryPolicy, clock, builder.sleeper, builder.random);
    this.assumedTokenLifetime = builder.assumedTokenLifetime;
    this.tokenRefreshMargin = builder.tokenRefreshMargin;
  }

  /**
   * Starts a client for the gateway (or SaaS API) URL that authenticates with {@code auth}.
   *
   * @throws AkeylessException of kind {@link Kind#INVALID_INPUT} if the URL is not http(s), has no host, or has
   *     user information, a query or a fragment
   */
  public static Builder builder(String gatewayUrl, AkeylessAuth auth) {
    return new Builder(GatewayUrl.parse(Objects.requireNonNull(gatewayUrl, "gatewayUrl")),
        Objects.requireNonNull(auth, "auth"));
  }

  /**
   * A valid token: the cached one while it is fresh, otherwise a new one from {@code /auth}.
   *
   * @throws AkeylessException if authentication fails
   */
  public AkeylessToken token() {
    checkOpen("auth");
    return token(retrier.deadline());
  }

  /**
   * Asks the request's PKI issuer for a certificate, authenticating first if needed.
   *
   * @throws AkeylessException if authentication or issuance fails, or the answer holds no certificate for the
   *     CSR's key ({@link Kind#PROTOCOL})
   */
  public IssuedCertificate getPkiCertificate(PkiCertificateRequest request) {
    Objects.requireNonNull(request, "request");
    checkOpen(PkiCertificateRequest.OPERATION);
    Instant deadline = retrier.deadline();
    AkeylessToken token = token(deadline);
    try {
      return issue(request, token, deadline);
    } catch (AkeylessException e) {
      if (e.kind() != Kind.UNAUTHENTICATED) {
        throw e;
      }
      LOG.debug("akeyless {}: the token was refused; authenticating again", PkiCertificateRequest.OPERATION);
      forget(token);
      return issue(request, token(deadline), deadline);
    }
  }

  private IssuedCertificate issue(PkiCertificateRequest request, AkeylessToken token, Instant deadline) {
    String op = PkiCertificateRequest.OPERATION;
    ObjectNode answer = retrier.call(op, deadline,
        attempt -> transport.post(request.toApiRequest(token.reveal()), deadline, attempt));
    List<X509Certificate> data = certificates(ApiResponses.requiredText(op, answer, "data"), "data");
    List<X509Certificate> parent = ApiResponses.optionalText(answer, "parent_cert")
        .map(text -> certificates(text, "parent_cert"))
        .orElse(List.of());
    return IssuedCertificate.assemble(data, parent, request.publicKeyInfo(),
        ApiResponses.optionalText(answer, "cert_display_id").orElse(null));
  }

  private static List<X509Certificate> certificates(String text, String field) {
    List<X509Certificate> certificates;
    try {
      certificates = Certificates.parseAnyEncoding(text);
    } catch (IllegalArgumentException e) {
      throw ApiResponses.protocol(PkiCertificateRequest.OPERATION, 0,
          "\"" + field + "\" holds no readable certificate (" + e.getMessage() + ")");
    }
    if (certificates.isEmpty()) {
      throw ApiResponses.protocol(PkiCertificateRequest.OPERATION, 0, "\"" + field + "\" holds no certificate");
    }
    return certificates;
  }

  private AkeylessToken token(Instant deadline) {
    CachedToken current = cached;
    if (current != null && current.freshAt(clock.instant())) {
      return current.token;
    }
    CompletableFuture<CachedToken> flight;
    boolean leader = false;
    synchronized (lock) {
      checkOpen("auth");
      current = cached;
      if (current != null && current.freshAt(clock.instant())) {
        return current.token;
      }
      if (authenticating == null) {
        authenticating = new CompletableFuture<>();
        leader = true;
      }
      flight = authenticating;
    }
    return leader ? lead(flight, deadline) : follow(flight);
  }

  private AkeylessToken lead(CompletableFuture<CachedToken> flight, Instant deadline) {
    try {
      CachedToken fresh = authenticate(deadline);
      synchronized (lock) {
        cached = fresh;
        authenticating = null;
      }
      flight.complete(fresh);
      return fresh.token;
    } catch (RuntimeException | Error e) {
      synchronized (lock) {
        authenticating = null;
      }
      flight.completeExceptionally(e);
      throw e;
    }
  }

  private static AkeylessToken follow(CompletableFuture<CachedToken> flight) {
    try {
      return flight.get().token;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkeylessException(Kind.CLOSED, "auth", "interrupted while waiting for authentication", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AkeylessException) {
        throw ((AkeylessException) e.getCause()).rethrown();
      }
      throw new AkeylessException(Kind.CREDENTIALS, "auth", "authentication failed on another thread", e.getCause());
    }
  }

  private CachedToken authenticate(Instant deadline) {
    ObjectNode answer = retrier.call("auth", deadline, attempt -> {
      AkeylessAuth.Exchange exchange = request -> transport.post(request, deadline, attempt);
      return exchange.post(auth.authRequest(exchange));
    });
    String token = ApiResponses.requiredText("auth", answer, "token");
    Instant now = clock.instant();
    Instant expiresAt = ApiResponses.optionalText(answer, "expiration")
        .flatMap(text -> Expirations.parse(text, now))
        .orElse(null);
    AkeylessToken result = expiresAt != null
        ? new AkeylessToken(token, expiresAt, true)
        : new AkeylessToken(token, now.plus(assumedTokenLifetime), false);
    LOG.debug("akeyless auth: authenticated ({}), token expires at {}{}", auth.accessType(), result.expiresAt(),
        result.expirationFromServer() ? "" : " (assumed)");
    return new CachedToken(result, refreshAt(now, result.expiresAt()));
  }

  /** The margin before expiry, but at most half the lifetime, so short-lived tokens are still used a while. */
  private Instant refreshAt(Instant obtained, Instant expiresAt) {
    Duration half = Duration.between(obtained, expiresAt).dividedBy(2);
    return expiresAt.minus(tokenRefreshMargin.compareTo(half) < 0 ? tokenRefreshMargin : half);
  }

  /** Drops the cached token if it is still {@code refused}, so that a concurrent re-authentication is kept. */
  private void forget(AkeylessToken refused) {
    synchronized (lock) {
      if (cached != null && cached.token == refused) {
        cached = null;
      }
    }
  }

  private void checkOpen(String op) {
    if (closed) {
      throw new AkeylessException(Kind.CLOSED, op, "the client is closed");
    }
  }

  /** Releases the client's threads (and, on JDK 21 and later, its connections). Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      cached = null;
    }
    transport.close();
  }

  @Override
  public String toString() {
    return "AkeylessClient[" + gateway + ", " + auth + "]";
  }

  private static final class CachedToken {
    final AkeylessToken token;
    final Instant refreshAt;

    CachedToken(AkeylessToken token, Instant refreshAt) {
      this.token = token;
      this.refreshAt = refreshAt;
    }

    boolean freshAt(Instant now) {
      return now.isBefore(refreshAt);
    }
  }

  /**
   * Configures an {@link AkeylessClient}. Not thread-safe. Defaults: the JDK's default trust store, connect timeout
   * 10 s, request timeout 15 s, {@link RetryPolicy#defaults()}, the system UTC clock, an assumed token lifetime of
   * 15 minutes when Akeyless's {@code expiration} cannot be read, and a refresh 2 minutes before expiry.
   */
  public static final class Builder {
    private final GatewayUrl gateway;
    private final AkeylessAuth auth;
    private List<X509Certificate> trustedCertificates;
    private Path caBundle;
    private SSLContext sslContext;
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration requestTimeout = Duration.ofSeconds(15);
    private RetryPolicy retryPolicy = RetryPolicy.defaults();
    private Clock clock = Clock.systemUTC();
    private Duration assumedTokenLifetime = Duration.ofMinutes(15);
    private Duration tokenRefreshMargin = Duration.ofMinutes(2);
    private Sleeper sleeper = Sleeper.REAL;
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();

    private Builder(GatewayUrl gateway, AkeylessAuth auth) {
      this.gateway = gateway;
      this.auth = auth;
    }

    /**
     * Trusts exactly the CA certificates in this PEM file for the gateway's TLS (typically a Gateway's private CA),
     * instead of the JDK's trust store. The file is read by {@link #build()}.
     */
    public Builder caBundle(Path pemFile) {
      this.caBundle = Objects.requireNonNull(pemFile, "pemFile");
      return this;
    }

    /** Trusts exactly these CA certificates for the gateway's TLS, instead of the JDK's trust store. */
    public Builder trustedCertificates(Collection<X509Certificate> certificates) {
      List<X509Certificate> copy = List.copyOf(Objects.requireNonNull(certificates, "certificates"));
      if (copy.isEmpty()) {
        throw new IllegalArgumentException("certificates must not be empty");
      }
      this.trustedCertificates = copy;
      return this;
    }

    /** Uses this TLS context as it is (for example one with a client certificate for the gateway). */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** How long to wait for a TCP and TLS connection. Default 10 s. */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = positive(connectTimeout, "connectTimeout");
      return this;
    }

    /** How long one request may wait for its answer. Default 15 s; never longer than the call's budget left. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = positive(requestTimeout, "requestTimeout");
      return this;
    }

    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** The clock for token expiry and the retry budget. Default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** The token lifetime assumed when Akeyless's {@code expiration} is missing or unreadable. Default 15 min. */
    public Builder assumedTokenLifetime(Duration lifetime) {
      this.assumedTokenLifetime = positive(lifetime, "lifetime");
      return this;
    }

    /**
     * How long before expiry to authenticate again; at most half a token's lifetime is used. Default 2 min.
     */
    public Builder tokenRefreshMargin(Duration margin) {
      this.tokenRefreshMargin = positive(margin, "margin");
      return this;
    }

    Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
      return this;
    }

    Builder random(DoubleSupplier random) {
      this.random = Objects.requireNonNull(random, "random");
      return this;
    }

    /**
     * @throws IllegalStateException if more than one of {@link #caBundle}, {@link #trustedCertificates} and
     *     {@link #sslContext} was set
     * @throws AkeylessException of kind {@link Kind#INVALID_INPUT} if the CA bundle cannot be read or holds no
     *     certificate
     */
    public AkeylessClient build() {
      int tlsChoices = (caBundle != null ? 1 : 0) + (trustedCertificates != null ? 1 : 0)
          + (sslContext != null ? 1 : 0);
      if (tlsChoices > 1) {
        throw new IllegalStateException("set only one of caBundle, trustedCertificates and sslContext");
      }
      SSLContext tls = sslContext;
      if (caBundle != null) {
        tls = TrustBundle.sslContext(TrustBundle.read(caBundle));
      } else if (trustedCertificates != null) {
        tls = TrustBundle.sslContext(trustedCertificates);
      }
      return new AkeylessClient(this, tls);
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + duration);
      }
      return duration;
    }
  }
}
