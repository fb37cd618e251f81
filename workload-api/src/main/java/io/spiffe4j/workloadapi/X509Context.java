package io.spiffe4j.workloadapi;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One full state of the X.509 half of the Workload API: the workload's X509-SVIDs, in the order the endpoint sent
 * them, and the X.509 bundles to authenticate peers with (the SVIDs' own trust domains and the federated ones).
 * Each update replaces the previous one wholesale (WAPI-04/05): a federated bundle missing from it is gone.
 *
 * <p>The first SVID is the default identity (WAPI-15); {@link #svidWithHint} picks another by its operator hint.
 * Hints are unique: of SVIDs with the same non-empty hint, only the first was kept (WAPI-08).
 *
 * <p>Immutable and thread-safe. {@code toString()} shows IDs and expiry, never keys.
 *
 * @param svids at least one SVID, default first; an unmodifiable list
 * @param bundles the X.509 bundles, for authenticating X509-SVIDs only (WAPI-08)
 */
public record X509Context(List<X509Svid> svids, BundleSet bundles) implements X509SvidSource, X509BundleSource {

  /**
   * @throws IllegalArgumentException if {@code svids} is empty (WAPI-08)
   */
  public X509Context {
    svids = List.copyOf(Objects.requireNonNull(svids, "svids"));
    Objects.requireNonNull(bundles, "bundles");
    if (svids.isEmpty()) {
      throw new IllegalArgumentException("an X.509 context has at least one SVID (WAPI-08)");
    }
  }

  /** The default SVID: the first one (WAPI-15). */
  public X509Svid defaultSvid() {
    return svids.get(0);
  }

  /** The SVID with this non-empty hint, if any. */
  public Optional<X509Svid> svidWithHint(String hint) {
    Objects.requireNonNull(hint, "hint");
    return hint.isEmpty() ? Optional.empty() : svids.stream().filter(s -> s.hint().equals(hint)).findFirst();
  }

  /** The default SVID, so that a context can serve as a static {@link X509SvidSource}. */
  @Override
  public X509Svid x509Svid() {
    return defaultSvid();
  }

  /**
   * The X.509 bundle of the trust domain.
   *
   * @throws io.spiffe4j.bundle.BundleNotFoundException if the context has none
   */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    return bundles.x509BundleFor(trustDomain);
  }
}
