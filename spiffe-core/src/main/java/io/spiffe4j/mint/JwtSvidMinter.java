package io.spiffe4j.mint;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.spiffe4j.id.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The minting primitive for JWT-SVIDs: a JWS compact token with {@code sub}, {@code aud}, {@code exp} and
 * {@code iat}, a {@code kid} and {@code typ: JWT} (JWT-SVID §2-3). The algorithm follows the key (ES256/384/512,
 * RS256) unless set; extra claims can be added. A builder is not thread-safe; the tokens are plain strings.
 */
public final class JwtSvidMinter {
  private final SpiffeId subject;
  private final List<String> audience = new ArrayList<>();
  private final Map<String, Object> extraClaims = new LinkedHashMap<>();
  private Instant expiry;
  private Instant issuedAt;
  private String keyId;
  private String algorithm;
  private boolean typ = true;

  private JwtSvidMinter(SpiffeId subject) {
    this.subject = Objects.requireNonNull(subject, "subject");
  }

  /** A token for the subject; {@link #audience} and {@link #expiry} must be set before {@link #sign}. */
  public static JwtSvidMinter forSubject(SpiffeId subject) {
    return new JwtSvidMinter(subject);
  }

  public JwtSvidMinter audience(String... audience) {
    this.audience.clear();
    this.audience.addAll(List.of(audience));
    return this;
  }

  public JwtSvidMinter expiry(Instant expiry) {
    this.expiry = Objects.requireNonNull(expiry, "expiry");
    return this;
  }

  public JwtSvidMinter issuedAt(Instant issuedAt) {
    this.issuedAt = Objects.requireNonNull(issuedAt, "issuedAt");
    return this;
  }

  /** The {@code kid} header; null leaves it out. */
  public JwtSvidMinter keyId(String keyId) {
    this.keyId = keyId;
    return this;
  }

  /** A JWS algorithm name such as {@code PS256}, overriding the key's default. */
  public JwtSvidMinter algorithm(String jwsAlgorithm) {
    this.algorithm = Objects.requireNonNull(jwsAlgorithm, "jwsAlgorithm");
    return this;
  }

  /** Whether to set {@code typ: JWT} (default true). */
  public JwtSvidMinter typHeader(boolean include) {
    this.typ = include;
    return this;
  }

  /** Adds a claim beside the SPIFFE ones. */
  public JwtSvidMinter claim(String name, Object value) {
    extraClaims.put(Objects.requireNonNull(name, "name"), value);
    return this;
  }

  /**
   * Signs the token.
   *
   * @throws IllegalStateException if audience or expiry is missing, or the key cannot sign JWT-SVIDs
   */
  public String sign(PrivateKey key) {
    Objects.requireNonNull(key, "key");
    if (expiry == null) {
      throw new IllegalStateException("expiry is required (JWT-09)");
    }
    if (audience.isEmpty()) {
      throw new IllegalStateException("at least one audience is required (JWT-08)");
    }
    String alg = algorithm != null ? algorithm : KeyAlgorithm.of(key).jwsAlgorithm();
    if (alg == null) {
      throw new IllegalStateException(key.getAlgorithm() + " keys cannot sign JWT-SVIDs (JWT-03)");
    }
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(subject.toString())
        .audience(audience)
        .expirationTime(Date.from(expiry))
        .issueTime(Date.from(issuedAt != null ? issuedAt : Instant.now()));
    extraClaims.forEach(claims::claim);
    JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.parse(alg)).keyID(keyId);
    if (typ) {
      header.type(JOSEObjectType.JWT);
    }
    SignedJWT jwt = new SignedJWT(header.build(), claims.build());
    try {
      jwt.sign(signerFor(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign JWT-SVID: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }

  /**
   * Signs exactly the given header and payload JSON texts, byte for byte, as a compact JWS with the named algorithm
   * (RS/PS/ES 256/384/512; ECDSA signatures in JOSE R||S form). Nothing is checked or added, so tests can build the
   * deliberately malformed JWT-SVIDs a validator must reject (extra headers, duplicate members, odd claim types).
   *
   * @throws IllegalStateException if the key cannot sign with the algorithm
   */
  public static String signRaw(String headerJson, String payloadJson, PrivateKey key, String jwsAlgorithm) {
    Objects.requireNonNull(key, "key");
    String signingInput = Base64URL.encode(headerJson.getBytes(StandardCharsets.UTF_8))
        + "." + Base64URL.encode(payloadJson.getBytes(StandardCharsets.UTF_8));
    try {
      Base64URL signature = signerFor(key)
          .sign(new JWSHeader(JWSAlgorithm.parse(jwsAlgorithm)), signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + signature;
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign JWS: " + e.getMessage(), e);
    }
  }

  private static JWSSigner signerFor(PrivateKey key) throws JOSEException {
    if (key instanceof ECPrivateKey) {
      return new ECDSASigner((ECPrivateKey) key);
    }
    return new RSASSASigner(key);
  }
}
