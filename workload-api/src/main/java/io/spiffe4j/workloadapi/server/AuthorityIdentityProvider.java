package io.spiffe4j.workloadapi.server;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.X509Context;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link IdentityProvider} whose identities are issued by a {@link SpiffeAuthority}: what a SPIRE agent is to a
 * SPIRE server, for the workloads behind one socket.
 *
 * <ul>
 *   <li><b>X.509.</b> Each registered identity has an X509-SVID with a fresh key from the authority, default (first
 *       registered) first, with its hint. An SVID is re-issued at its half-life, and every SVID at once when the
 *       authority activates a new CA; each change is signalled to subscribers, so a server pushes it.
 *   <li><b>Bundles.</b> The authority's current bundle, which already holds the next CA's roots before that CA signs
 *       anything, beside the federated bundles given to the builder. A change of the authority's bundle is signalled.
 *   <li><b>JWT.</b> JWT-SVIDs are minted by the authority on every request; ValidateJWTSVID judges time by the
 *       authority's clock.
 * </ul>
 *
 * <p>Registrations may change while serving: {@link #register} and {@link #deregister} (an identity withdrawn gets
 * callers {@code PERMISSION_DENIED} once none is left, WEP-13). {@link #reissue()} re-issues every SVID now.
 *
 * <p>Thread-safe. Half-life re-issues run on the builder's {@linkplain Builder#scheduler scheduler}, or on a daemon
 * thread {@code spiffe4j-workloadapi-server-rotation-<n>} of its own, made at the first issue; the task re-reads the
 * authority's clock when it fires. {@link #close()} ends that and the subscription to the authority, which stays
 * open: it belongs to the caller.
 */
public final class AuthorityIdentityProvider implements IdentityProvider, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuthorityIdentityProvider.class);
  private static final AtomicInteger THREADS = new AtomicInteger();
  /** How long to wait before trying again after a re-issue failed (the authority's CA expired, say). */
  private static final Duration RETRY = Duration.ofSeconds(1);
  /**
   * The shortest wait between re-issues: certificate times have whole seconds, so an SVID of a sub-second TTL (or
   * cut short by its CA's expiry) may have its half-life in the past already, and must not re-issue in a loop.
   */
  private static final Duration MIN_DELAY = Duration.ofMillis(250);

  private final SpiffeAuthority authority;
  private final List<SpiffeBundle> federated;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final SpiffeAuthority.Subscription authoritySubscription;

  private final Object lock = new Object();
  /** Guarded by {@code lock}; in registration order. */
  private final Map<SpiffeId, Issued> issued = new LinkedHashMap<>();
  /** What {@link #x509Context()} reads: the SVIDs, default first. */
  private volatile List<X509Svid> svids = List.of();
  private final ScheduledExecutorService givenScheduler;
  private ScheduledThreadPoolExecutor ownTimer;
  private ScheduledFuture<?> reissueTask;
  private boolean closed;

  /** One registration's current SVID and when to re-issue it. */
  private static final class Issued {
    final String hint;
    final X509Svid svid;
    final Instant dueAt;

    Issued(String hint, X509Svid svid, Instant issuedAt) {
      this.hint = hint;
      this.svid = svid;
      this.dueAt = issuedAt.plus(Duration.between(issuedAt, svid.expiresAt()).dividedBy(2));
    }
  }

  private AuthorityIdentityProvider(Builder builder) {
    this.authority = builder.authority;
    this.federated = List.copyOf(builder.federated);
    this.givenScheduler = builder.scheduler;
    this.authoritySubscription = authority.subscribe(new SpiffeAuthority.Listener() {
      @Override
      public void bundleChanged(SpiffeBundle bundle) {
        signal();
      }

      @Override
      public void caActivated(AuthorityCa ca) {
        reissueAfterActivation();
      }
    });
  }

  /** A builder for a provider of identities issued by {@code authority}. */
  public static Builder builder(SpiffeAuthority authority) {
    return new Builder(authority);
  }

  /** The authority that issues this provider's identities. */
  public SpiffeAuthority authority() {
    return authority;
  }

  /**
   * Registers an identity, after those already registered, and issues its SVID now; an identity already registered
   * keeps its place, takes the new hint and gets a new SVID. Signals subscribers.
   *
   * @throws IllegalArgumentException if the ID is of another trust domain than the authority's, has no path
   *     (X509-04), or the hint is non-empty and another identity's (WAPI-08)
   * @throws IllegalStateException if the provider is closed, or the authority cannot issue
   */
  public void register(SpiffeId id, String hint) {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(hint, "hint");
    synchronized (lock) {
      checkOpen();
      Map<SpiffeId, String> hints = new LinkedHashMap<>();
      issued.forEach((registered, entry) -> hints.put(registered, entry.hint));
      checkRegistrable(authority.trustDomain(), id, hint, hints);
      issue(id, hint);
      publish();
    }
    signal();
  }

  /**
   * Withdraws an identity: it is no longer served, and once none is left callers get {@code PERMISSION_DENIED}.
   * Signals subscribers if it was registered.
   *
   * @throws IllegalStateException if the provider is closed
   */
  public void deregister(SpiffeId id) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      checkOpen();
      if (issued.remove(id) == null) {
        return;
      }
      publish();
    }
    signal();
  }

  /**
   * Re-issues every registered identity's SVID now, with new keys, and signals subscribers.
   *
   * @throws IllegalStateException if the provider is closed, or the authority cannot issue
   */
  public void reissue() {
    synchronized (lock) {
      checkOpen();
      reissueAll();
    }
    signal();
  }

  /** Guarded by {@code lock}. */
  private void reissueAll() {
    for (Map.Entry<SpiffeId, Issued> entry : List.copyOf(issued.entrySet())) {
      issue(entry.getKey(), entry.getValue().hint);
    }
    publish();
  }

  /** Guarded by {@code lock}. */
  private void issue(SpiffeId id, String hint) {
    Instant now = authority.clock().instant();
    X509Svid svid = authority.mintX509Svid(id).withHint(hint);
    issued.put(id, new Issued(hint, svid, now));
  }

  /** Guarded by {@code lock}: makes the SVIDs visible and schedules the next half-life re-issue. */
  private void publish() {
    List<X509Svid> current = new ArrayList<>(issued.size());
    issued.values().forEach(entry -> current.add(entry.svid));
    svids = List.copyOf(current);
    schedule(MIN_DELAY);
  }

  /** Guarded by {@code lock}: the next re-issue, at the earliest half-life but not sooner than {@code atLeast}. */
  private void schedule(Duration atLeast) {
    if (reissueTask != null) {
      reissueTask.cancel(false);
      reissueTask = null;
    }
    Optional<Instant> due = issued.values().stream().map(entry -> entry.dueAt).min(Instant::compareTo);
    if (due.isEmpty()) {
      return;
    }
    Duration delay = Duration.between(authority.clock().instant(), due.get());
    if (delay.compareTo(atLeast) < 0) {
      delay = atLeast;
    }
    reissueTask = scheduler().schedule(this::reissueDue, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  private ScheduledExecutorService scheduler() {
    if (givenScheduler != null) {
      return givenScheduler;
    }
    if (ownTimer == null) {
      ownTimer = new ScheduledThreadPoolExecutor(1, runnable -> {
        Thread thread = new Thread(runnable, "spiffe4j-workloadapi-server-rotation-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      });
      ownTimer.setRemoveOnCancelPolicy(true);
    }
    return ownTimer;
  }

  /** The timer's task: the authority's clock, not the timer, says which half-lives have come. */
  private void reissueDue() {
    boolean changed = false;
    synchronized (lock) {
      if (closed) {
        return;
      }
      Instant now = authority.clock().instant();
      RuntimeException failure = null;
      for (Map.Entry<SpiffeId, Issued> entry : List.copyOf(issued.entrySet())) {
        if (!now.isBefore(entry.getValue().dueAt)) {
          try {
            issue(entry.getKey(), entry.getValue().hint);
            changed = true;
          } catch (RuntimeException e) {
            failure = e;
          }
        }
      }
      if (changed) {
        publish();
      }
      if (failure != null) {
        LOG.error("cannot re-issue X509-SVIDs of {}; trying again in {}", issued.keySet(), RETRY, failure);
        schedule(RETRY);
      } else if (!changed) {
        schedule(MIN_DELAY);
      }
    }
    if (changed) {
      signal();
    }
  }

  /** The authority's listener: every SVID moves to the new CA. */
  private void reissueAfterActivation() {
    synchronized (lock) {
      if (closed || issued.isEmpty()) {
        return;
      }
      try {
        reissueAll();
      } catch (RuntimeException e) {
        LOG.error("cannot re-issue the X509-SVIDs of {} after a CA rotation", issued.keySet(), e);
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
        LOG.warn("a listener of the identity provider of {} failed", authority.trustDomain(), e);
      }
    }
  }

  private BundleSet bundles() {
    List<SpiffeBundle> all = new ArrayList<>(federated.size() + 1);
    all.add(authority.bundle());
    all.addAll(federated);
    return BundleSet.of(all);
  }

  @Override
  public Optional<X509Context> x509Context() {
    List<X509Svid> current = svids;
    return current.isEmpty() ? Optional.empty() : Optional.of(new X509Context(current, bundles()));
  }

  @Override
  public BundleSet jwtBundles() {
    return bundles();
  }

  /** JWT-SVIDs of the registered identities (default first), or of {@code subject} if it is one of them. */
  @Override
  public List<JwtSvid> mintJwtSvids(List<String> audiences, Optional<SpiffeId> subject) {
    Objects.requireNonNull(audiences, "audiences");
    Objects.requireNonNull(subject, "subject");
    List<JwtSvid> tokens = new ArrayList<>();
    for (X509Svid svid : svids) {
      if (subject.isEmpty() || subject.get().equals(svid.id())) {
        tokens.add(authority.mintJwtSvid(svid.id(), audiences));
      }
    }
    return tokens;
  }

  @Override
  public Subscription subscribe(Runnable listener) {
    Objects.requireNonNull(listener, "listener");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** As the default, with time judged by the authority's clock, which minted the tokens. */
  @Override
  public JwtSvid validateJwtSvid(String token, String audience) {
    return JwtSvidValidator.builder().bundleSource(jwtBundles()).expectAudience(audience).clock(authority.clock())
        .build().validate(token);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("the identity provider of " + authority.trustDomain() + " is closed");
    }
  }

  private static void checkRegistrable(TrustDomain trustDomain, SpiffeId id, String hint,
      Map<SpiffeId, String> hints) {
    if (!id.memberOf(trustDomain)) {
      throw new IllegalArgumentException("the authority of " + trustDomain + " cannot issue " + id + " (SVID-01)");
    }
    if (id.isRootPath()) {
      throw new IllegalArgumentException("an X509-SVID cannot carry the trust domain's root ID " + id + " (X509-04)");
    }
    if (!hint.isEmpty() && hints.entrySet().stream()
        .anyMatch(entry -> !entry.getKey().equals(id) && entry.getValue().equals(hint))) {
      throw new IllegalArgumentException("hint \"" + hint + "\" is already another identity's (WAPI-08)");
    }
  }

  /**
   * Stops re-issuing (ending the provider's own thread, if it made one) and unsubscribes from the authority; the
   * last SVIDs stay served. The authority is not closed. Idempotent.
   */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (reissueTask != null) {
        reissueTask.cancel(false);
      }
      if (ownTimer != null) {
        ownTimer.shutdownNow();
      }
    }
    authoritySubscription.close();
  }

  /** The trust domain and the served IDs with their expiry; never a key. */
  @Override
  public String toString() {
    StringBuilder text = new StringBuilder("AuthorityIdentityProvider{trustDomain=").append(authority.trustDomain());
    List<X509Svid> current = svids;
    if (current.isEmpty()) {
      text.append(", no identity");
    }
    current.forEach(svid -> text.append(", ").append(svid.id()).append(" until ").append(svid.expiresAt()));
    return text.append("}").toString();
  }

  /** Settings of an {@link AuthorityIdentityProvider}. Not thread-safe. */
  public static final class Builder {
    private final SpiffeAuthority authority;
    private final Map<SpiffeId, String> identities = new LinkedHashMap<>();
    private final List<SpiffeBundle> federated = new ArrayList<>();
    private ScheduledExecutorService scheduler;

    private Builder(SpiffeAuthority authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
    }

    /** {@link #identity(SpiffeId, String)} without a hint. */
    public Builder identity(SpiffeId id) {
      return identity(id, "");
    }

    /**
     * Registers an identity, served after those registered before it; the first is the default (WAPI-15).
     *
     * @throws IllegalArgumentException if the ID is of another trust domain than the authority's, has no path
     *     (X509-04), is registered already, or the hint is non-empty and another identity's (WAPI-08)
     */
    public Builder identity(SpiffeId id, String hint) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(hint, "hint");
      if (identities.containsKey(id)) {
        throw new IllegalArgumentException(id + " is registered already");
      }
      checkRegistrable(authority.trustDomain(), id, hint, identities);
      identities.put(id, hint);
      return this;
    }

    /**
     * Adds the bundle of a federated trust domain, served beside the authority's.
     *
     * @throws IllegalArgumentException if it is of the authority's trust domain, or of one already added
     */
    public Builder federatedBundle(SpiffeBundle bundle) {
      Objects.requireNonNull(bundle, "bundle");
      TrustDomain trustDomain = bundle.trustDomain();
      if (trustDomain.equals(authority.trustDomain())
          || federated.stream().anyMatch(b -> b.trustDomain().equals(trustDomain))) {
        throw new IllegalArgumentException("trust domain " + trustDomain + " already has a bundle");
      }
      federated.add(bundle);
      return this;
    }

    /**
     * Runs the half-life re-issues on this executor instead of a thread of the provider's own; {@code close()}
     * cancels the task but leaves the executor running.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * The provider, with an SVID issued for every registered identity.
     *
     * @throws IllegalStateException if the authority cannot issue (it is closed, or its CA expired)
     */
    public AuthorityIdentityProvider build() {
      AuthorityIdentityProvider provider = new AuthorityIdentityProvider(this);
      try {
        synchronized (provider.lock) {
          identities.forEach(provider::issue);
          provider.publish();
        }
      } catch (RuntimeException e) {
        provider.close();
        throw e;
      }
      return provider;
    }
  }
}
