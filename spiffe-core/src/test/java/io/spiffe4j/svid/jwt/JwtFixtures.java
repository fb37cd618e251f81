package io.spiffe4j.svid.jwt;

import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Shared fixtures for JWT-SVID tests: a key pool generated once per run, a bundle of trust domain
 * {@code example.org} with one key ID per key type, a fixed clock, and helpers to craft raw tokens.
 */
final class JwtFixtures {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/workload");
  static final String AUDIENCE = "spiffe://example.org/server";
  static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
  static final long NOW_S = NOW.getEpochSecond();
  static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  private JwtFixtures() {}

  /** Keys are made once per run: RSA generation is slow and properties run hundreds of tries. */
  static final class Keys {
    static final KeyPair P256 = KeyAlgorithm.EC_P256.generate();
    static final KeyPair P384 = KeyAlgorithm.EC_P384.generate();
    static final KeyPair P521 = KeyAlgorithm.EC_P521.generate();
    static final KeyPair RSA = KeyAlgorithm.RSA_2048.generate();
    /** Not in any bundle: an attacker's key. */
    static final KeyPair ATTACKER = KeyAlgorithm.EC_P256.generate();
    static final KeyPair RSA_1024 = generate("RSA", null, 1024);
    /** Same field size as P-256, different curve; the JDK no longer supports it, BouncyCastle does. */
    static final KeyPair SECP256K1 = generate("EC", "secp256k1", 0);

    private Keys() {}

    private static KeyPair generate(String algorithm, String curve, int bits) {
      try {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, new BouncyCastleProvider());
        if (curve != null) {
          generator.initialize(new ECGenParameterSpec(curve));
        } else {
          generator.initialize(bits);
        }
        return generator.generateKeyPair();
      } catch (java.security.GeneralSecurityException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  /** Key IDs of the {@link #bundle()}, with their key pair and default algorithm. */
  enum PoolKey {
    P256("kid-p256", "ES256"),
    P384("kid-p384", "ES384"),
    P521("kid-p521", "ES512"),
    RSA("kid-rsa", "RS256");

    final String kid;
    final String alg;

    PoolKey(String kid, String alg) {
      this.kid = kid;
      this.alg = alg;
    }

    KeyPair pair() {
      switch (this) {
        case P256: return Keys.P256;
        case P384: return Keys.P384;
        case P521: return Keys.P521;
        default: return Keys.RSA;
      }
    }
  }

  static JwtBundle bundle() {
    Map<String, java.security.PublicKey> keys = new LinkedHashMap<>();
    for (PoolKey key : PoolKey.values()) {
      keys.put(key.kid, key.pair().getPublic());
    }
    return JwtBundle.of(TD, keys);
  }

  static JwtSvidValidator validator() {
    return JwtSvidValidator.builder().bundleSource(bundle()).expectAudience(AUDIENCE).clock(CLOCK).build();
  }

  /** A valid ES256 token for {@link #WORKLOAD}, expiring in an hour. */
  static String validToken() {
    return minter().sign(Keys.P256.getPrivate());
  }

  static JwtSvidMinter minter() {
    return JwtSvidMinter.forSubject(WORKLOAD)
        .audience(AUDIENCE)
        .expiry(NOW.plusSeconds(3600))
        .issuedAt(NOW)
        .keyId(PoolKey.P256.kid);
  }

  /** The default payload JSON with {@code extra} members spliced in (a JSON fragment starting with a comma). */
  static String payload(String extra) {
    return "{\"sub\":\"" + WORKLOAD + "\",\"aud\":\"" + AUDIENCE + "\",\"exp\":" + (NOW_S + 3600) + extra + "}";
  }

  static String header(String alg, String kid) {
    return "{\"alg\":\"" + alg + "\",\"kid\":\"" + kid + "\"}";
  }

  /** A token of exactly these JSON texts, ES256-signed by the pool's P-256 key. */
  static String es256(String headerJson, String payloadJson) {
    return JwtSvidMinter.signRaw(headerJson, payloadJson, Keys.P256.getPrivate(), "ES256");
  }

  /** A correctly signed ES256 token with the standard header and this payload. */
  static String es256Payload(String payloadJson) {
    return es256(header("ES256", PoolKey.P256.kid), payloadJson);
  }

  static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.UTF_8));
  }

  static byte[] unb64(String part) {
    return Base64.getUrlDecoder().decode(part);
  }

  static List<String> parts(String token) {
    return List.of(token.split("\\.", -1));
  }

  static String join(String header, String payload, String signature) {
    return header + "." + payload + "." + signature;
  }
}
