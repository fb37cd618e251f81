package io.spiffe4j.svid.jwt;

import io.spiffe4j.id.SpiffeId;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A JWT-SVID: a JWS-signed JWT whose {@code sub} is a SPIFFE ID (JWT-SVID standard). Obtained from
 * {@link JwtSvidValidator#validate}, which verified its signature, time window and audience, or from
 * {@link #parseInsecure}, which verified nothing.
 *
 * <p>Every instance, however obtained, satisfies the token-local rules: JWS compact serialization with strict
 * base64url parts (JWT-01); a header of only {@code alg} (one of RS/ES/PS 256/384/512, JWT-03), a non-empty
 * {@code kid} (JWT-04) and optionally {@code typ} {@code JWT} or {@code JOSE} (JWT-02, JWT-05); a payload whose
 * {@code sub} is a valid SPIFFE ID (JWT-07), whose {@code aud} holds at least one string (JWT-08), whose {@code exp}
 * is a NumericDate (JWT-09, JWT-15), and whose {@code nbf} and {@code iat}, when present, are NumericDates.
 *
 * <p>{@link #token()} is a bearer credential: whoever holds it can present it until it expires. It is therefore
 * left out of {@link #toString()} and of every exception message.
 *
 * <p>Immutable and thread-safe. Equality is identity.
 */
public final class JwtSvid {
  private final String token;
  private final SpiffeId id;
  private final List<String> audience;
  private final Instant expiry;
  private final Instant notBefore;
  private final Instant issuedAt;
  private final Map<String, Object> claims;
  private final String keyId;
  private final String algorithm;

  JwtSvid(String token, SpiffeId id, List<String> audience, Instant expiry, Instant notBefore, Instant issuedAt,
      Map<String, Object> claims, String keyId, String algorithm) {
    this.token = token;
    this.id = id;
    this.audience = audience;
    this.expiry = expiry;
    this.notBefore = notBefore;
    this.issuedAt = issuedAt;
    this.claims = claims;
    this.keyId = keyId;
    this.algorithm = algorithm;
  }

  /**
   * Parses a token <b>without verifying its signature, time window or audience</b>: for inspecting a token
   * (tooling, logging its ID, debugging), never for deciding whom to trust. Anyone can forge a token that parses.
   * Use {@link JwtSvidValidator#validate} to authenticate a peer.
   *
   * <p>Checks the rules listed in the class comment, so the result has the same shape as a validated one. Unlike
   * go-spiffe's {@code ParseInsecure}, it does not look at the clock or an audience.
   *
   * @throws JwtSvidException if the token breaks one of those rules; the exception names the rule
   * @throws NullPointerException if {@code token} is null
   */
  public static JwtSvid parseInsecure(String token) {
    Objects.requireNonNull(token, "token");
    return JwtSvidParser.parse(token).svid;
  }

  /** The SPIFFE ID in {@code sub}. */
  public SpiffeId id() {
    return id;
  }

  /** The {@code aud} values in token order, at least one; a single string {@code aud} gives a one-element list. */
  public List<String> audience() {
    return audience;
  }

  /** The {@code exp} claim, rounded down to a whole second if the token gave a fraction. */
  public Instant expiry() {
    return expiry;
  }

  /** The {@code nbf} claim, rounded up to a whole second if the token gave a fraction. */
  public Optional<Instant> notBefore() {
    return Optional.ofNullable(notBefore);
  }

  /** The {@code iat} claim, rounded up to a whole second if the token gave a fraction. */
  public Optional<Instant> issuedAt() {
    return Optional.ofNullable(issuedAt);
  }

  /**
   * Every payload claim as parsed, including {@code sub}, {@code aud} and {@code exp} and any other registered or
   * private claim (JWT-06). Values are {@code String}, {@code Boolean}, {@code Long} (integers that fit),
   * {@code BigInteger} (larger integers), {@code Double} (numbers with a fraction or exponent), {@code null}, or
   * unmodifiable {@code List<Object>} and {@code Map<String, Object>}; member order is kept. Unmodifiable, deeply.
   */
  public Map<String, Object> claims() {
    return claims;
  }

  /** The {@code kid} header: the ID of the key in the trust domain's JWT bundle that signed the token. */
  public String keyId() {
    return keyId;
  }

  /** The {@code alg} header, for example {@code ES256}. */
  public String algorithm() {
    return algorithm;
  }

  /**
   * The token in JWS compact serialization, exactly as given: a <b>bearer secret</b>. Send it only to the audience
   * it was issued for, over a confidential channel ({@code Authorization: Bearer}, JWT-11); do not log it.
   */
  public String token() {
    return token;
  }

  /** The ID, audience and expiry; never the token. */
  @Override
  public String toString() {
    return "JwtSvid{id=" + id + ", audience=" + audience + ", expiry=" + expiry + "}";
  }
}
