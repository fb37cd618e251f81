package io.spiffe4j.workloadapi.server;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.X509Context;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link IdentityProvider} for one SPIFFE ID that mints its own SVIDs with spiffe4j's minting primitive: a
 * one-workload trust domain for tests, demos and local development. (A real authority, with registration entries
 * and an upstream, implements the SPI on its own.)
 *
 * <ul>
 *   <li><b>X.509.</b> An X509-SVID with a fresh key for every issue, signed by a CA: a self-signed EC P-256 CA
 *       created by the builder (valid for a year), or one given to it. The CA is the trust domain's X.509 bundle.
 *       The SVID is valid for {@code svidTtl} (1 h by default, never beyond the CA) and re-issued at half-life, or
 *       at once by {@link #rotate()}; each issue is signalled to subscribers, so a server pushes it to its streams.
 *   <li><b>JWT.</b> JWT-SVIDs minted on every request, valid for {@code jwtSvidTtl} (5 min by default), signed by
 *       one JWT authority with a key ID (a random EC P-256 key by default), which is the trust domain's JWT bundle.
 *   <li><b>Federation.</b> Bundles of other trust domains given to the builder are served beside the own one.
 *   <li><b>Time.</b> Validity, half-life and JWT validation follow the builder's {@link Clock}. The half-life timer
 *       runs on real time and re-reads the clock when it fires; with a clock that tests move, call {@link #rotate()}.
 * </ul>
 *
 * <p>{@link #revoke()} withdraws the identity (callers then get {@code PERMISSION_DENIED}, as a workload whose
 * registration was deleted); {@link Builder#startWithoutIdentity()} starts that way, as one not registered yet.
 *
 * <p>Thread-safe. It owns one daemon timer thread ({@code spiffe4j-workloadapi-server-rotation-*}) from its first
 * issue until {@link #close()}, which stops rotating; the last state stays served.
 */
public final class MintingIdentityProvider implements IdentityProvider, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MintingIdentityProvider.class);
  private static final Duration CA_TTL = Duration.ofDays(365);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final SpiffeId id;
  private final String hint;
  private final Duration svidTtl;
  private final Duration jwtSvidTtl;
  private final KeyAlgorithm keyAlgorithm;
  private final X509Certificate ca;
  private final PrivateKey caKey;
  private final String jwtKeyId;
  private final PrivateKey jwtKey;
  private final SpiffeBundle bundle;
  private final BundleSet bundles;
  private final Clock clock;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  private final Object lock = new Object();
  private volatile X509Context current;
  private ScheduledThreadPoolExecutor timer;
  private ScheduledFuture<?> rotation;
  private boolean closed;

  private MintingIdentityProvider(Builder builder) {
    this.id = builder.id;
    this.hint = builder.hint;
    this.svidTtl = builder.svidTtl;
    this.jwtSvidTtl = builder.jwtSvidTtl;
    this.keyAlgorithm = builder.keyAlgorithm;
    this.clock = builder.clock;
    if (builder.ca != null) {
      this.ca = builder.ca;
      this.caKey = builder.caKey;
    } else {
      KeyPair key = KeyAlgorithm.EC_P256.generate();
      this.ca = CertificateMinter.ca(key.getPublic(), id.trustDomain().id())
          .validFor(clock.instant(), CA_TTL)
          .sign(key.getPrivate());
      this.caKey = key.getPrivate();
    }
    KeyPair jwtAuthority = builder.jwtKey != null ? builder.jwtKey : KeyAlgorithm.EC_P256.generate();
    this.jwtKeyId = builder.jwtKeyId != null ? builder.jwtKeyId : randomKeyId();
    this.jwtKey = jwtAuthority.getPrivate();
    this.bundle = SpiffeBundle.of(id.trustDomain(), List.of(ca), Map.of(jwtKeyId, jwtAuthority.getPublic()));
    List<SpiffeBundle> all = new ArrayList<>(builder.federated);
    all.add(bundle);
    this.bundles = BundleSet.of(all);
  }

  /** A builder for a provider of {@code id}, which must not be a trust domain's root ID. */
  public static Builder builder(SpiffeId id) {
    return new Builder(id);
  }

  private static String randomKeyId() {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** The identity this provider issues. */
  public SpiffeId id() {
    return id;
  }

  /** The own trust domain's bundle: the CA and the JWT authority. */
  public SpiffeBundle bundle() {
    return bundle;
  }

  /**
   * Issues a new X509-SVID with a new key now, the first one if there is none, and signals subscribers. The next
   * rotation is due at its half-life.
   *
   * @throws IllegalStateException if the provider is closed, or its CA has expired
   */
  public void rotate() {
    synchronized (lock) {
      checkOpen();
      issue();
    }
    signal();
  }

  /** Guarded by {@code lock}. */
  private void issue() {
    Instant now = clock.instant();
    Duration ttl = min(svidTtl, Duration.between(now, ca.getNotAfter().toInstant()));
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalStateException("the CA of " + id.trustDomain() + " expired at " + ca.getNotAfter().toInstant());
    }
    KeyPair key = keyAlgorithm.generate();
    X509Certificate leaf = CertificateMinter.x509Svid(key.getPublic(), id)
        .validFor(now, ttl)
        .issuedBy(ca, caKey)
        .sign(null);
    current = new X509Context(List.of(X509Svid.of(List.of(leaf), key.getPrivate()).withHint(hint)), bundles);
    scheduleRotation(now.plus(ttl.dividedBy(2)));
  }

  /**
   * Withdraws the identity: callers get {@code PERMISSION_DENIED} and open streams end with it, until
   * {@link #rotate()} issues a new one.
   *
   * @throws IllegalStateException if the provider is closed
   */
  public void revoke() {
    synchronized (lock) {
      checkOpen();
      current = null;
      if (rotation != null) {
        rotation.cancel(false);
        rotation = null;
      }
    }
    signal();
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the identity provider of " + id + " is closed");
    }
  }

  /** Guarded by {@code lock}. */
  private void scheduleRotation(Instant due) {
    if (rotation != null) {
      rotation.cancel(false);
    }
    if (timer == null) {
      timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "spiffe4j-workloadapi-server-rotation-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      timer.setRemoveOnCancelPolicy(true);
    }
    long delay = Math.max(0, Duration.between(clock.instant(), due).toNanos());
    rotation = timer.schedule(() -> rotateIfDue(due), delay, TimeUnit.NANOSECONDS);
  }

  /** The timer's task: the clock, not the timer, says whether the half-life has come. */
  private void rotateIfDue(Instant due) {
    synchronized (lock) {
      if (closed || current == null) {
        return;
      }
      if (clock.instant().isBefore(due)) {
        scheduleRotation(due);
        return;
      }
      try {
        issue();
      } catch (RuntimeException e) {
        LOG.error("cannot re-issue the X509-SVID of {}; it expires at {}", id, current.defaultSvid().expiresAt(), e);
        return;
      }
    }
    signal();
  }

  private void signal() {
    for (Runnable listener : listeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        LOG.warn("a listener of the identity provider of {} failed", id, e);
      }
    }
  }

  @Override
  public Optional<X509Context> x509Context() {
    return Optional.ofNullable(current);
  }

  @Override
  public BundleSet jwtBundles() {
    return bundles;
  }

  /** A JWT-SVID of this provider's ID for the audiences, if it has an identity and {@code subject} is empty or it. */
  @Override
  public List<JwtSvid> mintJwtSvids(List<String> audiences, Optional<SpiffeId> subject) {
    Objects.requireNonNull(audiences, "audiences");
    Objects.requireNonNull(subject, "subject");
    if (current == null || (subject.isPresent() && !subject.get().equals(id))) {
      return List.of();
    }
    Instant now = clock.instant();
    String token = JwtSvidMinter.forSubject(id)
        .audience(audiences.toArray(new String[0]))
        .issuedAt(now)
        .expiry(now.plus(jwtSvidTtl))
        .keyId(jwtKeyId)
        .sign(jwtKey);
    return List.of(JwtSvid.parseInsecure(token));
  }

  @Override
  public Subscription subscribe(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** As the default, with time judged by this provider's clock, which minted the tokens. */
  @Override
  public JwtSvid validateJwtSvid(String token, String audience) {
    return JwtSvidValidator.builder().bundleSource(bundles).expectAudience(audience).clock(clock).build()
        .validate(token);
  }

  /** Stops rotating and ends the timer thread. The last state stays available. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** The ID, whether an SVID is issued and until when; never a key. */
  @Override
  public String toString() {
    X509Context context = current;
    return "MintingIdentityProvider{id=" + id
        + (context == null ? ", no identity" : ", expiresAt=" + context.defaultSvid().expiresAt()) + "}";
  }

  /** Settings of a {@link MintingIdentityProvider}. Not thread-safe. */
  public static final class Builder {
    private final SpiffeId id;
    private String hint = "";
    private Duration svidTtl = Duration.ofHours(1);
    private Duration jwtSvidTtl = Duration.ofMinutes(5);
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
    private X509Certificate ca;
    private PrivateKey caKey;
    private String jwtKeyId;
    private KeyPair jwtKey;
    private final List<SpiffeBundle> federated = new ArrayList<>();
    private Clock clock = Clock.systemUTC();
    private boolean startWithoutIdentity;

    private Builder(SpiffeId id) {
      this.id = Objects.requireNonNull(id, "id");
      if (id.isRootPath()) {
        throw new IllegalArgumentException("an X509-SVID cannot carry the trust domain's root ID " + id + " (X509-04)");
      }
    }

    /** The operator hint served with the SVID (WAPI-15); default none. */
    public Builder hint(String hint) {
      this.hint = Objects.requireNonNull(hint, "hint");
      return this;
    }

    /**
     * How long each X509-SVID is valid; default 1 h. It is re-issued at half-life.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder svidTtl(Duration ttl) {
      this.svidTtl = positive(ttl, "svidTtl");
      return this;
    }

    /**
     * How long each JWT-SVID is valid; default 5 min.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder jwtSvidTtl(Duration ttl) {
      this.jwtSvidTtl = positive(ttl, "jwtSvidTtl");
      return this;
    }

    /**
     * The key type of the X509-SVIDs; default EC P-256. X509-SVIDs allow EC P-256 and P-384, RSA of 2048 bits and
     * more, and Ed25519.
     */
    public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
      this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      return this;
    }

    /**
     * The CA that signs the X509-SVIDs and is the trust domain's X.509 bundle, instead of a new self-signed one.
     *
     * @throws IllegalArgumentException if the certificate is not a CA
     */
    public Builder ca(X509Certificate certificate, PrivateKey key) {
      Objects.requireNonNull(certificate, "certificate");
      Objects.requireNonNull(key, "key");
      if (certificate.getBasicConstraints() < 0) {
        throw new IllegalArgumentException("the CA certificate is not a CA (no basic constraints cA=true)");
      }
      this.ca = certificate;
      this.caKey = key;
      return this;
    }

    /**
     * The JWT authority that signs the JWT-SVIDs, with its key ID, instead of a new EC P-256 key with a random one.
     *
     * @throws IllegalArgumentException if the key ID is empty (JWT-12)
     */
    public Builder jwtAuthority(String keyId, KeyPair key) {
      Objects.requireNonNull(keyId, "keyId");
      if (keyId.isEmpty()) {
        throw new IllegalArgumentException("a JWT authority needs a non-empty key ID (JWT-12)");
      }
      this.jwtKeyId = keyId;
      this.jwtKey = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * Adds the bundle of a federated trust domain, served beside the own one.
     *
     * @throws IllegalArgumentException if it is of the own trust domain, or of one already added
     */
    public Builder federatedBundle(SpiffeBundle bundle) {
      Objects.requireNonNull(bundle, "bundle");
      TrustDomain trustDomain = bundle.trustDomain();
      if (trustDomain.equals(id.trustDomain())
          || federated.stream().anyMatch(b -> b.trustDomain().equals(trustDomain))) {
        throw new IllegalArgumentException("trust domain " + trustDomain + " already has a bundle");
      }
      federated.add(bundle);
      return this;
    }

    /** The clock of validity, half-life and JWT validation; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** Starts with no identity, as a workload not registered yet: the first
     * {@link MintingIdentityProvider#rotate()} issues one. */
    public Builder startWithoutIdentity() {
      this.startWithoutIdentity = true;
      return this;
    }

    /**
     * The provider, with its first X509-SVID issued unless {@link #startWithoutIdentity()} was called.
     *
     * @throws io.spiffe4j.svid.x509.X509SvidException if the key algorithm is one X509-SVIDs do not allow
     * @throws IllegalStateException if the given CA has expired
     */
    public MintingIdentityProvider build() {
      MintingIdentityProvider provider = new MintingIdentityProvider(this);
      if (!startWithoutIdentity) {
        try {
          provider.rotate();
        } catch (RuntimeException e) {
          provider.close();
          throw e;
        }
      }
      return provider;
    }

    private static Duration positive(Duration duration, String name) {
      Objects.requireNonNull(duration, name);
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException(name + " must be positive: " + duration);
      }
      return duration;
    }
  }
}
