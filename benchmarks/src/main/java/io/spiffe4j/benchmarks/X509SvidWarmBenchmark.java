package io.spiffe4j.benchmarks;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Locale;
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
 * X509-SVID chain verification of the same EC P-256 chain on every call, as when a peer reconnects: the same
 * certificate objects each time, verified against a bundle holding the root. {@code issuer=intermediate}: leaf,
 * intermediate, root (two signatures); {@code issuer=root}: leaf straight from the root (one).
 *
 * <p>{@code spiffe4j}: {@code X509SvidVerifier.verify}, which answers from its verified-chain cache (keyed by the
 * chain's DER bytes, bound to the bundle and the path's validity). {@code java-spiffe}: {@code
 * X509SvidValidator.verifyChain}; it caches nothing itself, but the JDK's certificate objects remember the key they
 * last verified with, so its PKIX validation runs without signature checks here too. The goal for spiffe4j: a few
 * microseconds.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar X509SvidWarm}; one case: {@code java -jar
 * benchmarks/target/benchmarks.jar X509SvidWarm -p implementation=spiffe4j -p issuer=intermediate}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class X509SvidWarmBenchmark {
  @Param({"spiffe4j", "java-spiffe"})
  public String implementation;

  @Param({"intermediate", "root"})
  public String issuer;

  private Implementation measured;
  private List<X509Certificate> chain;
  private X509SvidVerifier verifier;
  private io.spiffe.bundle.x509bundle.X509Bundle javaSpiffeBundle;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    measured = Implementation.of(implementation);
    X509Pki pki = new X509Pki();
    X509Pki.Issuer leafIssuer = X509Pki.Issuer.valueOf(issuer.toUpperCase(Locale.ROOT));
    CertificateFactory factory = X509Pki.x509Factory();
    X509Certificate leaf = X509Pki.parse(factory, pki.leaves(leafIssuer, 1).get(0));
    chain = leafIssuer == X509Pki.Issuer.INTERMEDIATE
        ? List.of(leaf, X509Pki.parse(factory, pki.intermediate.getEncoded()))
        : List.of(leaf);
    verifier = X509SvidVerifier.of(X509Bundle.of(TrustDomain.parse(X509Pki.TRUST_DOMAIN), List.of(pki.root)));
    javaSpiffeBundle = new io.spiffe.bundle.x509bundle.X509Bundle(
        io.spiffe.spiffeid.TrustDomain.parse(X509Pki.TRUST_DOMAIN), Set.of(pki.root));
  }

  @Benchmark
  public Object verify() throws Exception {
    if (measured == Implementation.SPIFFE4J) {
      return verifier.verify(chain);
    }
    io.spiffe.svid.x509svid.X509SvidValidator.verifyChain(chain, javaSpiffeBundle);
    return chain;
  }
}
