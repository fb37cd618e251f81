package io.spiffe4j.authority;

import io.spiffe4j.authority.UpstreamAuthority.JwtKey;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embeddable SPIFFE authority for one trust domain: it holds a CA key, issues X509-SVIDs and JWT-SVIDs, publishes
 * the trust domain's {@linkplain #bundle() bundle}, and rotates its CA the way a SPIRE Server does.
 *
 * <p><b>The CA.</b> Without an {@linkplain Builder#upstream upstream} the CA is self-signed and is itself the trust
 * domain's root, as in a SPIRE Server without UpstreamAuthority plugin. With one, each new CA key goes to the
 * upstream in a PKCS#10 request (subject {@code O=SPIFFE, CN=<trust domain>}, one URI SAN {@code spiffe://<td>}) for
 * {@code caTtl}; the answer must pass the checks a SPIRE Server applies (SPIRE plugin protocol §5.2: {@code cA=true},
 * key usage keyCertSign with at most cRLSign and digitalSignature besides, no URI SAN but the trust domain's ID,
 * valid now, and an SVID it signs verifies to the answered roots), and the upstream roots become the bundle's X.509
 * authorities. Each CA comes with a JWT signing key of the same algorithm, with a random {@code kid}, which expires
 * with it; an upstream that {@linkplain UpstreamAuthority#publishJwtKey publishes JWT keys} decides the bundle's JWT
 * authorities.
 *
 * <p><b>Issuing.</b> X509-SVIDs follow the X509-SVID standard: one URI SAN (the ID, which must have a path, X509-04),
 * critical {@code cA=false}, critical key usage {@code digitalSignature} (and {@code keyEncipherment} for RSA keys,
 * which X509-13 allows, for TLS 1.2 RSA key transport), extended key usage serverAuth and clientAuth (X509-14), valid
 * from a minute before now (clock skew) until {@code now + x509SvidTtl} but never beyond the CA; the chain is the
 * leaf followed by the CA's {@linkplain AuthorityCa#chain() chain}. JWT-SVIDs carry {@code sub}, {@code aud},
 * {@code iat}, {@code exp} = {@code now + jwtSvidTtl} (never beyond the JWT key) and the header {@code kid} of the
 * active JWT key. Only IDs of the own trust domain are issued (SVID-01).
 *
 * <p><b>Rotation</b>, on the lifetime of the active CA from its issue to its expiry (SPIRE's schedule):
 * <ol>
 *   <li>at half of it the next CA is <em>prepared</em>: new key, upstream mint, new JWT key. Its roots and JWT key
 *       are added to the bundle at once, long before anything is signed with them (FED-02);
 *   <li>at five sixths of it the prepared CA is <em>activated</em> and signs everything issued from then on. A CA
 *       prepared late (after failures) is activated as soon as it is prepared;
 *   <li>roots and JWT keys stay in the bundle until the CA they came with expires: no SVID outlives its CA, so none
 *       that they can verify is left after that.
 * </ol>
 * Every change of the bundle's content increments its {@code spiffe_sequence} (starting at 1). A failed preparation
 * keeps the active CA, is reported to {@linkplain Listener#preparationFailed listeners} and by {@link #lastFailure()},
 * and is tried again on the next tick; only if the active CA expires before a preparation succeeds does issuing stop.
 * The first CA is prepared and activated by {@link Builder#build()}, which fails with the upstream's error if it
 * cannot be.
 *
 * <p><b>Time.</b> All of it follows the builder's {@link Clock}. {@link #tick()} applies the schedule at the clock's
 * instant; by default a daemon thread {@code spiffe4j-authority-<n>} calls it every {@code caTtl / 30} (at least
 * 50 ms, at most 10 s), re-reading the clock, so a clock that tests move is honoured on the next tick. Tests can
 * instead {@linkplain Builder#withoutTimer() turn the thread off} and call {@link #tick()}, {@link #prepareNextCa()}
 * and {@link #activateNextCa()} themselves.
 *
 * <p>Thread-safe: issuing reads an immutable snapshot and never waits for a rotation, which runs under a lock (so an
 * upstream call may block it, not issuing). {@link #close()} stops the timer; it does not close the upstream, which
 * belongs to the caller. No private key leaves the authority except those of the X509-SVIDs it mints with fresh keys;
 * {@code toString()} shows the trust domain and CA, never a key.
 */
public final class SpiffeAuthority implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SpiffeAuthority.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long before issue an SVID's validity starts, to absorb clock skew between machines. */
  private static final Duration BACKDATE = Duration.ofMinutes(1);
  private static final Duration MIN_TICK = Duration.ofMillis(50);
  private static final Duration MAX_TICK = Duration.ofSeconds(10);
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

  private final TrustDomain trustDomain;
  private final UpstreamAuthority upstream;
  private final Duration caTtl;
  private final Duration x509SvidTtl;
  private final Duration jwtSvidTtl;
  private final KeyAlgorithm keyAlgorithm;
  private final KeyAlgorithm x509SvidKeyAlgorithm;
  private final Clock clock;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Serialises rotation: preparing, activating, pruning and upstream root changes. */
  private final Object rotation = new Object();
  private volatile State state;
  private volatile UpstreamAuthorityException lastFailure;
  /** Guarded by {@code rotation}: each X.509 authority of the bundle and until when it must stay. */
  private final Map<X509Certificate, Instant> x509Authorities = new LinkedHashMap<>();
  /** Guarded by {@code rotation}: each JWT authority of the bundle, by key ID, and until when it must stay. */
  private final Map<String, JwtKey> jwtAuthorities = new LinkedHashMap<>();
  private BigInteger sequence = BigInteger.ZERO;

  private ScheduledThreadPoolExecutor ownTimer;
  private ScheduledFuture<?> tickTask;
  private UpstreamAuthority.Subscription rootSubscription;

  private SpiffeAuthority(Builder builder) {
    this.trustDomain = builder.trustDomain;
    this.upstream = builder.upstream;
    this.caTtl = builder.caTtl;
    this.x509SvidTtl = builder.x509SvidTtl;
    this.jwtSvidTtl = builder.jwtSvidTtl;
    this.keyAlgorithm = builder.keyAlgorithm;
    this.x509SvidKeyAlgorithm = builder.x509SvidKeyAlgorithm;
    this.clock = builder.clock;
  }

  /** A builder for an authority of the trust domain. */
  public static Builder builder(TrustDomain trustDomain) {
    return new Builder(trustDomain);
  }

  /** The trust domain this authority issues for. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The clock the authority judges time by. */
  public Clock clock() {
    return clock;
  }

  /**
   * The trust domain's bundle now: the X.509 roots and JWT keys of the active CA, of a prepared one, and of
   * earlier ones whose SVIDs may still be valid, with its sequence number.
   */
  public SpiffeBundle bundle() {
    return state.bundle;
  }

  /** The CA that signs what is issued now. */
  public AuthorityCa activeCa() {
    return state.active.ca;
  }

  /** The prepared CA that will be activated next, if one is prepared. */
  public Optional<AuthorityCa> nextCa() {
    CaSlot next = state.next;
    return next == null ? Optional.empty() : Optional.of(next.ca);
  }

  /** Why the last attempt to prepare the next CA failed; empty once one succeeds. */
  public Optional<UpstreamAuthorityException> lastFailure() {
    return Optional.ofNullable(lastFailure);
  }

  /**
   * An X509-SVID of {@code id} with a fresh key of the builder's {@linkplain Builder#x509SvidKeyAlgorithm SVID key
   * algorithm}, signed by the active CA.
   *
   * @throws X509SvidException if the ID is of another trust domain (SVID-01) or has no path (X509-04)
   * @throws IllegalStateException if the authority is closed or its CA has expired
   */
  public X509Svid mintX509Svid(SpiffeId id) {
    KeyPair key = x509SvidKeyAlgorithm.generate();
    return X509Svid.of(signX509Svid(id, key.getPublic()), key.getPrivate());
  }

  /**
   * The certificate chain of an X509-SVID of {@code id} for a key held elsewhere (for example sent in a CSR): the
   * leaf first, then the active CA's {@linkplain AuthorityCa#chain() chain}. The key's type is the caller's to
   * check; {@link X509Svid#of} does when the chain is paired with its private key.
   *
   * @throws X509SvidException if the ID is of another trust domain (SVID-01) or has no path (X509-04)
   * @throws IllegalStateException if the authority is closed or its CA has expired
   */
  public List<X509Certificate> signX509Svid(SpiffeId id, PublicKey publicKey) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(publicKey, "publicKey");
    if (!id.memberOf(trustDomain)) {
      throw new X509SvidException(notMember(id), "SVID-01");
    }
    if (id.isRootPath()) {
      throw new X509SvidException("an X509-SVID's SPIFFE ID must have a path, " + id + " has none", "X509-04");
    }
    Instant now = clock.instant();
    CaSlot ca = usableCa(now);
    Instant notAfter = min(now.plus(x509SvidTtl), ca.expiresAt);
    Instant notBefore = max(now.minus(BACKDATE), ca.ca.certificate().getNotBefore().toInstant());
    CertificateMinter leaf = CertificateMinter.x509Svid(publicKey, id)
        .validity(notBefore, notAfter)
        .issuedBy(ca.ca.certificate(), ca.caKey);
    if (publicKey instanceof RSAKey) {
      leaf.keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT));
    }
    List<X509Certificate> chain = new ArrayList<>(ca.ca.chain().size() + 1);
    chain.add(leaf.sign(null));
    chain.addAll(ca.ca.chain());
    return List.copyOf(chain);
  }

  /**
   * A JWT-SVID of {@code subject} for the audiences, signed by the active JWT key, with its {@code kid}.
   *
   * @throws JwtSvidException if there is no audience or an empty one (JWT-08), or the subject is of another trust
   *     domain (SVID-01)
   * @throws IllegalStateException if the authority is closed or its CA has expired
   */
  public JwtSvid mintJwtSvid(SpiffeId subject, List<String> audiences) {
    Objects.requireNonNull(subject, "subject");
    Objects.requireNonNull(audiences, "audiences");
    if (audiences.isEmpty() || audiences.stream().anyMatch(a -> Objects.requireNonNull(a, "audience").isEmpty())) {
      throw new JwtSvidException("a JWT-SVID needs at least one audience, none empty", "JWT-08");
    }
    if (!subject.memberOf(trustDomain)) {
      throw new JwtSvidException(notMember(subject), "SVID-01");
    }
    Instant now = clock.instant();
    CaSlot ca = usableCa(now);
    String token = JwtSvidMinter.forSubject(subject)
        .audience(audiences.toArray(new String[0]))
        .issuedAt(now)
        .expiry(min(now.plus(jwtSvidTtl), ca.expiresAt))
        .keyId(ca.ca.jwtKeyId())
        .sign(ca.jwtKey);
    return JwtSvid.parseInsecure(token);
  }

  private String notMember(SpiffeId id) {
    return "the authority of " + trustDomain + " issues SVIDs of its own trust domain only, not of " + id;
  }

  private CaSlot usableCa(Instant now) {
    checkOpen();
    CaSlot ca = state.active;
    if (!now.isBefore(ca.expiresAt)) {
      UpstreamAuthorityException failure = lastFailure;
      throw new IllegalStateException("the CA of " + trustDomain + " expired at " + ca.expiresAt
          + " and no successor was activated" + (failure != null ? "; the last preparation failed: "
          + failure.getMessage() : ""));
    }
    return ca;
  }

  /**
   * Applies the rotation schedule at the clock's instant: prepares the next CA when the active one is half through
   * its life (trying again after a failure), activates it at five sixths, and drops roots and JWT keys whose CA has
   * expired. Each step is reported to listeners. Failures are reported, not thrown.
   *
   * @throws IllegalStateException if the authority is closed
   */
  public void tick() {
    synchronized (rotation) {
      checkOpen();
      Instant now = clock.instant();
      if (state.next == null && !now.isBefore(state.active.prepareAt)) {
        try {
          prepare(now);
        } catch (UpstreamAuthorityException e) {
          // Reported by prepare(); the active CA stays and the next tick tries again.
        }
      }
      if (state.next != null && !now.isBefore(state.active.activateAt)) {
        activate();
      }
      prune(now);
    }
  }

  /**
   * Prepares the next CA now, unless one is prepared already, and publishes its roots and JWT key in the bundle.
   *
   * @return the prepared CA
   * @throws UpstreamAuthorityException if the upstream failed (also reported to listeners); the active CA stays
   * @throws IllegalStateException if the authority is closed
   */
  public AuthorityCa prepareNextCa() {
    synchronized (rotation) {
      checkOpen();
      if (state.next == null) {
        prepare(clock.instant());
      }
      return state.next.ca;
    }
  }

  /**
   * Activates the prepared CA now: everything issued from now on is signed by it. Its roots and JWT key have been in
   * the bundle since it was prepared; relying parties need to have fetched that bundle to accept what it signs.
   *
   * @return the new active CA
   * @throws IllegalStateException if no CA is prepared, or the authority is closed
   */
  public AuthorityCa activateNextCa() {
    synchronized (rotation) {
      checkOpen();
      if (state.next == null) {
        throw new IllegalStateException("no CA of " + trustDomain + " is prepared: call prepareNextCa() first");
      }
      activate();
      return state.active.ca;
    }
  }

  /** Guarded by {@code rotation}. */
  private void prepare(Instant now) {
    CaSlot slot;
    try {
      slot = newSlot(now, null, null);
    } catch (UpstreamAuthorityException e) {
      lastFailure = e;
      LOG.warn("cannot prepare the next CA of {}; the active one expires at {}: {}", trustDomain,
          state.active.expiresAt, e.getMessage());
      listeners.forEach(listener -> notify(listener, () -> listener.preparationFailed(e)));
      throw e;
    }
    lastFailure = null;
    state = new State(state.active, slot, state.bundle);
    publish(slot);
    LOG.info("prepared the next CA of {}: {}", trustDomain, slot.ca);
    updateBundle();
  }

  /** Guarded by {@code rotation}. */
  private void activate() {
    CaSlot next = state.next;
    state = new State(next, null, state.bundle);
    LOG.info("activated the CA of {}: {}", trustDomain, next.ca);
    listeners.forEach(listener -> notify(listener, () -> listener.caActivated(next.ca)));
  }

  /**
   * A new CA and JWT key (the given one, or a fresh one when null), minted (and checked) or self-signed; changes
   * nothing.
   */
  private CaSlot newSlot(Instant now, String givenJwtKeyId, KeyPair givenJwtKey) {
    KeyPair caKey = keyAlgorithm.generate();
    X509Certificate certificate;
    List<X509Certificate> chain;
    List<X509Certificate> roots;
    if (upstream == null) {
      certificate = CertificateMinter.ca(caKey.getPublic(), trustDomain.id())
          .validity(now.minus(BACKDATE), now.plus(caTtl))
          .sign(caKey.getPrivate());
      chain = List.of();
      roots = List.of(certificate);
    } else {
      byte[] csr = CaRequests.create(caKey, keyAlgorithm, trustDomain);
      UpstreamX509Ca answer = callUpstream("mint an X.509 CA", () -> upstream.mintX509Ca(csr, caTtl));
      if (answer == null) {
        throw new UpstreamAuthorityException(Kind.MISCONFIGURED, "the upstream authority answered no X.509 CA");
      }
      // At the answer's arrival, as SPIRE checks it: the upstream may have signed a CA valid from after `now`.
      MintedCaCheck.check(answer, caKey, trustDomain, clock.instant());
      certificate = answer.mintedCa();
      chain = answer.caChain();
      roots = answer.upstreamRoots();
    }
    Instant expiresAt = certificate.getNotAfter().toInstant();
    KeyPair jwtKey = givenJwtKey != null ? givenJwtKey : keyAlgorithm.generate();
    String jwtKeyId = givenJwtKeyId != null ? givenJwtKeyId : randomKeyId();
    JwtKey published = new JwtKey(jwtKeyId, jwtKey.getPublic(), expiresAt);
    List<JwtKey> upstreamJwtKeys = null;
    if (upstream != null) {
      Optional<List<JwtKey>> kept = callUpstream("publish a JWT key", () -> upstream.publishJwtKey(published));
      if (kept != null && kept.isPresent()) {
        upstreamJwtKeys = List.copyOf(kept.get());
        if (upstreamJwtKeys.stream().noneMatch(key -> key.keyId().equals(published.keyId())
            && key.publicKey().equals(published.publicKey()))) {
          throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
              "the upstream authority did not keep the JWT key " + published.keyId() + " it was asked to publish");
        }
      }
    }
    AuthorityCa ca = new AuthorityCa(certificate, chain, roots, published.keyId(), published.publicKey());
    return new CaSlot(ca, caKey.getPrivate(), jwtKey.getPrivate(), now, upstreamJwtKeys);
  }

  /** Runs an upstream call; anything but an {@link UpstreamAuthorityException} becomes one, retryable. */
  private static <T> T callUpstream(String what, Supplier<T> call) {
    try {
      return call.get();
    } catch (UpstreamAuthorityException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UpstreamAuthorityException(Kind.UNAVAILABLE,
          "the upstream authority failed to " + what + ": " + e.getClass().getSimpleName()
              + (e.getMessage() != null ? ": " + e.getMessage() : ""), e);
    }
  }

  /** Guarded by {@code rotation}: the slot's roots and JWT key join the bundle's authorities until it expires. */
  private void publish(CaSlot slot) {
    for (X509Certificate root : slot.ca.roots()) {
      x509Authorities.merge(root, slot.expiresAt, SpiffeAuthority::max);
    }
    if (slot.upstreamJwtKeys != null) {
      jwtAuthorities.clear();
      slot.upstreamJwtKeys.forEach(key -> jwtAuthorities.put(key.keyId(), key));
    } else {
      jwtAuthorities.put(slot.ca.jwtKeyId(), new JwtKey(slot.ca.jwtKeyId(), slot.ca.jwtPublicKey(), slot.expiresAt));
    }
  }

  /** Guarded by {@code rotation}: drops the authorities whose last SVID has expired. */
  private void prune(Instant now) {
    x509Authorities.values().removeIf(until -> !until.isAfter(now));
    jwtAuthorities.values().removeIf(key -> !key.expiresAt().isAfter(now));
    updateBundle();
  }

  /** Guarded by {@code rotation}: the upstream's new roots join the bundle for as long as the active CA lives. */
  private void onUpstreamRoots(List<X509Certificate> roots) {
    synchronized (rotation) {
      if (closed.get()) {
        return;
      }
      for (X509Certificate root : roots) {
        x509Authorities.merge(Objects.requireNonNull(root, "root"), state.active.expiresAt, SpiffeAuthority::max);
      }
      updateBundle();
    }
  }

  /** Guarded by {@code rotation}: publishes the bundle with the next sequence number if its content changed. */
  private void updateBundle() {
    Map<String, PublicKey> jwtKeys = new LinkedHashMap<>();
    jwtAuthorities.forEach((keyId, key) -> jwtKeys.put(keyId, key.publicKey()));
    SpiffeBundle.Builder candidate = SpiffeBundle.builder(trustDomain)
        .x509Authorities(x509Authorities.keySet())
        .jwtAuthorities(jwtKeys)
        .sequenceNumber(sequence);
    State current = state;
    if (candidate.build().equals(current.bundle)) {
      return;
    }
    sequence = sequence.add(BigInteger.ONE);
    SpiffeBundle bundle = candidate.sequenceNumber(sequence).build();
    state = new State(current.active, current.next, bundle);
    listeners.forEach(listener -> notify(listener, () -> listener.bundleChanged(bundle)));
  }

  /**
   * Registers a listener, called on the rotating thread (the timer's, or the caller of {@link #tick()} and the
   * other rotation methods) while rotation is locked, in the order things happen. Listeners must be fast and must
   * not wait for other threads; an exception they throw is logged and ignored.
   *
   * @return a subscription whose {@code close()} removes the listener; idempotent
   */
  public Subscription subscribe(Listener listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  private void notify(Listener listener, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LOG.warn("a listener of the authority of {} failed", trustDomain, e);
    }
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("the authority of " + trustDomain + " is closed");
    }
  }

  /**
   * Stops rotating: cancels the timer (ending its thread, if the authority made one, within a few seconds) and the
   * subscription to the upstream's roots. Issuing and rotating then throw {@link IllegalStateException}; the
   * {@linkplain #bundle() bundle} and CAs stay readable. The upstream is not closed. Idempotent.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    if (tickTask != null) {
      tickTask.cancel(false);
    }
    if (rootSubscription != null) {
      rootSubscription.close();
    }
    if (ownTimer != null) {
      ownTimer.shutdownNow();
      try {
        if (!ownTimer.awaitTermination(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
          LOG.warn("the rotation thread of the authority of {} did not end within {}", trustDomain, CLOSE_TIMEOUT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed.get();
  }

  /** The trust domain, the active CA's expiry and key ID, and whether one is prepared; never a key. */
  @Override
  public String toString() {
    State current = state;
    return "SpiffeAuthority{trustDomain=" + trustDomain
        + (current == null ? ", not started" : ", activeCa=" + current.active.ca + ", nextPrepared="
            + (current.next != null) + ", bundleSequence=" + current.bundle.sequenceNumber().orElse(null))
        + (upstream != null ? ", upstream=" + upstream.getClass().getSimpleName() : ", self-signed")
        + (closed.get() ? ", closed" : "") + "}";
  }

  /** The first CA, the root subscription and the timer. */
  private void start(Builder builder) {
    synchronized (rotation) {
      CaSlot first = newSlot(clock.instant(), builder.firstJwtKeyId, builder.firstJwtKey);
      publish(first);
      state = new State(first, null, null);
      updateBundle();
    }
    if (upstream != null) {
      rootSubscription = upstream.subscribeToRootChanges(this::onUpstreamRoots);
    }
    if (!builder.withoutTimer) {
      ScheduledExecutorService scheduler = builder.scheduler;
      if (scheduler == null) {
        ownTimer = new ScheduledThreadPoolExecutor(1, runnable -> {
          Thread thread = new Thread(runnable, "spiffe4j-authority-" + THREADS.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
        ownTimer.setRemoveOnCancelPolicy(true);
        scheduler = ownTimer;
      }
      long period = tickPeriod().toNanos();
      tickTask = scheduler.scheduleWithFixedDelay(this::timerTick, period, period, TimeUnit.NANOSECONDS);
    }
  }

  private Duration tickPeriod() {
    Duration period = caTtl.dividedBy(30);
    return period.compareTo(MIN_TICK) < 0 ? MIN_TICK : period.compareTo(MAX_TICK) > 0 ? MAX_TICK : period;
  }

  private void timerTick() {
    if (closed.get()) {
      return;
    }
    try {
      tick();
    } catch (RuntimeException e) {
      if (!closed.get()) {
        LOG.error("the rotation of the authority of {} failed", trustDomain, e);
      }
    }
  }

  private static String randomKeyId() {
    byte[] random = new byte[16];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  /** One CA with its keys and schedule. Immutable. */
  private static final class CaSlot {
    final AuthorityCa ca;
    final PrivateKey caKey;
    final PrivateKey jwtKey;
    final Instant expiresAt;
    final Instant prepareAt;
    final Instant activateAt;
    /** The JWT keys the upstream said to keep when this CA's key was published, or null if it does not decide. */
    final List<JwtKey> upstreamJwtKeys;

    CaSlot(AuthorityCa ca, PrivateKey caKey, PrivateKey jwtKey, Instant issuedAt, List<JwtKey> upstreamJwtKeys) {
      this.ca = ca;
      this.caKey = caKey;
      this.jwtKey = jwtKey;
      this.expiresAt = ca.expiresAt();
      Duration lifetime = Duration.between(issuedAt, expiresAt);
      this.prepareAt = issuedAt.plus(lifetime.dividedBy(2));
      this.activateAt = issuedAt.plus(lifetime.multipliedBy(5).dividedBy(6));
      this.upstreamJwtKeys = upstreamJwtKeys;
    }
  }

  /** What issuing reads: one immutable snapshot. */
  private static final class State {
    final CaSlot active;
    final CaSlot next;
    final SpiffeBundle bundle;

    State(CaSlot active, CaSlot next, SpiffeBundle bundle) {
      this.active = active;
      this.next = next;
      this.bundle = bundle;
    }
  }

  /**
   * What an authority reports while it rotates. Methods run on the rotating thread with rotation locked; they must
   * be fast and not throw. Every method has an empty default, so a listener implements what it needs.
   */
  public interface Listener {
    /** The bundle's content changed (and with it its sequence number): a CA was prepared or an authority dropped. */
    default void bundleChanged(SpiffeBundle bundle) {}

    /** A new CA was activated: what is issued from now on is signed by it. SVIDs of the previous one stay valid. */
    default void caActivated(AuthorityCa ca) {}

    /** Preparing the next CA failed; the active CA stays, and the next tick tries again. */
    default void preparationFailed(UpstreamAuthorityException error) {}
  }

  /** A listener's registration; {@link #close()} removes it. Idempotent. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Settings of a {@link SpiffeAuthority}. Setters check their argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final TrustDomain trustDomain;
    private UpstreamAuthority upstream;
    private Duration caTtl = Duration.ofHours(24);
    private Duration x509SvidTtl = Duration.ofHours(1);
    private Duration jwtSvidTtl = Duration.ofMinutes(5);
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
    private KeyAlgorithm x509SvidKeyAlgorithm = KeyAlgorithm.EC_P256;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private boolean withoutTimer;
    private String firstJwtKeyId;
    private KeyPair firstJwtKey;

    private Builder(TrustDomain trustDomain) {
      this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
    }

    /**
     * The upstream that signs each CA and owns the roots; by default none, and each CA is a self-signed root. The
     * authority does not close it.
     */
    public Builder upstream(UpstreamAuthority upstream) {
      this.upstream = Objects.requireNonNull(upstream, "upstream");
      return this;
    }

    /**
     * The lifetime asked for each CA (SPIRE's {@code ca_ttl}); default 24 h. An upstream may grant less.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder caTtl(Duration caTtl) {
      this.caTtl = positive(caTtl, "caTtl");
      return this;
    }

    /**
     * How long X509-SVIDs are valid; default 1 h, never beyond the CA that signs them.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder x509SvidTtl(Duration x509SvidTtl) {
      this.x509SvidTtl = positive(x509SvidTtl, "x509SvidTtl");
      return this;
    }

    /**
     * How long JWT-SVIDs are valid; default 5 min, never beyond the JWT key that signs them.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder jwtSvidTtl(Duration jwtSvidTtl) {
      this.jwtSvidTtl = positive(jwtSvidTtl, "jwtSvidTtl");
      return this;
    }

    /**
     * The type of the CA and JWT signing keys; default EC P-256.
     *
     * @throws IllegalArgumentException for Ed25519, which cannot sign JWT-SVIDs (JWT-03)
     */
    public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
      Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      if (keyAlgorithm == KeyAlgorithm.ED25519) {
        throw new IllegalArgumentException("Ed25519 keys cannot sign JWT-SVIDs (JWT-03)");
      }
      this.keyAlgorithm = keyAlgorithm;
      return this;
    }

    /**
     * The type of the fresh keys of {@link SpiffeAuthority#mintX509Svid(SpiffeId)}; default EC P-256. X509-SVIDs
     * allow EC P-256 and P-384, RSA of 2048 bits and more, and Ed25519; with another type minting throws an
     * {@link X509SvidException}.
     */
    public Builder x509SvidKeyAlgorithm(KeyAlgorithm keyAlgorithm) {
      this.x509SvidKeyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      return this;
    }

    /**
     * The JWT signing key of the first CA, with its key ID, instead of a fresh one; every later CA gets a fresh key.
     * For a JWT authority fixed elsewhere: tests, demos, a key that must survive a restart.
     *
     * @throws IllegalArgumentException if the key ID is empty (JWT-12) or the key cannot sign JWT-SVIDs (JWT-03)
     */
    public Builder firstJwtKey(String keyId, KeyPair key) {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(key, "key");
      if (keyId.isEmpty()) {
        throw new IllegalArgumentException("a JWT authority needs a non-empty key ID (JWT-12)");
      }
      if (!(key.getPrivate() instanceof ECKey) && !(key.getPrivate() instanceof RSAKey)) {
        throw new IllegalArgumentException(key.getPrivate().getAlgorithm() + " keys cannot sign JWT-SVIDs (JWT-03)");
      }
      this.firstJwtKeyId = keyId;
      this.firstJwtKey = key;
      return this;
    }

    /** The clock of every validity and of the rotation schedule; default {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Runs the rotation timer on this executor instead of a thread of the authority's own; {@link #close()} cancels
     * the task but leaves the executor running.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      this.withoutTimer = false;
      return this;
    }

    /** No timer at all: the schedule is applied only when {@link SpiffeAuthority#tick()} is called. */
    public Builder withoutTimer() {
      this.withoutTimer = true;
      this.scheduler = null;
      return this;
    }

    /**
     * The authority, with its first CA prepared and active and its timer started.
     *
     * @throws UpstreamAuthorityException the upstream's error if the first CA cannot be minted, or of kind
     *     {@link Kind#MISCONFIGURED} if what it minted is not a CA a SPIRE Server would accept
     */
    public SpiffeAuthority build() {
      if (x509SvidTtl.compareTo(caTtl) > 0) {
        LOG.warn("the X509-SVID TTL {} of {} exceeds the CA TTL {}: SVIDs will be cut short at the CA's expiry",
            x509SvidTtl, trustDomain, caTtl);
      }
      SpiffeAuthority authority = new SpiffeAuthority(this);
      try {
        authority.start(this);
      } catch (RuntimeException e) {
        authority.close();
        throw e;
      }
      return authority;
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
