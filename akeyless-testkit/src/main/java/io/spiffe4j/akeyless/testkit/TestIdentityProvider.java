package io.spiffe4j.akeyless.testkit;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A token issuer for cloud-identity tests: it holds a signing key, publishes its JWKS to the gateway (give it to
 * {@link CloudAuthSettings}) and mints Kubernetes service account tokens, GCP ID tokens and Azure AD access tokens,
 * valid or deliberately broken (expired, wrong audience, wrong issuer, signed by a key the gateway does not know).
 *
 * <pre>{@code
 * TestIdentityProvider idp = TestIdentityProvider.builder().clock(clock).build();
 * String accessId = gateway.createCloudAuthMethod(CloudAuthSettings.kubernetes("k8s", "my-cluster", idp).build());
 * String body = idp.kubernetes("spire", "spire-server").signBase64();   // k8s-service-account-token
 * String expired = idp.kubernetes("spire", "spire-server").expired().signBase64();
 * }</pre>
 *
 * <p>Not for production: the private key lives in memory unprotected. Thread-safe; token builders are not.
 */
public final class TestIdentityProvider {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KeyAlgorithm keyAlgorithm;
  private final KeyPair keyPair;
  private final String keyId;
  private final Clock clock;
  private volatile KeyPair unknownKey;

  private TestIdentityProvider(Builder builder) {
    this.keyAlgorithm = builder.keyAlgorithm;
    this.keyPair = keyAlgorithm.generate();
    this.keyId = builder.keyId != null ? builder.keyId : "test-" + Long.toHexString(RANDOM.nextLong());
    this.clock = builder.clock;
  }

  /** A provider with an RSA-2048 key (RS256, as Kubernetes, Google and Azure sign) on the system clock. */
  public static TestIdentityProvider create() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The {@code kid} of the signing key. */
  public String keyId() {
    return keyId;
  }

  /** The verification keys by key ID: what the gateway trusts. */
  public Map<String, java.security.PublicKey> publicKeys() {
    return Map.of(keyId, keyPair.getPublic());
  }

  /** The public JWKS document ({@code {"keys":[...]}}), as an OIDC provider serves it. */
  public String jwksJson() {
    JWK jwk;
    if (keyPair.getPublic() instanceof RSAPublicKey) {
      jwk = new RSAKey.Builder((RSAPublicKey) keyPair.getPublic()).keyID(keyId).keyUse(KeyUse.SIGNATURE)
          .algorithm(algorithm()).build();
    } else {
      ECPublicKey ec = (ECPublicKey) keyPair.getPublic();
      jwk = new ECKey.Builder(Curve.forECParameterSpec(ec.getParams()), ec).keyID(keyId).keyUse(KeyUse.SIGNATURE)
          .algorithm(algorithm()).build();
    }
    return new JWKSet(jwk).toString(true);
  }

  /** A token with no claims but {@code iat} and {@code exp} (ten minutes ahead). */
  public TokenBuilder token() {
    return new TokenBuilder();
  }

  /**
   * A projected service account token for {@code system:serviceaccount:<namespace>:<serviceAccount>}: issuer and
   * audience {@link CloudAuthSettings#KUBERNETES_ISSUER}, and the {@code kubernetes.io} claim.
   */
  public TokenBuilder kubernetes(String namespace, String serviceAccount) {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(serviceAccount, "serviceAccount");
    Map<String, Object> account = new LinkedHashMap<>();
    account.put("name", serviceAccount);
    account.put("uid", UUID.randomUUID().toString());
    Map<String, Object> kubernetes = new LinkedHashMap<>();
    kubernetes.put("namespace", namespace);
    kubernetes.put("serviceaccount", account);
    return token().issuer(CloudAuthSettings.KUBERNETES_ISSUER).audience(CloudAuthSettings.KUBERNETES_AUDIENCE)
        .subject("system:serviceaccount:" + namespace + ":" + serviceAccount).claim("kubernetes.io", kubernetes);
  }

  /** A Google ID token for a service account: issuer {@code https://accounts.google.com}, audience akeyless.io. */
  public TokenBuilder gcp(String serviceAccountEmail) {
    Objects.requireNonNull(serviceAccountEmail, "serviceAccountEmail");
    String numericId = "1" + String.format("%020d", RANDOM.nextLong() & Long.MAX_VALUE);
    return token().issuer(CloudAuthSettings.GCP_ISSUER).audience(CloudAuthSettings.GCP_AUDIENCE).subject(numericId)
        .claim("azp", numericId).claim("email", serviceAccountEmail).claim("email_verified", true);
  }

  /** An Azure AD (v1) managed identity access token for {@code https://management.azure.com/}. */
  public TokenBuilder azure(String tenantId, String objectId) {
    Objects.requireNonNull(tenantId, "tenantId");
    Objects.requireNonNull(objectId, "objectId");
    return token().issuer(CloudAuthSettings.azureIssuer(tenantId)).audience(CloudAuthSettings.AZURE_AUDIENCE)
        .subject(objectId).claim("oid", objectId).claim("tid", tenantId)
        .claim("appid", UUID.randomUUID().toString());
  }

  private JWSAlgorithm algorithm() {
    switch (keyAlgorithm) {
      case EC_P256:
        return JWSAlgorithm.ES256;
      case EC_P384:
        return JWSAlgorithm.ES384;
      case EC_P521:
        return JWSAlgorithm.ES512;
      default:
        return JWSAlgorithm.RS256;
    }
  }

