package io.spiffe4j.akeyless.testkit;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;

/**
 * A local, honest Akeyless Gateway for tests. It serves {@code POST /auth}, {@code /get-cert-challenge},
 * {@code /get-pki-certificate}, {@code /create-pki-cert-issuer} and {@code /auth-method-create-cert} under
 * {@code /api/v2/}, {@code /v2/} and {@code /}, on an ephemeral port of the loopback interface, over HTTP or HTTPS,
 * and really checks what it is sent: challenge signatures, certificate chains, bound constraints, JWTs, tokens and
 * issuer policies. Auth methods and PKI issuers are set up through the same-named HTTP operations or, more simply,
 * through this class.
 *
 * <pre>{@code
 * try (AkeylessGateway gateway = AkeylessGateway.builder().https(true).start()) {
 *   String accessId = gateway.createCertAuthMethod(
 *       CertAuthSettings.builder("spire", clientCa).boundUriSans("spiffe://example.org/*").build());
 *   PkiIssuer issuer = gateway.createPkiIssuer(PkiIssuerSettings.builder("spire-ca", Duration.ofHours(24))
 *       .ca(true).keyUsage("CertSign,CRLSign").notRequireCn(true).allowedUriSans("spiffe://example.org").build());
 *   // point the client at gateway.url(), trusting gateway.tlsCaCertificate(); trust issuer.rootCertificate()
 * }
 * }</pre>
 *
 * <p>Answers are {@code application/json} with only the documented snake_case keys; failures are
 * {@code {"error": "..."}}: 401 for every {@code /auth} failure, 400 for every {@code /get-cert-challenge} failure,
 * {@link PkiFailure} statuses for {@code /get-pki-certificate}, 404 for unknown paths, 405 for methods other than
 * POST, 413 for bodies over 1 MiB. See the module README for every choice made where Akeyless is undocumented.
 *
 * <p>Thread-safe. {@link #close()} stops the server and its threads; the set-up methods keep working on a closed
 * gateway but nothing is served any more.
 */
public final class AkeylessGateway implements AutoCloseable {
  private static final int MAX_RECORDS = 10_000;
  private static final int MAX_NAME_LENGTH = 200;
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final String NO_DELAY = "sun.net.httpserver.nodelay";

  static {
    // The JDK server writes headers and body in two segments; with Nagle's algorithm and the client's delayed ACK
    // every answer then waits about 40 ms (measured: 50 ms a call instead of 1). The JDK reads this property once,
    // when its first server starts, so it only helps if no HttpServer ran in this JVM before; a choice made
    // explicitly on the command line is kept.
    if (System.getProperty(NO_DELAY) == null) {
      System.setProperty(NO_DELAY, "true");
    }
  }

  private final Clock clock;
  private final TlsMaterial tls;
  private final AuthService auth;
  private final PkiService pki;
  private final Faults faults = new Faults();
  private final Deque<RequestRecord> records = new ArrayDeque<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ExecutorService executor;
  private final HttpServer server;
  private final URI origin;

