package io.spiffe4j.benchmarks;

import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.security.auth.x500.X500Principal;
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
 * Bundle parsing, the work on every bundle update from the Workload API or a bundle endpoint:
 *
 * <ul>
 *   <li>{@code x509Pem}: an X.509 bundle of three EC P-256 CA certificates in PEM, with {@code X509Bundle.parse}
 *       (spiffe4j and java-spiffe alike). Both hand the DER to the JDK's CertificateFactory, which returns its cached
 *       object for an encoding it parsed recently, as it would for a refreshed bundle whose CAs did not change;
 *       what differs is the work around it.
 *   <li>{@code jwks}: a JWT bundle (JWKS) of three EC P-256 keys, with {@code JwtBundle.parse}.
 * </ul>
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar BundleParse}; one case: {@code java -jar
 * benchmarks/target/benchmarks.jar BundleParse.jwks -p implementation=spiffe4j}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class BundleParseBenchmark {
  private static final int AUTHORITIES = 3;

  @Param({"spiffe4j", "java-spiffe"})
  public String implementation;

  private Implementation measured;
  private TrustDomain trustDomain;
  private io.spiffe.spiffeid.TrustDomain javaSpiffeTrustDomain;
  private byte[] pem;
  private byte[] jwks;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    measured = Implementation.of(implementation);
    trustDomain = TrustDomain.parse(X509Pki.TRUST_DOMAIN);
    javaSpiffeTrustDomain = io.spiffe.spiffeid.TrustDomain.parse(X509Pki.TRUST_DOMAIN);
    SpiffeId trustDomainId = trustDomain.id();
    List<X509Certificate> authorities = new ArrayList<>();
    Map<String, PublicKey> jwtAuthorities = new LinkedHashMap<>();
    for (int i = 1; i <= AUTHORITIES; i++) {
      KeyPair key = KeyAlgorithm.EC_P256.generate();
      authorities.add(CertificateMinter.ca(key.getPublic(), trustDomainId)
          .subject(new X500Principal("O=SPIFFE, CN=" + X509Pki.TRUST_DOMAIN + " authority " + i))
          .validFor(Instant.now(), X509Pki.VALIDITY)
          .sign(key.getPrivate()));
      jwtAuthorities.put("authority-" + i, KeyAlgorithm.EC_P256.generate().getPublic());
    }
    pem = X509Bundle.of(trustDomain, authorities).marshalPem();
    jwks = JwtBundle.of(trustDomain, jwtAuthorities).marshal();
    // Both must read all of it, or one would be measured doing less.
    int x509 = measured == Implementation.SPIFFE4J ? ((X509Bundle) x509Pem()).x509Authorities().size()
        : ((io.spiffe.bundle.x509bundle.X509Bundle) x509Pem()).getX509Authorities().size();
    int jwt = measured == Implementation.SPIFFE4J ? ((JwtBundle) jwks()).jwtAuthorities().size()
        : ((io.spiffe.bundle.jwtbundle.JwtBundle) jwks()).getJwtAuthorities().size();
    if (x509 != AUTHORITIES || jwt != AUTHORITIES) {
      throw new IllegalStateException(implementation + " read " + x509 + " X.509 and " + jwt + " JWT authorities");
    }
  }

  @Benchmark
  public Object x509Pem() throws Exception {
    return measured == Implementation.SPIFFE4J
        ? X509Bundle.parse(trustDomain, pem)
        : io.spiffe.bundle.x509bundle.X509Bundle.parse(javaSpiffeTrustDomain, pem);
  }

  @Benchmark
  public Object jwks() throws Exception {
    return measured == Implementation.SPIFFE4J
        ? JwtBundle.parse(trustDomain, jwks)
        : io.spiffe.bundle.jwtbundle.JwtBundle.parse(javaSpiffeTrustDomain, jwks);
  }
}