  private KeyPair unknownKey() {
    KeyPair key = unknownKey;
    if (key == null) {
      synchronized (this) {
        if (unknownKey == null) {
          unknownKey = keyAlgorithm.generate();
        }
        key = unknownKey;
      }
    }
    return key;
  }

  @Override
  public String toString() {
    return "TestIdentityProvider[kid=" + keyId + ", " + keyAlgorithm + "]";
  }

  /** Chooses the key and clock. Not thread-safe. */
  public static final class Builder {
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.RSA_2048;
    private String keyId;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** RSA (RS256, the default RSA-2048) or EC P-256/P-384/P-521 (ES256/384/512). */
    public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
      Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      if (keyAlgorithm == KeyAlgorithm.ED25519) {
        throw new IllegalArgumentException("Kubernetes, Google and Azure do not sign with Ed25519");
      }
      this.keyAlgorithm = keyAlgorithm;
      return this;
    }

    /** The {@code kid}; random by default. */
    public Builder keyId(String keyId) {
      this.keyId = Objects.requireNonNull(keyId, "keyId");
      return this;
    }

    /** The clock {@code iat}, {@code exp} and {@code nbf} are computed from; give it the gateway's clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public TestIdentityProvider build() {
      return new TestIdentityProvider(this);
    }
  }

  /** One token being assembled; {@link #sign()} may be called more than once. Not thread-safe. */
  public final class TokenBuilder {
    private final Map<String, Object> claims = new LinkedHashMap<>();
    private List<String> audience = List.of();
    private Instant issuedAt = clock.instant();
    private Instant expiresAt = issuedAt.plus(Duration.ofMinutes(10));
    private Instant notBefore;
    private boolean unknownKeySigns;
    private String tokenKeyId = keyId;

    private TokenBuilder() {}

    public TokenBuilder issuer(String issuer) {
      return claim("iss", Objects.requireNonNull(issuer, "issuer"));
    }

    /** Replaces the audience; one value is written as a string, several as an array. */
    public TokenBuilder audience(String... audience) {
      List<String> values = new ArrayList<>();
      for (String value : audience) {
        values.add(Objects.requireNonNull(value, "audience"));
      }
      this.audience = values;
      return this;
    }

    public TokenBuilder subject(String subject) {
      return claim("sub", Objects.requireNonNull(subject, "subject"));
    }

    /** Sets any claim (a string, number, boolean, list or map); null removes it. */
    public TokenBuilder claim(String name, Object value) {
      Objects.requireNonNull(name, "name");
      if (value == null) {
        claims.remove(name);
      } else {
        claims.put(name, value);
      }
      return this;
    }

    /** Expires this long after now (ten minutes by default). */
    public TokenBuilder expiresIn(Duration lifetime) {
      this.expiresAt = issuedAt.plus(Objects.requireNonNull(lifetime, "lifetime"));
      return this;
    }

    /** Issued twenty minutes ago and expired ten minutes ago. */
    public TokenBuilder expired() {
      Instant now = clock.instant();
      this.issuedAt = now.minus(Duration.ofMinutes(20));
      this.expiresAt = now.minus(Duration.ofMinutes(10));
      return this;
    }

    /** No {@code exp} claim at all, as legacy Kubernetes secret tokens have none. */
    public TokenBuilder withoutExpiry() {
      this.expiresAt = null;
      return this;
    }

    /** Not valid before this instant ({@code nbf}); absent by default. */
    public TokenBuilder notBefore(Instant notBefore) {
      this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
      return this;
    }

    /** Signs with another key of the same type, under the provider's {@code kid}: a forgery the gateway must catch. */
    public TokenBuilder signedByAnotherKey() {
      this.unknownKeySigns = true;
      return this;
    }

    /** Writes this {@code kid} into the header instead of the provider's. */
    public TokenBuilder keyId(String keyId) {
      this.tokenKeyId = Objects.requireNonNull(keyId, "keyId");
      return this;
    }

    /** The compact JWS. */
    public String sign() {
      JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().issueTime(Date.from(issuedAt));
      claims.forEach(set::claim);
      if (audience.size() == 1) {
        set.audience(audience.get(0));
      } else if (!audience.isEmpty()) {
        set.audience(audience);
      }
      if (expiresAt != null) {
        set.expirationTime(Date.from(expiresAt));
      }
      if (notBefore != null) {
        set.notBeforeTime(Date.from(notBefore));
      }
      JWSHeader header = new JWSHeader.Builder(algorithm()).keyID(tokenKeyId).type(JOSEObjectType.JWT).build();
      SignedJWT jwt = new SignedJWT(header, set.build());
      PrivateKey key = unknownKeySigns ? unknownKey().getPrivate() : keyPair.getPrivate();
      try {
        JWSSigner signer = key instanceof ECPrivateKey ? new ECDSASigner((ECPrivateKey) key) : new RSASSASigner(key);
        jwt.sign(signer);
      } catch (JOSEException e) {
        throw new IllegalStateException("cannot sign the test token", e);
      }
      return jwt.serialize();
    }

    /** Standard base64 of the compact JWS: what {@code cloud-id} and {@code k8s-service-account-token} carry. */
    public String signBase64() {
      return Base64.getEncoder().encodeToString(sign().getBytes(StandardCharsets.US_ASCII));
    }
  }
}
