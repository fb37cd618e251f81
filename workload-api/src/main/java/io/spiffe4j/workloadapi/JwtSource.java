package io.spiffe4j.workloadapi;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.JwtBundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The JWT bundles of the trust domains the workload trusts, kept current by a watch of the Workload API, to validate
 * JWT-SVIDs with ({@link io.spiffe4j.svid.jwt.JwtSvidValidator}); and the workload's own JWT-SVIDs, fetched on demand
 * and cached.
 *
 * <pre>{@code
 * try (JwtSource source = JwtSource.create()) {
 *   String bearer = source.fetchJwtSvid("payments").token();          // cached until half its lifetime
 *   JwtSvidValidator validator = JwtSvidValidator.builder().bundleSource(source).expectAudience("orders").build();
 *   JwtSvid caller = validator.validate(incomingToken);               // checked against the latest JWT bundles
 * }
 * }</pre>
 *
 * <p><b>Start and bundles.</b> Building blocks until the first JWT bundles arrive, for at most {@code initTimeout}
 * (30 s by default). Each update replaces every bundle (WAPI-05): a trust domain missing from it is no longer
 * trusted. The bundles are one immutable value read without locks or I/O.
 *
 * <p><b>JWT-SVIDs.</b> {@link #fetchJwtSvid} asks the endpoint (FetchJWTSVID, with the client's deadline) only when
 * the cache has no token for the subject and audiences that is younger than half its lifetime; concurrent callers
 * for the same token share one request. An expired token is never returned. If a refresh finds the endpoint
 * unreachable, the cached token is returned while it is still valid; any other refusal (for example
 * {@code PERMISSION_DENIED}: the identity was withdrawn) is thrown and the token dropped.
 *
 * <p><b>Lifecycle.</b> As {@link X509Source}: a shared client is never closed, a client of the source's own is
 * closed with it; no thread of its own. Thread-safe.
 */
public final class JwtSource implements JwtBundleSource, AutoCloseable {
  private final SourceSupport<BundleSet, BundleSet> support;
  private final WorkloadApiClient client;
  private final JwtSvidCache cache;

  private JwtSource(Builder builder) {
    this.support = new SourceSupport<>("JwtSource", builder.options, BundleSet.empty(), bundles -> null,
        bundles -> bundles);
    this.client = support.client();
    this.cache = new JwtSvidCache(support.name(), support.clock());
    support.watch("FetchJWTBundles", WorkloadApiClient::watchJwtBundles, (old, bundles) -> bundles);
    support.awaitReady(builder.options.initTimeout());
  }

  /**
   * A source on {@code SPIFFE_ENDPOINT_SOCKET} with default settings; blocks until the first JWT bundles, up to
   * 30 s.
   *
   * @throws SourceException if no bundles came in time or the endpoint refused the watch
   * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS}
   */
  public static JwtSource create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The JWT bundle of the trust domain from the latest update.
   *
   * @throws io.spiffe4j.bundle.BundleNotFoundException if the latest update has none for it
   * @throws SourceException of kind {@code CLOSED} once the source is closed
   */
  @Override
  public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
    return support.state().jwtBundleFor(trustDomain);
  }

  /**
   * Every JWT bundle of the latest update.
   *
   * @throws SourceException of kind {@code CLOSED} once the source is closed
   */
  public BundleSet bundles() {
    return support.state();
  }

  /**
   * A JWT-SVID of the workload's default identity for the audiences, from the cache or the endpoint.
   *
   * @throws IllegalArgumentException if an audience is empty
   * @throws WorkloadApiException if the endpoint fails or refuses
   * @throws SourceException of kind {@code EXPIRED} if the endpoint returned an expired token, {@code CLOSED} once
   *     the source is closed
   */
  public JwtSvid fetchJwtSvid(String audience, String... moreAudiences) {
    List<String> audiences = audiences(audience, moreAudiences);
    return fetch(null, audiences);
  }

  /**
   * A JWT-SVID of the given identity of the workload for the audiences, from the cache or the endpoint.
   *
   * @throws IllegalArgumentException if an audience is empty
   * @throws WorkloadApiException if the endpoint fails or refuses (kind {@code NO_IDENTITY} if the workload is not
   *     entitled to {@code subject})
   * @throws SourceException of kind {@code EXPIRED} if the endpoint returned an expired token, {@code CLOSED} once
   *     the source is closed
   */
  public JwtSvid fetchJwtSvid(SpiffeId subject, String audience, String... moreAudiences) {
    Objects.requireNonNull(subject, "subject");
    return fetch(subject, audiences(audience, moreAudiences));
  }

  /**
   * Calls {@code listener} on {@code executor} with the current JWT bundles at once, then with every update, in
   * order. It should be fast; an exception it throws is logged and does not affect the source or other listeners.
   *
   * @throws SourceException of kind {@code CLOSED} if the source is closed
   */
  public void addListener(Consumer<? super BundleSet> listener, Executor executor) {
    support.addListener(listener, executor);
  }

  /** Stops notifying {@code listener}; true if it was added. A notification already running may finish. */
  public boolean removeListener(Consumer<? super BundleSet> listener) {
    return support.removeListener(listener);
  }

  /** The source's health now; it has no SVID expiry, since its JWT-SVIDs are per audience. */
  public SourceHealth health() {
    return support.health(bundles -> null);
  }

  /**
   * Stops the watch, drops the cached JWT-SVIDs and, if the source created its client, closes it; a shared client
   * stays open. Later calls fail with kind {@code CLOSED}. Idempotent.
   */
  @Override
  public void close() {
    support.close();
    cache.clear();
  }

  @Override
  public String toString() {
    return support.name();
  }

  private JwtSvid fetch(SpiffeId subject, List<String> audiences) {
    support.checkOpen();
    String first = audiences.get(0);
    String[] more = audiences.subList(1, audiences.size()).toArray(new String[0]);
    return cache.get(subject, audiences, subject == null
        ? () -> client.fetchJwtSvid(first, more)
        : () -> client.fetchJwtSvid(subject, first, more));
  }

  /**
   * The audiences in one order, so that the same set of audiences in any order shares one cached token; a token's
   * audience is a set (JWT-08). Emptiness is checked by the client.
   */
  private static List<String> audiences(String audience, String... moreAudiences) {
    Objects.requireNonNull(moreAudiences, "moreAudiences");
    List<String> all = new ArrayList<>(1 + moreAudiences.length);
    all.add(Objects.requireNonNull(audience, "audience"));
    for (String more : moreAudiences) {
      all.add(Objects.requireNonNull(more, "audience"));
    }
    all.sort(null);
    return List.copyOf(all);
  }

  /**
   * Settings of a {@link JwtSource}. Not thread-safe; {@link #build()} may be called more than once, each time for
   * a new source.
   */
  public static final class Builder {
    private final SourceOptions options = new SourceOptions();

    private Builder() {
    }

    /**
     * The client to watch and fetch with, shared with its other users: the source never closes it. Exclusive with
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
     * How long {@link #build()} waits for the first JWT bundles; default 30 s.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder initTimeout(Duration initTimeout) {
      options.initTimeout(initTimeout);
      return this;
    }

    /** The clock against which JWT-SVID lifetimes and health ages are judged; default the system UTC clock. */
    public Builder clock(Clock clock) {
      options.clock(clock);
      return this;
    }

    /**
     * Starts the watch and blocks until the first JWT bundles.
     *
     * @throws SourceException of kind {@code INIT_TIMEOUT}, {@code STOPPED} or {@code CLOSED}; nothing is left
     *     running
     * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS} without a usable address,
     *     or {@code CLOSED} if the given client is closed
     * @throws IllegalStateException if both a client and an address were set
     */
    public JwtSource build() {
      return new JwtSource(this);
    }
  }
}
