package io.spiffe4j.benchmarks;

import io.spiffe4j.benchmarks.FloorVerifiers.Check;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * X509-SVID chain verification when the leaf has not been seen lately: each call takes the next of {@code leaves}
 * distinct EC P-256 leaves, round-robin (8192 by default: far more than spiffe4j's 1024-chain cache and the 750
 * certificates the JDK's CertificateFactory remembers), parses the presented chain from DER with the JDK's
 * CertificateFactory, as a TLS stack does, and verifies it against a bundle holding the root. The parse is the same
 * code for both implementations.
 *
 * <ul>
 *   <li>{@code issuer=intermediate}: leaf, signed by an intermediate (presented after the leaf), signed by the root;
 *       two signature checks. {@code issuer=root}: leaf signed by the root, presented alone; one check.
 *   <li>{@code spiffe4j}: {@code X509SvidVerifier.verify}. {@code java-spiffe}: {@code
 *       X509SvidValidator.verifyChain}, which runs the JDK's PKIX validator.
 *   <li>{@code floor-jdk} and {@code floor-bc}: the chain's signature checks alone (both, for an intermediate), on
 *       TBS bytes and signatures extracted before measuring, with the JDK's {@code SHA256withECDSA} and with
 *       BouncyCastle's lightweight ECDSA over points decoded once. The goal: spiffe4j within 1.5x of floor-bc.
 *   <li>{@code parse-only}: the chain's parse alone, which both implementations pay and the floors do not.
 * </ul>
 *
 * <p>Round-robin over more leaves than the cache holds should leave spiffe4j's verified-chain cache no hits, but how
 * many it gets depends on its eviction policy: the secondary results {@code verify:cacheHits} out of {@code
 * verify:verifications} say how cold the measured calls really were.
 *
 * <p>What the JDK caches, as it would in a TLS server: the CertificateFactory hands back the same certificate object
 * for an encoding among its last 750, and a certificate object remembers the key it last verified with. The
 * intermediate, the same bytes on every call, is therefore the same object every time, and PKIX checks its signature
 * only once: java-spiffe pays one signature check per call on either path.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar X509SvidCold}; one case: {@code java -jar
 * benchmarks/target/benchmarks.jar X509SvidCold -p implementation=spiffe4j -p issuer=intermediate}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class X509SvidColdBenchmark {
  @Param({"spiffe4j", "java-spiffe", "floor-jdk", "floor-bc", "parse-only"})
  public String implementation;

  @Param({"intermediate", "root"})
  public String issuer;

  /** Distinct leaves, verified round-robin; the smoke test makes it small. */
  @Param("8192")
  public int leaves;

  private Implementation measured;
  private final CertificateFactory factory = X509Pki.x509Factory();
  private byte[][] leafEncodings;
  private byte[] intermediateEncoding;
  private X509SvidVerifier verifier;
  private io.spiffe.bundle.x509bundle.X509Bundle javaSpiffeBundle;
  private Check[] floors;
  private VerifiedX509Svid[] lastVerified;
  private int next;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    measured = Implementation.of(implementation);
    X509Pki pki = new X509Pki();
    X509Pki.Issuer leafIssuer = X509Pki.Issuer.valueOf(issuer.toUpperCase(java.util.Locale.ROOT));
    leafEncodings = pki.leaves(leafIssuer, leaves).toArray(new byte[0][]);
    intermediateEncoding = leafIssuer == X509Pki.Issuer.INTERMEDIATE ? pki.intermediate.getEncoded() : null;
    verifier = X509SvidVerifier.of(X509Bundle.of(TrustDomain.parse(X509Pki.TRUST_DOMAIN), List.of(pki.root)));
    javaSpiffeBundle = new io.spiffe.bundle.x509bundle.X509Bundle(
        io.spiffe.spiffeid.TrustDomain.parse(X509Pki.TRUST_DOMAIN), Set.of(pki.root));
    lastVerified = new VerifiedX509Svid[leaves];
    if (measured == Implementation.FLOOR_JDK || measured == Implementation.FLOOR_BC) {
      floors = floors(pki, leafIssuer);
    }
  }

  /** Per leaf: its signature by the issuer, then, under an intermediate, the intermediate's by the root. */
  private Check[] floors(X509Pki pki, X509Pki.Issuer leafIssuer) throws Exception {
    CertificateCheck byIssuer = floorVerifier(pki.certificate(leafIssuer).getPublicKey());
    Check intermediateByRoot = leafIssuer == X509Pki.Issuer.INTERMEDIATE
        ? floorVerifier(pki.root.getPublicKey()).check(pki.intermediate)
        : null;
    Check[] checks = new Check[leaves];
    for (int i = 0; i < leaves; i++) {
      Check leafByIssuer = byIssuer.check(X509Pki.parse(factory, leafEncodings[i]));
      checks[i] = intermediateByRoot == null ? leafByIssuer : FloorVerifiers.all(leafByIssuer, intermediateByRoot);
    }
    return checks;
  }

  /** Prepares the check of a certificate's signature by one issuer key. */
  private interface CertificateCheck {
    Check check(X509Certificate certificate) throws CertificateException;
  }

  /** The measured floor's verifier for one issuer key, set up once and shared by every certificate it signed. */
  private CertificateCheck floorVerifier(PublicKey issuerKey) throws GeneralSecurityException {
    if (measured == Implementation.FLOOR_JDK) {
      FloorVerifiers.Jdk jdk = new FloorVerifiers.Jdk("SHA256withECDSA", issuerKey);
      return certificate -> jdk.check(certificate.getTBSCertificate(), certificate.getSignature());
    }
    FloorVerifiers.BcEcdsaP256 bc = new FloorVerifiers.BcEcdsaP256(issuerKey);
    return certificate -> bc.check(certificate.getTBSCertificate(),
        FloorVerifiers.rsFromDer(certificate.getSignature()));
  }

  /**
   * How often spiffe4j answered from its verified-chain cache after all, reported beside the score as {@code
   * verify:cacheHits} out of {@code verify:verifications}: a leaf counts as a hit when the verifier returns the very
   * result object it returned for that leaf before, which only the cache does.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class CacheCounters {
    public long cacheHits;
    public long verifications;

    @Setup(Level.Iteration)
    public void reset() {
      cacheHits = 0;
      verifications = 0;
    }
  }

  @Benchmark
  public Object verify(CacheCounters counters) throws Exception {
    int i = next;
    next = i + 1 < leaves ? i + 1 : 0;
    switch (measured) {
      case SPIFFE4J:
        VerifiedX509Svid verified = verifier.verify(presented(i));
        counters.verifications++;
        if (verified == lastVerified[i]) {
          counters.cacheHits++;
        }
        lastVerified[i] = verified;
        return verified;
      case JAVA_SPIFFE:
        List<X509Certificate> chain = presented(i);
        io.spiffe.svid.x509svid.X509SvidValidator.verifyChain(chain, javaSpiffeBundle);
        return chain;
      case PARSE_ONLY:
        return presented(i);
      default:
        if (!floors[i].verify()) {
          throw new IllegalStateException("floor signature check failed for leaf " + i);
        }
        return floors[i];
    }
  }

  /** The chain as a TLS stack hands it over: freshly parsed, leaf first. */
  private List<X509Certificate> presented(int i) throws CertificateException {
    X509Certificate leaf = X509Pki.parse(factory, leafEncodings[i]);
    return intermediateEncoding == null
        ? List.of(leaf)
        : List.of(leaf, X509Pki.parse(factory, intermediateEncoding));
  }
}
