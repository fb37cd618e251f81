package io.spiffe4j.workloadapi.server;

import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.authority.UpstreamAuthorities;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.workloadapi.X509Context;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link IdentityProvider} for one SPIFFE ID with a trust domain of its own: a one-workload trust domain for tests,
 * demos and local development, in one builder call. It is a {@link SpiffeAuthority} and an
 * {@link AuthorityIdentityProvider} of that one identity, made and owned together.
 *
 * <ul>
 *   <li><b>X.509.</b> An X509-SVID with a fresh key for every issue, signed by the authority's CA: a self-signed
 *       EC P-256 CA valid for a year, which is the trust domain's X.509 bundle; or, when a CA is given to the
 *       builder, an intermediate CA it signs, with the given CA as the bundle. The SVID is valid for {@code svidTtl}
 *       (1 h by default, never beyond the CA) and re-issued at half-life, or at once by {@link #rotate()}; each
 *       issue is signalled to subscribers, so a server pushes it. The CA rotates as the authority's do.
 *   <li><b>JWT.</b> JWT-SVIDs minted on every request, valid for {@code jwtSvidTtl} (5 min by default), signed by
 *       the authority's JWT key (a random EC P-256 key with a random key ID by default), which is the trust domain's
 *       JWT bundle.
 *   <li><b>Federation.</b> Bundles of other trust domains given to the builder are served beside the own one.
 *   <li><b>Time.</b> Validity, half-life and JWT validation follow the builder's {@link Clock}. The timer runs on
 *       real time and re-reads the clock when it fires; with a clock that tests move, call {@link #rotate()}.
 * </ul>
 *
 * <p>{@link #revoke()} withdraws the identity (callers then get {@code PERMISSION_DENIED}, as a workload whose
 * registration was deleted); {@link Builder#startWithoutIdentity()} starts that way, as one not registered yet.
 *
 * <p>Thread-safe. It owns one daemon timer thread ({@code spiffe4j-workloadapi-server-rotation-*}), shared by the
 * SVID half-life and the CA rotation, until {@link #close()}, which stops both; the last state stays served.
 */
public final class MintingIdentityProvider implements IdentityProvider, AutoCloseable {
  private static final Duration CA_TTL = Duration.ofDays(365);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final SpiffeId id;
  private final String hint;
  private final ScheduledThreadPoolExecutor timer;
  private final SpiffeAuthority authority;
  private final AuthorityIdentityProvider provider;
  private final Object lock = new Object();
  private boolean closed;

  private MintingIdentityProvider(Builder builder, ScheduledThreadPoolExecutor timer, SpiffeAuthority authority,
      AuthorityIdentityProvider provider) {
    this.id = builder.id;
    this.hint = builder.hint;
    this.timer = timer;
    this.authority = authority;
    this.provider = provider;
  }

  /** A builder for a provider of {@code id}, which must not be a trust domain's root ID. */
  public static Builder builder(SpiffeId id) {
    return new Builder(id);
  }

  /** The identity this provider issues. */
  public SpiffeId id() {
    return id;
  }

  /** The own trust domain's bundle: the CA (or the given CA) and the JWT authority, as the authority has them now. */
  public SpiffeBundle bundle() {
    return authority.bundle();
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
      provider.register(id, hint);
    }
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
      provider.deregister(id);
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the identity provider of " + id + " is closed");
    }
  }

  @Override
  public Optional<X509Context> x509Context() {
    return provider.x509Context();
  }

  @Override
  public BundleSet jwtBundles() {
    return provider.jwtBundles();
  }

  /** A JWT-SVID of this provider's ID for the audiences, if it has an identity and {@code subject} is empty or it. */
  @Override
  public List<JwtSvid> mintJwtSvids(List<String> audiences, Optional<SpiffeId> subject) {
    return provider.mintJwtSvids(audiences, subject);
  }

  @Override
  public Subscription subscribe(Runnable listener) {
    return provider.subscribe(listener);
  }

  /** As the default, with time judged by this provider's clock, which minted the tokens. */
  @Override
  public JwtSvid validateJwtSvid(String token, String audience) {
    return provider.validateJwtSvid(token, audience);
  }

  /** Stops rotating and ends the timer thread. The last state stays available. Idempotent. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
    }
    provider.close();
    authority.close();
    timer.shutdownNow();
  }

  /** The ID, whether an SVID is issued and until when; never a key. */
  @Override
  public String toString() {
    Optional<X509Context> context = provider.x509Context();
    return "MintingIdentityProvider{id=" + id
        + (context.isEmpty() ? ", no identity" : ", expiresAt=" + context.get().defaultSvid().expiresAt()) + "}";
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
     * The CA that is the trust domain's X.509 bundle, instead of a new self-signed one. It signs the authority's
     * intermediate CAs (an {@linkplain UpstreamAuthorities#of(X509Certificate, PrivateKey) upstream} in memory),
     * which sign the X509-SVIDs; no CA or SVID outlives it.
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
     * It is the authority's first JWT key: a CA rotation (a year on) replaces it.
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
     * @throws io.spiffe4j.authority.UpstreamAuthorityException if the given CA cannot sign intermediate CAs
     */
    public MintingIdentityProvider build() {
      if (ca != null && !ca.getNotAfter().toInstant().isAfter(clock.instant())) {
        throw new IllegalStateException(
            "the CA of " + id.trustDomain() + " expired at " + ca.getNotAfter().toInstant());
      }
      ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "spiffe4j-workloadapi-server-rotation-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      timer.setRemoveOnCancelPolicy(true);
      SpiffeAuthority authority = null;
      AuthorityIdentityProvider provider = null;
      try {
        authority = authority(timer);
        AuthorityIdentityProvider.Builder providerBuilder = AuthorityIdentityProvider.builder(authority)
            .scheduler(timer);
        federated.forEach(providerBuilder::federatedBundle);
        if (!startWithoutIdentity) {
          providerBuilder.identity(id, hint);
        }
        provider = providerBuilder.build();
        return new MintingIdentityProvider(this, timer, authority, provider);
      } catch (RuntimeException e) {
        if (provider != null) {
          provider.close();
        }
        if (authority != null) {
          authority.close();
        }
        timer.shutdownNow();
        throw e;
      }
    }

    private SpiffeAuthority authority(ScheduledThreadPoolExecutor timer) {
      SpiffeAuthority.Builder authority = SpiffeAuthority.builder(id.trustDomain())
          .caTtl(CA_TTL)
          .x509SvidTtl(svidTtl)
          .jwtSvidTtl(jwtSvidTtl)
          .x509SvidKeyAlgorithm(keyAlgorithm)
          .clock(clock)
          .scheduler(timer);
      if (ca != null) {
        authority.upstream(UpstreamAuthorities.of(ca, caKey).withClock(clock));
      }
      if (jwtKey != null) {
        authority.firstJwtKey(jwtKeyId, jwtKey);
      }
      return authority.build();
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
