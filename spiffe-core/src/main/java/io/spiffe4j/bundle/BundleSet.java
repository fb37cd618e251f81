package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The bundles of several trust domains, at most one {@link SpiffeBundle} per trust domain: the own trust domain and
 * the federated ones. Bundles of different trust domains are never merged (FED-05) and each SVID is checked only
 * with its own trust domain's bundle (BUN-01, JWT-16), which is what {@link #x509BundleFor} and
 * {@link #jwtBundleFor} hand out.
 *
 * <p>A trust domain in the set answers both kinds of request: if its bundle has no authorities of the asked kind
 * (for example a set made {@linkplain #ofX509Bundles from X.509 bundles} asked for a JWT bundle), the answer is an
 * empty bundle, which trusts nothing (BUN-06). A trust domain not in the set gets a {@link BundleNotFoundException}.
 *
 * <p>Immutable and thread-safe; trust domains iterate in name order. Equal when the bundles are equal.
 */
public final class BundleSet implements X509BundleSource, JwtBundleSource {
  private static final BundleSet EMPTY = new BundleSet(Collections.emptyNavigableMap());

  private final Map<TrustDomain, SpiffeBundle> bundles;

  private BundleSet(Map<TrustDomain, SpiffeBundle> bundles) {
    this.bundles = bundles;
  }

  /** The set with no bundles. */
  public static BundleSet empty() {
    return EMPTY;
  }

  /**
   * A set of these bundles.
   *
   * @throws IllegalArgumentException if two bundles are of the same trust domain: they would have to be merged
   */
  public static BundleSet of(Collection<SpiffeBundle> bundles) {
    return index(bundles, Function.identity());
  }

  /**
   * A set of these X.509 bundles, each as a SPIFFE bundle without JWT authorities.
   *
   * @throws IllegalArgumentException if two bundles are of the same trust domain
   */
  public static BundleSet ofX509Bundles(Collection<X509Bundle> bundles) {
    return index(bundles, SpiffeBundle::of);
  }

  /**
   * A set of these JWT bundles, each as a SPIFFE bundle without X.509 authorities.
   *
   * @throws IllegalArgumentException if two bundles are of the same trust domain
   */
  public static BundleSet ofJwtBundles(Collection<JwtBundle> bundles) {
    return index(bundles, SpiffeBundle::of);
  }

  private static <T> BundleSet index(Collection<T> bundles, Function<T, SpiffeBundle> toSpiffeBundle) {
    Objects.requireNonNull(bundles, "bundles");
    TreeMap<TrustDomain, SpiffeBundle> byTrustDomain = new TreeMap<>();
    for (T bundle : bundles) {
      SpiffeBundle spiffeBundle = toSpiffeBundle.apply(Objects.requireNonNull(bundle, "bundle"));
      if (byTrustDomain.putIfAbsent(spiffeBundle.trustDomain(), spiffeBundle) != null) {
        throw new IllegalArgumentException("two bundles for trust domain \"" + spiffeBundle.trustDomain()
            + "\"; bundles are never merged (FED-05)");
      }
    }
    return new BundleSet(Collections.unmodifiableNavigableMap(byTrustDomain));
  }

  /** The bundle of the trust domain, if the set has one. */
  public Optional<SpiffeBundle> find(TrustDomain trustDomain) {
    return Optional.ofNullable(bundles.get(Objects.requireNonNull(trustDomain, "trustDomain")));
  }

  /**
   * The bundle of the trust domain.
   *
   * @throws BundleNotFoundException if the set has none
   */
  public SpiffeBundle bundleFor(TrustDomain trustDomain) {
    return find(trustDomain).orElseThrow(() -> new BundleNotFoundException("SPIFFE", trustDomain));
  }

  /**
   * The X.509 bundle of the trust domain (empty if its bundle has no X.509 authorities).
   *
   * @throws BundleNotFoundException if the set has no bundle for the trust domain
   */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    return find(trustDomain).orElseThrow(() -> new BundleNotFoundException("X.509", trustDomain)).x509Bundle();
  }

  /**
   * The JWT bundle of the trust domain (empty if its bundle has no JWT authorities).
   *
   * @throws BundleNotFoundException if the set has no bundle for the trust domain
   */
  @Override
  public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
    return find(trustDomain).orElseThrow(() -> new BundleNotFoundException("JWT", trustDomain)).jwtBundle();
  }

  /** The trust domains that have a bundle, in name order; an unmodifiable set. */
  public Set<TrustDomain> trustDomains() {
    return bundles.keySet();
  }

  /** The bundles, in trust domain name order; an unmodifiable list. */
  public List<SpiffeBundle> bundles() {
    return List.copyOf(bundles.values());
  }

  public int size() {
    return bundles.size();
  }

  public boolean isEmpty() {
    return bundles.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BundleSet && ((BundleSet) o).bundles.equals(bundles);
  }

  @Override
  public int hashCode() {
    return bundles.hashCode();
  }

  @Override
  public String toString() {
    return "BundleSet{trustDomains=" + bundles.keySet() + "}";
  }
}
