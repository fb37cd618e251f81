package io.spiffe4j.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.id.TrustDomain;
import java.math.BigInteger;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A SPIFFE bundle (SPIFFE Trust Domain and Bundle §4): the X.509 and JWT authorities of one trust domain, with the
 * optional {@code spiffe_sequence} and {@code spiffe_refresh_hint}. The trust domain is not inside the document
 * (BUN-01), so it is given when parsing and kept as part of the value.
 *
 * <p><b>Guarantees.</b> The {@linkplain #x509Bundle() X.509 view} and {@linkplain #jwtBundle() JWT view} hold the
 * guarantees of {@link X509Bundle} and {@link JwtBundle} (every JWT authority has a key ID and a JWT-SVID key type).
 * The sequence number, when present, is an integer in 0..2^64-1 (BUN-03: a Java {@code long} cannot hold every
 * uint64, so it is a {@link BigInteger}); the refresh hint, when present, is a non-negative whole number of seconds
 * (BUN-04). A bundle without authorities is allowed and trusts nothing (BUN-06).
 *
 * <p><b>Parsing</b> ({@link #parse}) accepts only a strict JSON object (no duplicate members at any depth, nothing
 * after it) with a {@code keys} array (BUN-05). Element by element, it ignores entries whose {@code use} is missing
 * or unknown (BUN-09; values are case-sensitive), whose {@code kty} is unknown (BUN-08), and JWT entries of key types
 * JWT-SVID cannot use (OKP, {@code oct}, other curves; JWT-03, as in {@link JwtBundle}). An {@code x509-svid} entry
 * without {@code x5c} or with an empty one is ignored, and of its {@code x5c} only the first value is read: it must
 * be padded standard base64 (not base64url) of exactly one DER certificate whose public key is the one the entry's
 * parameters describe (RFC 7517 §4.7). This follows X509-19, which says such entries and values MUST be ignored;
 * it deliberately differs from go-spiffe, which rejects the whole bundle. The document is rejected when an entry is
 * not an object or has no string {@code kty} (BUN-08: it MUST be set), when a JWT authority has no key ID (JWT-12)
 * or repeats one, when a JWT authority has an {@code x5c} whose first value is not one such certificate holding the
 * entry's own key (RFC 7517 §4.7, the same check; an empty {@code x5c} is allowed, and the key is always the JWK's),
 * when any entry carries private or secret key material, when a usable key is malformed, and when
 * {@code spiffe_sequence} or {@code spiffe_refresh_hint} is not a non-negative JSON integer in range (a fraction
 * such as {@code 1.0}, an exponent form, a string and {@code null} are all rejected).
 *
 * <p><b>Marshalling</b> ({@link #marshal}) writes {@code {"keys":[...],"spiffe_sequence":..,"spiffe_refresh_hint":..}}:
 * one {@code use: "x509-svid"} entry per X.509 authority with its public parameters and a one-value {@code x5c} of
 * standard base64 DER and no {@code kid} (X509-18), then one {@code use: "jwt-svid"} entry with {@code kid} per JWT
 * authority (JWT-12). {@code parse(td, b.marshal())} equals {@code b}.
 *
 * <p>Immutable and thread-safe. Equality covers the trust domain, both views, the sequence number and the hint.
 */
public final class SpiffeBundle implements X509BundleSource, JwtBundleSource {
  private final X509Bundle x509Bundle;
  private final JwtBundle jwtBundle;
  private final BigInteger sequenceNumber;
  private final Duration refreshHint;

  private SpiffeBundle(X509Bundle x509Bundle, JwtBundle jwtBundle, BigInteger sequenceNumber, Duration refreshHint) {
    this.x509Bundle = x509Bundle;
    this.jwtBundle = jwtBundle;
    this.sequenceNumber = sequenceNumber;
    this.refreshHint = refreshHint;
  }

  /**
   * A bundle of these authorities, without sequence number or refresh hint.
   *
   * @throws BundleException if a JWT authority breaks a {@link JwtBundle#of} rule
   */
  public static SpiffeBundle of(TrustDomain trustDomain, Collection<X509Certificate> x509Authorities,
      Map<String, ? extends PublicKey> jwtAuthorities) {
    return builder(trustDomain).x509Authorities(x509Authorities).jwtAuthorities(jwtAuthorities).build();
  }

  /**
   * The bundle holding both views, without sequence number or refresh hint.
   *
   * @throws IllegalArgumentException if the two are of different trust domains (FED-05: never merge them)
   */
  public static SpiffeBundle of(X509Bundle x509Bundle, JwtBundle jwtBundle) {
    Objects.requireNonNull(x509Bundle, "x509Bundle");
    Objects.requireNonNull(jwtBundle, "jwtBundle");
    if (!x509Bundle.trustDomain().equals(jwtBundle.trustDomain())) {
      throw new IllegalArgumentException("bundles of trust domains \"" + x509Bundle.trustDomain() + "\" and \""
          + jwtBundle.trustDomain() + "\" must not be merged (FED-05)");
    }
    return new SpiffeBundle(x509Bundle, jwtBundle, null, null);
  }

  /** The X.509 bundle as a SPIFFE bundle with no JWT authorities. */
  public static SpiffeBundle of(X509Bundle x509Bundle) {
    Objects.requireNonNull(x509Bundle, "x509Bundle");
    return of(x509Bundle, JwtBundle.of(x509Bundle.trustDomain(), Map.of()));
  }

  /** The JWT bundle as a SPIFFE bundle with no X.509 authorities. */
  public static SpiffeBundle of(JwtBundle jwtBundle) {
    Objects.requireNonNull(jwtBundle, "jwtBundle");
    return of(X509Bundle.of(jwtBundle.trustDomain(), List.of()), jwtBundle);
  }

  /** A builder for a bundle of the trust domain, starting with no authorities, sequence number or hint. */
  public static Builder builder(TrustDomain trustDomain) {
    return new Builder(Objects.requireNonNull(trustDomain, "trustDomain"));
  }

  /** A builder starting from this bundle's contents. */
  public Builder toBuilder() {
    Builder builder = builder(trustDomain())
        .x509Authorities(x509Authorities())
        .jwtAuthorities(jwtAuthorities());
    builder.sequenceNumber = sequenceNumber;
    builder.refreshHint = refreshHint;
    return builder;
  }

  /**
   * Parses a SPIFFE bundle document by the rules in the class description.
   *
   * @throws BundleException if the document breaks one of them
   */
  public static SpiffeBundle parse(TrustDomain trustDomain, byte[] json) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(json, "json");
    return fromDocument(trustDomain, BundleJson.readObject(json));
  }

  static SpiffeBundle fromDocument(TrustDomain trustDomain, ObjectNode root) {
    BundleJson.Contents contents = BundleJson.read(root, BundleJson.Profile.SPIFFE);
    return new SpiffeBundle(
        X509Bundle.of(trustDomain, contents.x509Authorities),
        JwtBundle.of(trustDomain, contents.jwtAuthorities),
        contents.sequence,
        contents.refreshHint);
  }

  /**
   * The bundle as a SPIFFE bundle document (UTF-8 JSON), as described in the class description.
   *
   * @throws BundleException if an X.509 authority's key has no JWK form (neither EC on a named curve, RSA, Ed25519
   *     nor Ed448)
   */
  public byte[] marshal() {
    return BundleJson.write(BundleJson.Profile.SPIFFE, x509Authorities(), jwtAuthorities(), sequenceNumber,
        refreshHint);
  }

  public TrustDomain trustDomain() {
    return x509Bundle.trustDomain();
  }

  /** The X.509 authorities, in first-seen order; an unmodifiable list. */
  public List<X509Certificate> x509Authorities() {
    return x509Bundle.x509Authorities();
  }

  /** The JWT authorities by key ID; an unmodifiable map. */
  public Map<String, PublicKey> jwtAuthorities() {
    return jwtBundle.jwtAuthorities();
  }

  /** The JWT authority with this key ID, if any. */
  public Optional<PublicKey> findJwtAuthority(String keyId) {
    return jwtBundle.findJwtAuthority(keyId);
  }

  /** The X.509 authorities as an {@link X509Bundle} of the same trust domain. */
  public X509Bundle x509Bundle() {
    return x509Bundle;
  }

  /** The JWT authorities as a {@link JwtBundle} of the same trust domain. */
  public JwtBundle jwtBundle() {
    return jwtBundle;
  }

  /** {@code spiffe_sequence}, in 0..2^64-1, if the bundle has one (BUN-03). */
  public Optional<BigInteger> sequenceNumber() {
    return Optional.ofNullable(sequenceNumber);
  }

  /** {@code spiffe_refresh_hint}, a whole number of seconds, if the bundle has one (BUN-04). Only a hint. */
  public Optional<Duration> refreshHint() {
    return Optional.ofNullable(refreshHint);
  }

  /** Whether the bundle has no authority of either kind; such a bundle trusts nothing (BUN-06). */
  public boolean isEmpty() {
    return x509Bundle.isEmpty() && jwtBundle.isEmpty();
  }

  /** The X.509 view if the asked trust domain is this bundle's; it may be empty (trusting nothing). */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    return x509Bundle.x509BundleFor(trustDomain);
  }

  /** The JWT view if the asked trust domain is this bundle's; it may be empty (trusting nothing). */
  @Override
  public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
    return jwtBundle.jwtBundleFor(trustDomain);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SpiffeBundle)) {
      return false;
    }
    SpiffeBundle other = (SpiffeBundle) o;
    return other.x509Bundle.equals(x509Bundle)
        && other.jwtBundle.equals(jwtBundle)
        && Objects.equals(other.sequenceNumber, sequenceNumber)
        && Objects.equals(other.refreshHint, refreshHint);
  }

  @Override
  public int hashCode() {
    return Objects.hash(x509Bundle, jwtBundle, sequenceNumber, refreshHint);
  }

  @Override
  public String toString() {
    return "SpiffeBundle{trustDomain=" + trustDomain()
        + ", x509Authorities=" + x509Authorities().size()
        + ", jwtKeyIds=" + jwtAuthorities().keySet()
        + (sequenceNumber != null ? ", sequenceNumber=" + sequenceNumber : "")
        + (refreshHint != null ? ", refreshHint=" + refreshHint.getSeconds() + "s" : "")
        + "}";
  }

  /**
   * Builds a {@link SpiffeBundle}. Setters check their argument at once; {@link #build()} applies the
   * {@link X509Bundle#of} and {@link JwtBundle#of} rules. Not thread-safe; the bundles it builds are.
   */
  public static final class Builder {
    private final TrustDomain trustDomain;
    private final List<X509Certificate> x509Authorities = new ArrayList<>();
    private final Map<String, PublicKey> jwtAuthorities = new LinkedHashMap<>();
    private BigInteger sequenceNumber;
    private Duration refreshHint;

    private Builder(TrustDomain trustDomain) {
      this.trustDomain = trustDomain;
    }

    /** Replaces the X.509 authorities; duplicates are dropped at {@link #build()}. */
    public Builder x509Authorities(Collection<X509Certificate> authorities) {
      Objects.requireNonNull(authorities, "authorities");
      x509Authorities.clear();
      authorities.forEach(this::addX509Authority);
      return this;
    }

    public Builder addX509Authority(X509Certificate authority) {
      x509Authorities.add(Objects.requireNonNull(authority, "authority"));
      return this;
    }

    /** Replaces the JWT authorities, keeping the map's order. */
    public Builder jwtAuthorities(Map<String, ? extends PublicKey> authorities) {
      Objects.requireNonNull(authorities, "authorities");
      jwtAuthorities.clear();
      authorities.forEach(this::addJwtAuthority);
      return this;
    }

    /**
     * Adds a JWT authority.
     *
     * @throws IllegalArgumentException if the key ID is already taken (a bundle maps each key ID to one key)
     */
    public Builder addJwtAuthority(String keyId, PublicKey authority) {
      Objects.requireNonNull(keyId, "keyId");
      Objects.requireNonNull(authority, "authority");
      if (jwtAuthorities.containsKey(keyId)) {
        throw new IllegalArgumentException("key ID " + BundleJson.quoteKeyId(keyId) + " is already taken");
      }
      jwtAuthorities.put(keyId, authority);
      return this;
    }

    /**
     * Sets {@code spiffe_sequence}; null removes it.
     *
     * @throws IllegalArgumentException if it is outside 0..2^64-1 (BUN-03)
     */
    public Builder sequenceNumber(BigInteger sequenceNumber) {
      if (sequenceNumber != null && !BundleJson.isUint64(sequenceNumber)) {
        throw new IllegalArgumentException("sequence number must be in 0..2^64-1 (BUN-03)");
      }
      this.sequenceNumber = sequenceNumber;
      return this;
    }

    /**
     * Sets {@code spiffe_refresh_hint}; null removes it.
     *
     * @throws IllegalArgumentException if it is negative or not a whole number of seconds (BUN-04)
     */
    public Builder refreshHint(Duration refreshHint) {
      if (refreshHint != null && (refreshHint.isNegative() || refreshHint.getNano() != 0)) {
        throw new IllegalArgumentException("refresh hint must be a non-negative whole number of seconds (BUN-04)");
      }
      this.refreshHint = refreshHint;
      return this;
    }

    /**
     * The bundle.
     *
     * @throws BundleException if a JWT authority has an empty key ID (JWT-12) or a key type JWT-SVID cannot use
     *     (JWT-03)
     */
    public SpiffeBundle build() {
      return new SpiffeBundle(
          X509Bundle.of(trustDomain, x509Authorities),
          JwtBundle.of(trustDomain, jwtAuthorities),
          sequenceNumber,
          refreshHint);
    }
  }
}
