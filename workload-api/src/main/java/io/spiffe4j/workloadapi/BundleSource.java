package io.spiffe4j.workloadapi;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.JwtBundleSource;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.TrustDomain;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The X.509 and JWT bundles of the trust domains the workload trusts, kept current by two watches of the Workload API
 * (FetchX509Bundles and FetchJWTBundles), for a workload that verifies peers but has no SVID of its own to present:
 * a {@link io.spiffe4j.tls.SpiffeSslContextBuilder#tlsClient} trust manager, or a JWT-SVID validator.
 *
 * <p><b>Start.</b> Building blocks until both kinds of bundles arrived, for at most {@code initTimeout} (30 s by
 * default).
 *
 * <p><b>One snapshot.</b> Each update replaces every bundle of its kind (WAPI-05): a trust domain missing from it is
 * no longer trusted for that kind. The X.509 and JWT halves are kept in one immutable value read without locks or
 * I/O; {@link #snapshot()} gives both halves as they were at one moment.
 *
 * <p><b>Lifecycle.</b> As {@link X509Source}: a shared client is never closed, a client of the source's own is
 * closed with it; no thread of its own. Thread-safe.
 */
public final class BundleSource implements X509BundleSource, JwtBundleSource, AutoCloseable {
  private final SourceSupport<Snapshot, Snapshot> support;

  private BundleSource(Builder builder) {
    this.support = new SourceSupport<>("BundleSource", builder.options, Snapshot.NONE, snapshot -> null,
        snapshot -> snapshot);
    support.watch("FetchX509Bundles", WorkloadApiClient::watchX509Bundles,
        (old, bundles) -> new Snapshot(bundles, old.jwtBundles));
    support.watch("FetchJWTBundles", WorkloadApiClient::watchJwtBundles,
        (old, bundles) -> new Snapshot(old.x509Bundles, bundles));
    support.awaitReady(builder.options.initTimeout());
  }

  /**
   * A source on {@code SPIFFE_ENDPOINT_SOCKET} with default settings; blocks until the first X.509 and JWT bundles,
   * up to 30 s.
   *
   * @throws SourceException if no bundles came in time or the endpoint refused a watch
   * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS}
   */
  public static BundleSource create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The X.509 bundle of the trust domain from the latest X.509 bundles update.
   *
   * @throws io.spiffe4j.bundle.BundleNotFoundException if the latest update has none for it
   * @throws SourceException of kind {@code CLOSED} once the source is closed
   */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    return support.state().x509BundleFor(trustDomain);
  }

  /**
   * The JWT bundle of the trust domain from the latest JWT bundles update.
   *
   * @throws io.spiffe4j.bundle.BundleNotFoundException if the latest update has none for it
   * @throws SourceException of kind {@code CLOSED} once the source is closed
   */
  @Override
  public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
    return support.state().jwtBundleFor(trustDomain);
  }

  /**
   * The latest X.509 and JWT bundles, together.
   *
   * @throws SourceException of kind {@code CLOSED} once the source is closed
   */
  public Snapshot snapshot() {
    return support.state();
  }

  /**
   * Calls {@code listener} on {@code executor} with the current bundles at once, then after every update of either
   * kind, in order. It should be fast; an exception it throws is logged and does not affect the source or other
   * listeners.
   *
   * @throws SourceException of kind {@code CLOSED} if the source is closed
   */
  public void addListener(Consumer<? super Snapshot> listener, Executor executor) {
    support.addListener(listener, executor);
  }

  /** Stops notifying {@code listener}; true if it was added. A notification already running may finish. */
  public boolean removeListener(Consumer<? super Snapshot> listener) {
    return support.removeListener(listener);
  }

  /** The source's health now: updates and errors of both watches; no SVID expiry. */
  public SourceHealth health() {
    return support.health(snapshot -> null);
  }

  /**
   * Stops the watches and, if the source created its client, closes it; a shared client stays open. Later reads
   * fail with kind {@code CLOSED}. Idempotent.
   */
  @Override
  public void close() {
    support.close();
  }

  @Override
  public String toString() {
    return support.name();
  }

  /** The X.509 and JWT bundles at one moment. Immutable and thread-safe; a static source once taken. */
  public static final class Snapshot implements X509BundleSource, JwtBundleSource {
    static final Snapshot NONE = new Snapshot(BundleSet.empty(), BundleSet.empty());

    private final BundleSet x509Bundles;
    private final BundleSet jwtBundles;

    private Snapshot(BundleSet x509Bundles, BundleSet jwtBundles) {
      this.x509Bundles = x509Bundles;
      this.jwtBundles = jwtBundles;
    }

    /** The X.509 bundles, by trust domain, for authenticating X509-SVIDs only (WAPI-09). */
    public BundleSet x509Bundles() {
      return x509Bundles;
    }

    /** The JWT bundles, by trust domain, for authenticating JWT-SVIDs only (WAPI-11). */
    public BundleSet jwtBundles() {
      return jwtBundles;
    }

    /**
     * @throws io.spiffe4j.bundle.BundleNotFoundException if there is no X.509 bundle for the trust domain
     */
    @Override
    public X509Bundle x509BundleFor(TrustDomain trustDomain) {
      return x509Bundles.x509BundleFor(trustDomain);
    }

    /**
     * @throws io.spiffe4j.bundle.BundleNotFoundException if there is no JWT bundle for the trust domain
     */
    @Override
    public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
      return jwtBundles.jwtBundleFor(trustDomain);
    }

    @Override
    public String toString() {
      return "BundleSource.Snapshot{x509=" + x509Bundles.trustDomains() + ", jwt=" + jwtBundles.trustDomains() + "}";
    }
  }

  /**
   * Settings of a {@link BundleSource}. Not thread-safe; {@link #build()} may be called more than once, each time
   * for a new source.
   */
  public static final class Builder {
    private final SourceOptions options = new SourceOptions();

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
     * How long {@link #build()} waits for the first X.509 and JWT bundles; default 30 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder initTimeout(Duration initTimeout) {
      options.initTimeout(initTimeout);
      return this;
    }

    /** The clock of the health figures; default the system UTC clock. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /**
     * Starts the watches and blocks until the first X.509 and JWT bundles.
     *
     * @throws SourceException of kind {@code INIT_TIMEOUT}, {@code STOPPED} or {@code CLOSED}; nothing is left
     *     running
     * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS} without a usable address,
     *     or {@code CLOSED} if the given client is closed
     * @throws IllegalStateException if both a client and an address were set
     */
    public BundleSource build() {
      return new BundleSource(this);
    }
  }
}
