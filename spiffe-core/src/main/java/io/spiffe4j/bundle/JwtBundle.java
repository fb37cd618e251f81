package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;
import java.security.PublicKey;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The JWT authorities (public keys by key ID) of one trust domain. A JWT-SVID is validated only with the bundle of
 * its subject's trust domain (JWT-16), never with a global key-ID map.
 *
 * <p>Immutable and thread-safe. An empty bundle is allowed and trusts nothing (BUN-06).
 */
public final class JwtBundle implements JwtBundleSource {
  private final TrustDomain trustDomain;
  private final Map<String, PublicKey> authorities;

  private JwtBundle(TrustDomain trustDomain, Map<String, PublicKey> authorities) {
    this.trustDomain = trustDomain;
    this.authorities = authorities;
  }

  /**
   * A bundle of the given keys for the trust domain; iteration keeps the map's order.
   *
   * @throws BundleException if a key ID is empty (JWT-12)
   */
  public static JwtBundle of(TrustDomain trustDomain, Map<String, ? extends PublicKey> authorities) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(authorities, "authorities");
    Map<String, PublicKey> copy = new LinkedHashMap<>();
    authorities.forEach((kid, key) -> {
      Objects.requireNonNull(kid, "key ID");
      Objects.requireNonNull(key, "authority");
      if (kid.isEmpty()) {
        throw new BundleException("JWT authority has an empty key ID", "JWT-12");
      }
      copy.put(kid, key);
    });
    return new JwtBundle(trustDomain, Collections.unmodifiableMap(copy));
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The keys by key ID; an unmodifiable map. */
  public Map<String, PublicKey> jwtAuthorities() {
    return authorities;
  }

  /** The key with this key ID, if any. */
  public Optional<PublicKey> findJwtAuthority(String keyId) {
    return Optional.ofNullable(authorities.get(keyId));
  }

  public boolean isEmpty() {
    return authorities.isEmpty();
  }

  /** This bundle if it is the asked trust domain's. */
  @Override
  public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
    if (!this.trustDomain.equals(trustDomain)) {
      throw new BundleNotFoundException("JWT", trustDomain);
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof JwtBundle
        && ((JwtBundle) o).trustDomain.equals(trustDomain)
        && ((JwtBundle) o).authorities.equals(authorities);
  }

  @Override
  public int hashCode() {
    return trustDomain.hashCode() * 31 + authorities.hashCode();
  }

  @Override
  public String toString() {
    return "JwtBundle{trustDomain=" + trustDomain + ", keyIds=" + authorities.keySet() + "}";
  }
}
