package io.spiffe4j.workloadapi;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workload's X509-SVID and X.509 bundles, kept current by a watch of the Workload API: the source for a TLS key
 * manager and trust manager that pick up every rotation on the next handshake.
 *
 * <pre>{@code
 * try (X509Source source = X509Source.create()) {                     // SPIFFE_ENDPOINT_SOCKET, waits up to 30 s
 *   SSLContext server = SpiffeSslContextBuilder
 *       .mtlsServer(source, source, Authorizer.memberOf(TrustDomain.parse("example.org")))
 *       .build();                                                       // every handshake reads the latest SVID
 *   ...
 * }
 * }</pre>
 *
 * <p><b>Start.</b> Building blocks until the endpoint sent an X.509 context with an SVID the picker accepts that is
 * not expired, for at most {@code initTimeout} (30 s by default); otherwise it fails with a {@link SourceException}
 * and leaves nothing running. A built source has always served an SVID.
 *
 * <p><b>One snapshot.</b> Each update replaces the SVID and bundles together (WAPI-04/05): a federated bundle
 * missing from it is gone, and an SVID the picker no longer finds is no longer served (WAPI-08). The state is one
 * immutable value read without locks or I/O; {@link #snapshot()} gives the SVID and bundles of one update together.
 * The picker runs once per update, not per read.
 *
 * <p><b>Expiry.</b> An SVID expired at the source's clock is never handed out: {@link #x509Svid()} throws
 * {@link SourceException} of kind {@code EXPIRED}, so a key manager fails the handshake instead of presenting it.
 *
 * <p><b>Lifecycle.</b> The source uses the client given to its builder, which it never closes and which may serve
 * other sources, or creates one for the address and closes it with itself. It runs no thread of its own: updates
 * arrive on the client's callback threads, listeners run on the executors they were added with.
 *
 * <p>Thread-safe.
 */
public final class X509Source implements X509SvidSource, X509BundleSource, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(X509Source.class);
  private static final String RULE_EXPIRED = "X509-16";

  private final SourceSupport<Snapshot, X509Context> support;
  private final Picker picker;

  private X509Source(Builder builder) {
    this.picker = builder.picker;
    this.support = new SourceSupport<>("X509Source", builder.options, Snapshot.NONE, this::problem,
        Snapshot::context);
    support.watch("FetchX509SVID", WorkloadApiClient::watchX509Context, (old, context) -> snapshotOf(context));
    support.awaitReady(builder.options.initTimeout());
  }

  /**
   * A source on {@code SPIFFE_ENDPOINT_SOCKET} with the default SVID and settings; blocks until the first usable
   * update, up to 30 s.
   *
   * @throws SourceException if no usable update came in time or the endpoint refused the watch
   * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS}
   */
  public static X509Source create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The SVID the picker chose from the latest update.
   *
   * @throws SourceException of kind {@code NO_SVID} if the latest update has none the picker accepts,
   *     {@code EXPIRED} if it is expired at the source's clock, {@code CLOSED} once the source is closed
   */
  @Override
  public X509Svid x509Svid() {
    return usable(support.state()).svid;
  }

  /**
   * The X.509 bundle of the trust domain from the latest update.
   *
   * @throws io.spiffe4j.bundle.BundleNotFoundException if the latest update has none for it
   * @throws SourceException of kind {@code CLOSED} once the source is closed
   */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    return support.state().context.bundles().x509BundleFor(trustDomain);
  }

  /**
   * The SVID and bundles of the latest update, together.
   *
   * @throws SourceException as {@link #x509Svid()}
   */
  public Snapshot snapshot() {
    return usable(support.state());
  }

  /**
   * Calls {@code listener} on {@code executor} with the current X.509 context at once, then with every update, in
   * order. It should be fast; an exception it throws is logged and does not affect the source or other listeners.
   *
   * @throws SourceException of kind {@code CLOSED} if the source is closed
   */
  public void addListener(Consumer<? super X509Context> listener, Executor executor) {
    support.addListener(listener, executor);
  }

  /** Stops notifying {@code listener}; true if it was added. A notification already running may finish. */
  public boolean removeListener(Consumer<? super X509Context> listener) {
    return support.removeListener(listener);
  }

  /** The source's health now; {@link SourceHealth#svidTimeToExpiry()} is that of the served SVID. */
  public SourceHealth health() {
    return support.health(snapshot -> snapshot.svid == null ? null : snapshot.svid.expiresAt());
  }

  /**
   * Stops the watch and, if the source created its client, closes it; a shared client stays open. Later reads fail
   * with kind {@code CLOSED}. Idempotent.
   */
  @Override
  public void close() {
    support.close();
  }

  @Override
  public String toString() {
    return support.name();
  }

  private Snapshot snapshotOf(X509Context context) {
    X509Svid svid;
    try {
      svid = picker.choose.apply(context);
    } catch (RuntimeException e) {
      LOG.error("{}: the SVID picker failed; no SVID is served from this update", support.name(), e);
      svid = null;
    }
    if (svid != null && !context.svids().contains(svid)) {
      LOG.error("{}: the SVID picker returned an SVID that is not in the update; none is served", support.name());
      svid = null;
    }
    return new Snapshot(context, svid);
  }

  private Snapshot usable(Snapshot snapshot) {
    if (snapshot.svid == null) {
      throw new SourceException(SourceException.Kind.NO_SVID, support.name() + ": " + noSvid(snapshot.context),
          "WAPI-08");
    }
    Instant expiresAt = snapshot.svid.expiresAt();
    if (support.clock().instant().isAfter(expiresAt)) {
      throw new SourceException(SourceException.Kind.EXPIRED, support.name() + ": " + expired(snapshot.svid),
          RULE_EXPIRED);
    }
    return snapshot;
  }

  /** Why a state cannot be served, or null; read when waiting for the first update and for health. */
  private String problem(Snapshot snapshot) {
    if (snapshot.svid == null) {
      return noSvid(snapshot.context);
    }
    return support.clock().instant().isAfter(snapshot.svid.expiresAt()) ? expired(snapshot.svid) : null;
  }

  private String noSvid(X509Context context) {
    String offered = context.svids().stream()
        .map(svid -> svid.id() + (svid.hint().isEmpty() ? "" : " (hint \"" + svid.hint() + "\")"))
        .collect(Collectors.joining(", "));
    return "the endpoint's latest SVIDs [" + offered + "] include no " + picker.description;
  }

  private static String expired(X509Svid svid) {
    return "the SVID " + svid.id() + " expired at " + svid.expiresAt() + " and no newer one has arrived";
  }

  /**
   * The SVID and X.509 bundles of one update. Immutable and thread-safe; a static source once taken, which does
   * not follow later updates or check expiry again.
   */
  public static final class Snapshot implements X509SvidSource, X509BundleSource {
    static final Snapshot NONE = new Snapshot(null, null);

    private final X509Context context;
    private final X509Svid svid;

    private Snapshot(X509Context context, X509Svid svid) {
      this.context = context;
      this.svid = svid;
    }

    /** The SVID the source's picker chose from this update. */
    public X509Svid svid() {
      return svid;
    }

    /** The X.509 bundles of this update: the SVIDs' own trust domains and the federated ones. */
    public BundleSet bundles() {
      return context.bundles();
    }

    /** The whole update: every SVID in the endpoint's order, and the bundles. */
    public X509Context context() {
      return context;
    }

    @Override
    public X509Svid x509Svid() {
      return svid;
    }

    /**
     * @throws io.spiffe4j.bundle.BundleNotFoundException if this update has no bundle for the trust domain
     */
    @Override
    public X509Bundle x509BundleFor(TrustDomain trustDomain) {
      return context.bundles().x509BundleFor(trustDomain);
    }

    @Override
    public String toString() {
      return "X509Source.Snapshot{svid=" + svid + ", bundles=" + (context == null ? "none" : context.bundles()) + "}";
    }
  }

  /** Chooses the served SVID from an update; described in messages. */
  private static final class Picker {
    static final Picker DEFAULT = new Picker(X509Context::defaultSvid, "default (first) SVID (WAPI-15)");

    final Function<X509Context, X509Svid> choose;
    final String description;

    Picker(Function<X509Context, X509Svid> choose, String description) {
      this.choose = choose;
      this.description = description;
    }
  }

  /**
   * Settings of an {@link X509Source}. Not thread-safe; {@link #build()} may be called more than once, each time
   * for a new source.
   */
  public static final class Builder {
    private final SourceOptions options = new SourceOptions();
    private Picker picker = Picker.DEFAULT;

    private Builder() {
    }

    /**
     * The client to watch with, shared with its other users: the source never closes it. Exclusive with
     * {@link #address}. Default: a client of the source's own, closed with it.
     */
    public Builder client(WorkloadApiClient client) {
      options.client(client);
      return this;
    }

    /**
     * The endpoint for a client of the source's own, closed with it. Default: {@code SPIFFE_ENDPOINT_SOCKET}.
     *
     * @throws WorkloadApiException of kind {@code INVALID_ADDRESS} if the address breaks WEP-07/08/09
     */
    public Builder address(String address) {
      options.address(WorkloadApiAddress.parse(address));
      return this;
    }

    /** As {@link #address(String)}. */
    public Builder address(WorkloadApiAddress address) {
      options.address(address);
      return this;
    }

    /**
     * Serve the SVID with this operator hint (WAPI-15) instead of the default (first) one. Replaces any picker.
     *
     * @throws IllegalArgumentException if {@code hint} is empty: empty means "no hint"
     */
    public Builder svidHint(String hint) {
      Objects.requireNonNull(hint, "hint");
      if (hint.isEmpty()) {
        throw new IllegalArgumentException("hint must not be empty");
      }
      this.picker = new Picker(context -> context.svidWithHint(hint).orElse(null),
          "SVID with hint \"" + hint + "\"");
      return this;
    }

    /**
     * Serve the SVID this function picks from each update's SVIDs (the endpoint's order, default first); it may
     * return null for none. It runs once per update on a callback thread and must be fast and thread-safe. Replaces
     * any hint. Default: the first SVID (WAPI-15).
     */
    public Builder svidPicker(Function<List<X509Svid>, X509Svid> picker) {
      Objects.requireNonNull(picker, "picker");
      this.picker = new Picker(context -> picker.apply(context.svids()), "SVID the picker accepts");
      return this;
    }

    /**
     * How long {@link #build()} waits for the first usable update; default 30 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder initTimeout(Duration initTimeout) {
      options.initTimeout(initTimeout);
      return this;
    }

    /** The clock against which SVID expiry and health ages are judged; default the system UTC clock. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /**
     * Starts the watch and blocks until the first usable update.
     *
     * @throws SourceException of kind {@code INIT_TIMEOUT} (the message says what was missing, for example "no
     *     identity issued yet"), {@code STOPPED} if the endpoint refused the watch for good, or {@code CLOSED} if
     *     interrupted; nothing is left running
     * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS} without a usable address,
     *     or {@code CLOSED} if the given client is closed
     * @throws IllegalStateException if both a client and an address were set
     */
    public X509Source build() {
      return new X509Source(this);
    }
  }
}
