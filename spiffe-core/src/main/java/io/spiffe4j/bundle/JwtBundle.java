package io.spiffe4j.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.id.TrustDomain;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The JWT authorities (public keys by key ID) of one trust domain. A JWT-SVID is validated only with the bundle of
 * its subject's trust domain (JWT-16), never with a global key-ID map.
 *
 * <p>Every authority has a non-empty key ID (JWT-12) and is a key JWT-SVID can verify with: EC on P-256, P-384 or
 * P-521, or RSA (JWT-03). Immutable and thread-safe. An empty bundle is allowed and trusts nothing (BUN-06). Two
 * bundles are equal when they have the same trust domain and the same key IDs mapped to keys with equal X.509
 * ({@code SubjectPublicKeyInfo}) encodings, whatever provider made the key objects, so
 * {@code parse(td, b.marshal())} equals {@code b}.
 *
 * <p><b>JWKS rules</b> ({@link #parse}): the document is a strict JSON object (no duplicate members) with a
 * {@code keys} array. An entry without {@code use} is a JWT authority, because Workload API JWT bundles omit it
 * (WAPI-11); {@code use: "jwt-svid"} is one too; any other {@code use} is ignored. Entries whose key type JWT-SVID
 * cannot use are ignored element by element: unknown {@code kty} (BUN-05/08), {@code oct}, EC on other curves and
 * {@code OKP} (Ed25519 has no JWT-SVID algorithm, JWT-03; ignoring rather than rejecting keeps the other keys usable
 * and cannot widen trust, since a token signed by an ignored key finds no key). The whole document is rejected
 * when an entry is not an object or has no string {@code kty} (BUN-08), when a usable JWT key has no key ID
 * (JWT-12), when a key ID repeats, when a usable JWT key has an {@code x5c} whose first value is not padded standard
 * base64 of one DER certificate holding that same key (RFC 7517 §4.7; further values are not read, an empty
 * {@code x5c} is allowed, and the key is always the JWK's), when an entry carries private or secret material
 * ({@code d}, {@code p}, {@code q}, {@code dp}, {@code dq}, {@code qi}, {@code oth}, {@code k}: a bundle never holds
 * secrets, and the message never shows them), or when a usable key is malformed, off its curve or not canonically
 * encoded.
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
   * @throws BundleException if a key ID is empty (JWT-12), or a key is of a type JWT-SVID cannot use (JWT-03)
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
      if (!Jwk.isJwtSvidKey(key)) {
        throw new BundleException("JWT authority " + BundleJson.quoteKeyId(kid) + " is a " + key.getAlgorithm()
            + " key; JWT-SVID allows only EC P-256/P-384/P-521 and RSA keys", "JWT-03");
      }
      copy.put(kid, key);
    });
    return new JwtBundle(trustDomain, Collections.unmodifiableMap(copy));
  }

  /**
   * Parses a JWKS document (RFC 7517 JWK Set), the form of Workload API JWT bundles, by the rules in the class
   * description.
   *
   * @throws BundleException if the document breaks one of them
   */
  public static JwtBundle parse(TrustDomain trustDomain, byte[] jwksJson) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(jwksJson, "jwksJson");
    return fromJwks(trustDomain, BundleJson.readObject(jwksJson));
  }

  static JwtBundle fromJwks(TrustDomain trustDomain, ObjectNode root) {
    return of(trustDomain, BundleJson.read(root, BundleJson.Profile.JWKS).jwtAuthorities);
  }

  /**
   * The keys as a JWKS document: {@code {"keys":[{"kty":..,"kid":..,...}]}} with public parameters only and no
   * {@code use}, as the Workload API delivers JWT bundles (WAPI-11).
   */
  public byte[] marshal() {
    return BundleJson.write(BundleJson.Profile.JWKS, List.of(), authorities, null, null);
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
        && sameKeys(((JwtBundle) o).authorities, authorities);
  }

  /** Key objects from different providers need not be equal for the same key; their encodings are. */
  private static boolean sameKeys(Map<String, PublicKey> a, Map<String, PublicKey> b) {
    if (!a.keySet().equals(b.keySet())) {
      return false;
    }
    for (Map.Entry<String, PublicKey> entry : a.entrySet()) {
      if (!Arrays.equals(entry.getValue().getEncoded(), b.get(entry.getKey()).getEncoded())) {
        return false;
      }
    }
    return true;
  }

  @Override
  public int hashCode() {
    int keys = 0;
    for (Map.Entry<String, PublicKey> entry : authorities.entrySet()) {
      keys += entry.getKey().hashCode() ^ Arrays.hashCode(entry.getValue().getEncoded());
    }
    return trustDomain.hashCode() * 31 + keys;
  }

  @Override
  public String toString() {
    return "JwtBundle{trustDomain=" + trustDomain + ", keyIds=" + authorities.keySet() + "}";
  }
}
