package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The X.509 authorities (CA certificates) of one trust domain: the roots an X509-SVID of that trust domain must
 * chain to. The binding to the trust domain is part of the value, because a bundle does not name its trust domain
 * (BUN-01).
 *
 * <p>Immutable and thread-safe. Authorities keep their first-seen order; duplicates are dropped. An empty bundle is
 * allowed and trusts nothing (BUN-06).
 */
public final class X509Bundle implements X509BundleSource {
  private final TrustDomain trustDomain;
  private final List<X509Certificate> authorities;

  private X509Bundle(TrustDomain trustDomain, List<X509Certificate> authorities) {
    this.trustDomain = trustDomain;
    this.authorities = authorities;
  }

  /** A bundle of the given authorities for the trust domain. */
  public static X509Bundle of(TrustDomain trustDomain, Collection<X509Certificate> authorities) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(authorities, "authorities");
    List<X509Certificate> unique = new ArrayList<>(new LinkedHashSet<>(authorities));
    unique.forEach(a -> Objects.requireNonNull(a, "authority"));
    return new X509Bundle(trustDomain, List.copyOf(unique));
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The CA certificates, in first-seen order; an unmodifiable list. */
  public List<X509Certificate> x509Authorities() {
    return authorities;
  }

  public boolean isEmpty() {
    return authorities.isEmpty();
  }

  /** This bundle if it is the asked trust domain's. */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    if (!this.trustDomain.equals(trustDomain)) {
      throw new BundleNotFoundException("X.509", trustDomain);
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof X509Bundle
        && ((X509Bundle) o).trustDomain.equals(trustDomain)
        && ((X509Bundle) o).authorities.equals(authorities);
  }

  @Override
  public int hashCode() {
    return trustDomain.hashCode() * 31 + authorities.hashCode();
  }

  @Override
  public String toString() {
    return "X509Bundle{trustDomain=" + trustDomain + ", authorities=" + authorities.size() + "}";
  }
}
