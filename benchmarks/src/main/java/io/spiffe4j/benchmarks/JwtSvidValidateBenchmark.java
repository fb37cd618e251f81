package io.spiffe4j.benchmarks;

import io.spiffe4j.benchmarks.FloorVerifiers.Check;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JWT-SVID validation (signature, expiry, audience) of {@code tokens} distinct valid tokens taken round-robin, so no
 * implementation can answer from a cache of tokens; all are signed by one key of the trust domain's JWT bundle and
 * expire in days.
 *
 * <ul>
 *   <li>{@code alg=ES256}: EC P-256 key; {@code alg=RS256}: RSA-2048 key.
 *   <li>{@code spiffe4j}: {@code JwtSvidValidator.validate}. {@code java-spiffe}: {@code
 *       JwtSvid.parseAndValidate(token, bundle, audience)} (Nimbus JOSE on the JDK's providers).
 *   <li>{@code floor-jdk}: the token's signature check alone with the JDK's {@code SHA256withECDSA} (the R||S
 *       signature converted to DER before measuring) or {@code SHA256withRSA}. {@code floor-bc}: with BouncyCastle's
 *       lightweight ECDSA over the point decoded once, or its lightweight RSASSA-PKCS1-v1_5. Both run on the signing
 *       input and signature decoded before measuring. The goal: ES256 within 1.5x of floor-bc.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar JwtSvidValidate}; one case: {@code java -jar
 * benchmarks/target/benchmarks.jar JwtSvidValidate -p implementation=spiffe4j -p alg=ES256}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class JwtSvidValidateBenchmark {
  private static final String TRUST_DOMAIN = "example.org";
  private static final String AUDIENCE = "spiffe://example.org/api";
  private static final String KEY_ID = "authority-1";

  @Param({"spiffe4j", "java-spiffe", "floor-jdk", "floor-bc"})
  public String implementation;

  @Param({"ES256", "RS256"})
  public String alg;

  /** Distinct tokens, validated round-robin; the smoke test makes it small. */
  @Param("64")
  public int tokens;

  private Implementation measured;
  private String[] tokenTexts;
  private JwtSvidValidator validator;
  private io.spiffe.bundle.jwtbundle.JwtBundle javaSpiffeBundle;
  private Set<String> javaSpiffeAudience;
  private Check[] floors;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    measured = Implementation.of(implementation);
    boolean ecdsa = alg.equals("ES256");
    if (!ecdsa && !alg.equals("RS256")) {
      throw new IllegalArgumentException("alg must be ES256 or RS256: " + alg);
    }
    KeyPair key = (ecdsa ? KeyAlgorithm.EC_P256 : KeyAlgorithm.RSA_2048).generate();
    Instant expiry = Instant.now().plus(X509Pki.VALIDITY);
    tokenTexts = new String[tokens];
    for (int i = 0; i < tokens; i++) {
      tokenTexts[i] = JwtSvidMinter.forSubject(SpiffeId.parse("spiffe://" + TRUST_DOMAIN + "/workload/" + i))
          .audience(AUDIENCE)
          .expiry(expiry)
          .keyId(KEY_ID)
          .algorithm(alg)
          .sign(key.getPrivate());
    }
    validator = JwtSvidValidator.builder()
        .bundleSource(JwtBundle.of(TrustDomain.parse(TRUST_DOMAIN), Map.of(KEY_ID, key.getPublic())))
        .expectAudience(AUDIENCE)
        .build();
    javaSpiffeBundle = new io.spiffe.bundle.jwtbundle.JwtBundle(
        io.spiffe.spiffeid.TrustDomain.parse(TRUST_DOMAIN), Map.of(KEY_ID, key.getPublic()));
    javaSpiffeAudience = Set.of(AUDIENCE);
    if (measured == Implementation.FLOOR_JDK || measured == Implementation.FLOOR_BC) {
      floors = floors(key.getPublic(), ecdsa);
    }
  }

  private Check[] floors(PublicKey key, boolean ecdsa) throws Exception {
    FloorVerifiers.Jdk jdk = measured == Implementation.FLOOR_JDK
        ? new FloorVerifiers.Jdk(ecdsa ? "SHA256withECDSA" : "SHA256withRSA", key)
        : null;
    FloorVerifiers.BcEcdsaP256 bcEcdsa = measured == Implementation.FLOOR_BC && ecdsa
        ? new FloorVerifiers.BcEcdsaP256(key)
        : null;
    FloorVerifiers.BcRsaSha256 bcRsa = measured == Implementation.FLOOR_BC && !ecdsa
        ? new FloorVerifiers.BcRsaSha256(key)
        : null;
    Check[] checks = new Check[tokens];
    for (int i = 0; i < tokens; i++) {
      String token = tokenTexts[i];
      int lastDot = token.lastIndexOf('.');
      byte[] signingInput = token.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII);
      byte[] signature = Base64.getUrlDecoder().decode(token.substring(lastDot + 1));
      if (jdk != null) {
        checks[i] = jdk.check(signingInput,
            ecdsa ? FloorVerifiers.der(FloorVerifiers.rsFromConcatenated(signature)) : signature);
      } else if (bcEcdsa != null) {
        checks[i] = bcEcdsa.check(signingInput, FloorVerifiers.rsFromConcatenated(signature));
      } else {
        checks[i] = bcRsa.check(signingInput, signature);
      }
    }
    return checks;
  }

  @Benchmark
  public Object validate() throws Exception {
    int i = next;
    next = i + 1 < tokens ? i + 1 : 0;
    switch (measured) {
      case SPIFFE4J:
        return validator.validate(tokenTexts[i]);
      case JAVA_SPIFFE:
        return io.spiffe.svid.jwtsvid.JwtSvid.parseAndValidate(tokenTexts[i], javaSpiffeBundle, javaSpiffeAudience);
      default:
        if (!floors[i].verify()) {
          throw new IllegalStateException("floor signature check failed for token " + i);
        }
        return floors[i];
    }
  }
}