  private AkeylessGateway(Builder builder) {
    this.clock = builder.clock;
    this.auth = new AuthService(clock, builder.tokenLifetime, builder.challengeLifetime);
    this.pki = new PkiService(clock, builder.pkiStatuses);
    this.tls = builder.https ? TlsMaterial.generate() : null;
    this.executor = Executors.newCachedThreadPool(runnable -> {
      Thread thread = new Thread(runnable, "spiffe4j-akeyless-gateway-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    try {
      if (tls != null) {
        HttpsServer https = HttpsServer.create(address, 0);
        https.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        this.server = https;
      } else {
        this.server = HttpServer.create(address, 0);
      }
    } catch (IOException e) {
      executor.shutdownNow();
      throw new AkeylessGatewayException("cannot open a port for the Akeyless test gateway", e);
    }
    server.createContext("/", new Router(this));
    server.setExecutor(executor);
    server.start();
    String host = server.getAddress().getAddress().getHostAddress();
    String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    this.origin = URI.create((tls != null ? "https" : "http") + "://" + authority + ":" + server.getAddress().getPort());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The API base, {@code http(s)://127.0.0.1:<port>/api/v2}, without a trailing slash. */
  public URI url() {
    return URI.create(origin + "/api/v2");
  }

  /** Scheme, address and port only, for testing the {@code /v2} and prefix-less paths. */
  public URI origin() {
    return origin;
  }

  public boolean isHttps() {
    return tls != null;
  }

  /**
   * The CA that signed the gateway's HTTPS certificate (for localhost, 127.0.0.1 and ::1): what a client must trust.
   *
   * @throws IllegalStateException if the gateway serves plain HTTP
   */
  public X509Certificate tlsCaCertificate() {
    return requireTls().caCertificate();
  }

  /** {@link #tlsCaCertificate()} as PEM. */
  public String tlsCaPem() {
    return Encodings.pem(List.of(requireTls().caCertificate()));
  }

  /** A fresh client {@link SSLContext} trusting only {@link #tlsCaCertificate()}. */
  public SSLContext clientSslContext() {
    return requireTls().clientContext();
  }

  private TlsMaterial requireTls() {
    if (tls == null) {
      throw new IllegalStateException("this gateway serves plain HTTP; build it with https(true)");
    }
    return tls;
  }

  /** The clock every expiry is judged by. */
  public Clock clock() {
    return clock;
  }

  /**
   * Creates an access-key auth method ({@code access-type} {@code access_key} or {@code api_key}).
   *
   * @throws AkeylessGatewayException if an auth method already has this name
   */
  public AccessKeyCredentials createAccessKeyAuthMethod(String name) {
    return auth.createAccessKey(checkName(name));
  }

  /**
   * Creates a certificate auth method and returns its access ID.
   *
   * @throws AkeylessGatewayException if an auth method already has this name
   */
  public String createCertAuthMethod(CertAuthSettings settings) {
    return auth.createCert(Objects.requireNonNull(settings, "settings"));
  }

  /**
   * Creates a Kubernetes, GCP or Azure AD auth method and returns its access ID.
   *
   * @throws AkeylessGatewayException if an auth method already has this name
   */
  public String createCloudAuthMethod(CloudAuthSettings settings) {
    return auth.createCloud(Objects.requireNonNull(settings, "settings"));
  }

  /**
   * Creates a PKI issuer, generating its CA if the settings ask for one.
   *
   * @throws AkeylessGatewayException if an issuer already has this name, or a given CA key does not belong to its
   *     certificate
   */
  public PkiIssuer createPkiIssuer(PkiIssuerSettings settings) {
    return pki.create(Objects.requireNonNull(settings, "settings"));
  }

  /** The issuer of that name (a leading {@code /} is ignored), if one was created. */
  public Optional<PkiIssuer> pkiIssuer(String name) {
    return pki.find(Objects.requireNonNull(name, "name"));
  }

  /**
   * A valid token, as a successful {@code /auth} would return, for tests that need one without authenticating
   * (for example to call {@code /get-pki-certificate} or the HTTP set-up operations). It expires like any other.
   */
  public String issueToken() {
    return (String) auth.newToken().get("token");
  }

  /**
   * Every token this gateway has issued (from {@code /auth} and {@link #issueToken()}), expired ones included, oldest
   * first: for tests that prove no token reached a log line or an exception message.
   */
  public List<String> issuedTokens() {
    return auth.issuedTokens();
  }

  /** The fault injection knobs of this gateway. */
  public Faults faults() {
    return faults;
  }

  /** Every request answered so far (up to the latest 10,000), oldest first. */
  public List<RequestRecord> requests() {
    synchronized (records) {
      return List.copyOf(records);
    }
  }

  /** How many requests for {@code op} were answered, injected faults included. */
  public long requestCount(Op op) {
    Objects.requireNonNull(op, "op");
    return requests().stream().filter(record -> record.op() == op).count();
  }

  public void clearRequests() {
    synchronized (records) {
      records.clear();
    }
  }

  /** Stops serving and ends the gateway's threads; idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "AkeylessGateway[" + url() + (closed.get() ? ", closed" : "") + "]";
  }

  void record(RequestRecord record) {
    synchronized (records) {
      if (records.size() == MAX_RECORDS) {
        records.removeFirst();
      }
      records.addLast(record);
    }
  }

  AuthService auth() {
    return auth;
  }

  PkiService pki() {
    return pki;
  }

  /** Auth method and issuer names: 1 to 200 characters, no control characters. */
  static String checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException("a name must have 1 to " + MAX_NAME_LENGTH + " characters");
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw new IllegalArgumentException("a name must not contain control characters");
      }
    }
    return name;
  }

  /** Collects the gateway's options; {@link #start()} opens the port. Not thread-safe. */
  public static final class Builder {
    private Clock clock = Clock.systemUTC();
    private boolean https;
    private Duration tokenLifetime = Duration.ofHours(1);
    private Duration challengeLifetime = Duration.ofSeconds(60);
    private final Map<PkiFailure, Integer> pkiStatuses = new EnumMap<>(PkiFailure.class);

    private Builder() {
      for (PkiFailure failure : PkiFailure.values()) {
        pkiStatuses.put(failure, failure.defaultStatus());
      }
    }

    /** The clock for challenge, token, certificate and JWT expiry; the system UTC clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Serve HTTPS with a certificate from a CA generated for this gateway (plain HTTP by default). */
    public Builder https(boolean https) {
      this.https = https;
      return this;
    }

    /** How long tokens from {@code /auth} live; one hour by default. */
    public Builder tokenLifetime(Duration lifetime) {
      this.tokenLifetime = positive(lifetime, "tokenLifetime");
      return this;
    }

    /** How long a challenge from {@code /get-cert-challenge} may be answered; 60 seconds by default, as documented. */
    public Builder challengeLifetime(Duration lifetime) {
      this.challengeLifetime = positive(lifetime, "challengeLifetime");
      return this;
    }

    /** The status {@code /get-pki-certificate} answers for a kind of failure (defaults in {@link PkiFailure}). */
    public Builder pkiFailureStatus(PkiFailure failure, int status) {
      Objects.requireNonNull(failure, "failure");
      if (status < 400 || status > 599) {
        throw new IllegalArgumentException("a failure status must be in 400..599, got " + status);
      }
      pkiStatuses.put(failure, status);
      return this;
    }

    /**
     * Opens the port and starts serving.
     *
     * @throws AkeylessGatewayException if no port can be opened
     */
    public AkeylessGateway start() {
      return new AkeylessGateway(this);
    }

    private static Duration positive(Duration duration, String what) {
      Objects.requireNonNull(duration, what);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(what + " must be positive");
      }
      return duration;
    }
  }
}
