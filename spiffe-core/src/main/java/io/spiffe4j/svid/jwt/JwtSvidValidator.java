package io.spiffe4j.svid.jwt;

import io.spiffe4j.bundle.BundleException;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.JwtBundleSource;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Signatures;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Validates JWT-SVIDs presented by peers: signature, time window and audience, against the JWT bundle of the
 * subject's trust domain.
 *
 * <pre>{@code
 * JwtSvidValidator validator = JwtSvidValidator.builder()
 *     .bundleSource(bundles)
 *     .expectAudience("spiffe://example.org/billing")
 *     .build();
 * JwtSvid svid = validator.validate(bearerToken); // or JwtSvidException
 * }</pre>
 *
 * <h2>Security guarantees</h2>
 * A token is returned only if all of the following hold; otherwise {@link #validate} throws a
 * {@link JwtSvidException} naming the broken rule, and nothing in the token was trusted on the way:
 * <ul>
 *   <li>It is at most 64 KiB, in JWS compact serialization with exactly three strictly base64url-encoded parts:
 *       no JWE, no JSON serialization (JWT-01); header and payload are UTF-8 JSON objects without duplicate
 *       member names.
 *   <li>{@code alg} is checked before anything else in the header and is exactly one of RS256/384/512,
 *       ES256/384/512 or PS256/384/512 (JWT-03): {@code none}, HMAC, EdDSA and ES256K never verify.
 *   <li>The header holds a non-empty {@code kid} (JWT-04), {@code typ} is absent or exactly {@code JWT} or
 *       {@code JOSE} (JWT-05), and no other parameter is present (JWT-02): keys embedded in the token
 *       ({@code jwk}, {@code jku}, {@code x5c}, {@code x5u}) and critical extensions are refused, never used.
 *   <li>{@code sub} is a valid SPIFFE ID (JWT-07), and the key is looked up by {@code kid} only in the JWT bundle
 *       the bundle source holds for <em>that ID's trust domain</em>; no bundle or no such key means untrusted
 *       (JWT-16).
 *   <li>The key fits {@code alg}: an EC key on exactly P-256, P-384 or P-521 for ES256/384/512, an RSA key of at
 *       least 2048 bits (RFC 7518 §3.3) for RS and PS; the signature has the one valid length (R||S for ECDSA, never
 *       DER) and verifies over the signing input (JWT-03, JWT-10).
 *   <li>At the clock's instant {@code now}, with the configured leeway: {@code now < exp + leeway} (JWT-09);
 *       {@code now + leeway >= nbf} when {@code nbf} is present (JWT-10); {@code now + leeway >= iat} when
 *       {@code iat} is present, as go-spiffe checks.
 *   <li>{@code aud} is a string or a non-empty array of strings and contains at least one expected audience, by
 *       exact, case-sensitive comparison (JWT-08).
 * </ul>
 * Claims are checked only after the signature verified, except for their presence and types. Exception messages
 * carry the rule and public context (trust domain, {@code kid}, audiences, times), never the token.
 *
 * <p>Immutable and thread-safe; build one per service and share it. It reads the bundle source on every call, so
 * a live source's key rotation takes effect at once.
 */
public final class JwtSvidValidator {
  /** go-jose's {@code DefaultLeeway}, so spiffe4j and go-spiffe agree on tokens near their expiry. */
  public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(60);

  /** Clock skew beyond this is a misconfiguration, not skew. */
  public static final Duration MAX_LEEWAY = Duration.ofMinutes(5);

  private final JwtBundleSource bundleSource;
  private final Set<String> audiences;
  private final Clock clock;
  private final Duration leeway;

  private JwtSvidValidator(Builder builder) {
    this.bundleSource = builder.bundleSource;
    this.audiences = Collections.unmodifiableSet(new LinkedHashSet<>(builder.audiences));
    this.clock = builder.clock;
    this.leeway = builder.leeway;
  }

  /** A builder with no bundle source and no audience, both required, the system UTC clock and 60 s leeway. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Validates a token presented by a peer, at the clock's current instant.
   *
   * @return the validated token; its {@link JwtSvid#id()} is the authenticated peer
   * @throws JwtSvidException if the token is malformed, untrusted, outside its time window or not for an expected
   *     audience; the exception names the rule. A {@code BundleException} from the bundle source becomes one (JWT-16);
   *     other exceptions from the bundle source propagate unchanged.
   * @throws NullPointerException if {@code token} is null
   */
  public JwtSvid validate(String token) {
    Objects.requireNonNull(token, "token");
    JwtSvidParser.Parsed parsed = JwtSvidParser.parse(token);
    JwtSvid svid = parsed.svid;
    PublicKey key = authority(svid);
    JwsAlgorithm algorithm = parsed.algorithm;
    String mismatch = algorithm.keyMismatch(key);
    if (mismatch != null) {
      throw new JwtSvidException(mismatch + " (kid " + Text.quote(svid.keyId()) + ")", "JWT-03");
    }
    int expectedLength = algorithm.signatureLength(key);
    if (parsed.signature.length != expectedLength) {
      throw new JwtSvidException(algorithm + " signature must be " + expectedLength + " bytes"
          + (algorithm.isEcdsa() ? " (R||S, not DER)" : "") + ", but it is "
          + parsed.signature.length, "JWT-03");
    }
    if (!Signatures.verifyJws(algorithm.name(), key, parsed.signingInput(), parsed.signature)) {
      throw new JwtSvidException("signature does not verify with kid " + Text.quote(svid.keyId())
          + " of trust domain \"" + svid.id().trustDomain() + "\"", "JWT-10");
    }
    checkTimes(svid);
    checkAudience(svid.audience());
    return svid;
  }

  /** The key for {@code kid} in the bundle of the subject's own trust domain (JWT-16). */
  private PublicKey authority(JwtSvid svid) {
    TrustDomain trustDomain = svid.id().trustDomain();
    JwtBundle bundle;
    try {
      bundle = bundleSource.jwtBundleFor(trustDomain);
    } catch (BundleException e) {
      throw new JwtSvidException(
          "no JWT bundle for trust domain \"" + trustDomain + "\", so its tokens are untrusted", "JWT-16", e);
    }
    // A misbehaving source must not make another trust domain's keys sign for this one.
    if (bundle == null || !bundle.trustDomain().equals(trustDomain)) {
      throw new JwtSvidException("the bundle source returned no JWT bundle of trust domain \"" + trustDomain
          + "\", so its tokens are untrusted", "JWT-16");
    }
    return bundle.findJwtAuthority(svid.keyId()).orElseThrow(() -> new JwtSvidException(
        "no JWT authority with kid " + Text.quote(svid.keyId()) + " in the bundle of trust domain \""
            + trustDomain + "\"", "JWT-16"));
  }

  private void checkTimes(JwtSvid svid) {
    Instant now = clock.instant();
    // Arithmetic on now only: the token's instants may be Instant.MAX.
    if (!now.minus(leeway).isBefore(svid.expiry())) {
      throw new JwtSvidException(
          "token expired at " + svid.expiry() + " (now " + now + ", leeway " + leeway + ")", "JWT-09");
    }
    Instant latest = now.plus(leeway);
    Optional<Instant> notBefore = svid.notBefore();
    if (notBefore.isPresent() && latest.isBefore(notBefore.get())) {
      throw new JwtSvidException(
          "token is not valid before " + notBefore.get() + " (now " + now + ", leeway " + leeway + ")", "JWT-10");
    }
    Optional<Instant> issuedAt = svid.issuedAt();
    if (issuedAt.isPresent() && latest.isBefore(issuedAt.get())) {
      throw new JwtSvidException(
          "token is issued in the future, at " + issuedAt.get() + " (now " + now + ", leeway " + leeway + ")",
          "JWT-10");
    }
  }

  private void checkAudience(List<String> tokenAudience) {
    for (String aud : tokenAudience) {
      if (audiences.contains(aud)) {
        return;
      }
    }
    StringBuilder got = new StringBuilder("[");
    for (String aud : tokenAudience) {
      got.append(got.length() > 1 ? ", " : "").append(Text.quote(aud));
    }
    throw new JwtSvidException("token audience " + got + "] contains none of the expected audiences "
        + audiences, "JWT-08");
  }

  /** The expected audiences, leeway and clock; no keys. */
  @Override
  public String toString() {
    return "JwtSvidValidator{audiences=" + audiences + ", leeway=" + leeway + ", clock=" + clock + "}";
  }

  /**
   * Configures a {@link JwtSvidValidator}. The bundle source and at least one expected audience are required, so a
   * validator can never accept tokens for any audience. Not thread-safe; the validators it builds are.
   */
  public static final class Builder {
    private JwtBundleSource bundleSource;
    private final Set<String> audiences = new LinkedHashSet<>();
    private Clock clock = Clock.systemUTC();
    private Duration leeway = DEFAULT_LEEWAY;

    private Builder() {}

    /** Where the JWT bundle of each token's trust domain comes from. Required. */
    public Builder bundleSource(JwtBundleSource bundleSource) {
      this.bundleSource = Objects.requireNonNull(bundleSource, "bundleSource");
      return this;
    }

    /**
     * Adds audiences this service identifies with. A token is accepted if its {@code aud} contains <em>any one</em>
     * of the expected audiences (go-spiffe's semantics; java-spiffe requires all of them). Repeated calls add to
     * the set. At least one is required (JWT-08).
     *
     * @throws IllegalArgumentException if an audience is empty
     */
    public Builder expectAudience(String... audiences) {
      Objects.requireNonNull(audiences, "audiences");
      return expectAudiences(List.of(audiences));
    }

    /** As {@link #expectAudience(String...)}. */
    public Builder expectAudiences(Collection<String> audiences) {
      Objects.requireNonNull(audiences, "audiences");
      for (String audience : audiences) {
        Objects.requireNonNull(audience, "audience");
        if (audience.isEmpty()) {
          throw new IllegalArgumentException("an expected audience cannot be empty");
        }
      }
      this.audiences.addAll(audiences);
      return this;
    }

    /** The clock that decides expiry, not-before and issued-at. Default: {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Tolerated clock skew between issuer and validator, applied to {@code exp}, {@code nbf} and {@code iat}.
     * Default: {@link #DEFAULT_LEEWAY} (60 s, as go-spiffe); zero is allowed.
     *
     * @throws IllegalArgumentException if negative or above {@link #MAX_LEEWAY} (5 minutes)
     */
    public Builder leeway(Duration leeway) {
      Objects.requireNonNull(leeway, "leeway");
      if (leeway.isNegative() || leeway.compareTo(MAX_LEEWAY) > 0) {
        throw new IllegalArgumentException("leeway must be between 0 and " + MAX_LEEWAY + ", not " + leeway);
      }
      this.leeway = leeway;
      return this;
    }

    /**
     * The validator.
     *
     * @throws IllegalStateException if no bundle source or no expected audience was set
     */
    public JwtSvidValidator build() {
      if (bundleSource == null) {
        throw new IllegalStateException("a bundle source is required");
      }
      if (audiences.isEmpty()) {
        throw new IllegalStateException(
            "at least one expected audience is required; a validator never accepts any audience (JWT-08)");
      }
      return new JwtSvidValidator(this);
    }
  }
}
