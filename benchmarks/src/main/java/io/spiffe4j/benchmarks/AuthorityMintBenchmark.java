package io.spiffe4j.benchmarks;

import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.KeyAlgorithm;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.DefaultDigestAlgorithmIdentifierFinder;
import org.bouncycastle.operator.DefaultSignatureAlgorithmIdentifierFinder;
import org.bouncycastle.operator.bc.BcECContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How fast the embedded {@link SpiffeAuthority} issues, next to floors measured in the same run. All keys are EC
 * P-256: the authority's CA and JWT keys (its defaults, self-signed CA, no rotation during a run) and the SVID keys.
 *
 * <ul>
 *   <li>{@code mintX509Svid}: {@code SpiffeAuthority.mintX509Svid}, a fresh key pair and a leaf signed by the CA,
 *       paired into an {@code X509Svid} (which checks that key and leaf match).
 *   <li>{@code signX509Svid}: {@code SpiffeAuthority.signX509Svid} for a public key generated before measuring: the
 *       certificate alone.
 *   <li>{@code mintJwtSvid}: {@code SpiffeAuthority.mintJwtSvid}, an ES256 JWT-SVID for one audience.
 *   <li>{@code floorJdkKeyGen}: {@code KeyPairGenerator.generateKeyPair()} of the JDK's EC P-256 generator,
 *       initialised once. {@code floorBcKeyGen}: BouncyCastle's lightweight {@code ECKeyPairGenerator} on its
 *       optimised P-256, as a key pair of BouncyCastle parameters (no JCA key objects).
 *   <li>{@code floorJdkSign}: one {@code SHA256withECDSA} signature of a leaf's TBS certificate (the authority's own,
 *       475 bytes) with the JDK's {@code Signature}, initialised once. {@code floorBcSign}: the same with
 *       BouncyCastle's lightweight {@code ECDSASigner} on its optimised P-256 (SHA-256 from the JDK, no DER encoding of
 *       the signature): the least a certificate signature costs on the JVM.
 *   <li>{@code handRolledJca} and {@code handRolledBc}: what a hand-rolled minter costs, a plain BouncyCastle
 *       {@code X509v3CertificateBuilder} with the same extensions as the authority's leaves (basic constraints, key
 *       usage, extended key usage, URI SAN, subject and authority key IDs, the latter computed once), signed with
 *       {@code JcaContentSignerBuilder} (the JDK's ECDSA, as most hand-rolled code does it) or with BouncyCastle's
 *       lightweight {@code BcECContentSignerBuilder}, and converted to an {@code X509Certificate} as the authority
 *       returns it.
 * </ul>
 *
 * <p>Warm-up is long: at a few hundred to a few thousand operations a second, the certificate building and encoding
 * around the signature take 15 to 20 one-second iterations to be compiled by C2, and after 3 the certificate
 * operations still measure 2 to 3 times their steady state.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar AuthorityMint}; one case: {@code java -jar
 * benchmarks/target/benchmarks.jar AuthorityMint.signX509Svid}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 20, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AuthorityMintBenchmark {
  private static final TrustDomain TRUST_DOMAIN = TrustDomain.parse(X509Pki.TRUST_DOMAIN);
  private static final SpiffeId ID = SpiffeId.parse("spiffe://example.org/ns/payments/sa/api-server");
  private static final List<String> AUDIENCES = List.of("spiffe://example.org/api");

  private SpiffeAuthority authority;
  private PublicKey leafKey;

  private KeyPairGenerator jdkGenerator;
  private ECKeyPairGenerator bcGenerator;
  private byte[] tbs;
  private Signature jdkSigner;
  private ECDSASigner bcSigner;
  private MessageDigest sha256;

  private HandRolledMinter handRolled;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    authority = SpiffeAuthority.builder(TRUST_DOMAIN).withoutTimer().build();
    leafKey = KeyAlgorithm.EC_P256.generate().getPublic();

    jdkGenerator = KeyPairGenerator.getInstance("EC");
    jdkGenerator.initialize(new ECGenParameterSpec("secp256r1"));
    ECDomainParameters p256 = new ECDomainParameters(CustomNamedCurves.getByName("P-256"));
    bcGenerator = new ECKeyPairGenerator();
    bcGenerator.init(new ECKeyGenerationParameters(p256, new SecureRandom()));

    // The floors sign what the authority signs: the TBS part of one of its leaves, with a key of the CA's type.
    tbs = authority.signX509Svid(ID, leafKey).get(0).getTBSCertificate();
    KeyPair signingKey = KeyAlgorithm.EC_P256.generate();
    jdkSigner = Signature.getInstance("SHA256withECDSA");
    jdkSigner.initSign(signingKey.getPrivate());
    bcSigner = new ECDSASigner();
    bcSigner.init(true, new ParametersWithRandom(
        new ECPrivateKeyParameters(((ECPrivateKey) signingKey.getPrivate()).getS(), p256), new SecureRandom()));
    sha256 = MessageDigest.getInstance("SHA-256");

    handRolled = new HandRolledMinter(authority.activeCa().certificate(), signingKey, p256);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    authority.close();
  }

  @Benchmark
  public Object mintX509Svid() {
    return authority.mintX509Svid(ID);
  }

  @Benchmark
  public Object signX509Svid() {
    return authority.signX509Svid(ID, leafKey);
  }

  @Benchmark
  public Object mintJwtSvid() {
    return authority.mintJwtSvid(ID, AUDIENCES);
  }

  @Benchmark
  public Object floorJdkKeyGen() {
    return jdkGenerator.generateKeyPair();
  }

  @Benchmark
  public AsymmetricCipherKeyPair floorBcKeyGen() {
    return bcGenerator.generateKeyPair();
  }

  @Benchmark
  public byte[] floorJdkSign() throws GeneralSecurityException {
    jdkSigner.update(tbs);
    return jdkSigner.sign();
  }

  @Benchmark
  public BigInteger[] floorBcSign() {
    return bcSigner.generateSignature(sha256.digest(tbs));
  }

  @Benchmark
  public X509Certificate handRolledJca() throws Exception {
    return handRolled.mint(leafKey, handRolled.jcaSigner());
  }

  @Benchmark
  public X509Certificate handRolledBc() throws Exception {
    return handRolled.mint(leafKey, handRolled.bcSigner());
  }

  /**
   * A minimal X509-SVID minter written straight on BouncyCastle's certificate builder, as an application without an
   * authority would write one: the same certificate profile as the authority's leaves. Not thread-safe.
   */
  static final class HandRolledMinter {
    private static final Duration TTL = Duration.ofHours(1);
    private final SecureRandom random = new SecureRandom();
    private final JcaX509ExtensionUtils extensionUtils;
    private final X500Name issuer;
    private final AuthorityKeyIdentifier authorityKeyId;
    private final KeyPair caKey;
    private final ECPrivateKeyParameters bcCaKey;
    private final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();

    HandRolledMinter(X509Certificate ca, KeyPair caKey, ECDomainParameters p256) throws GeneralSecurityException {
      this.extensionUtils = new JcaX509ExtensionUtils();
      this.issuer = X500Name.getInstance(ca.getSubjectX500Principal().getEncoded());
      this.authorityKeyId = extensionUtils.createAuthorityKeyIdentifier(caKey.getPublic());
      this.caKey = caKey;
      this.bcCaKey = new ECPrivateKeyParameters(((ECPrivateKey) caKey.getPrivate()).getS(), p256);
    }

    /** The JDK's ECDSA through BouncyCastle's JCA operator, built per certificate as hand-rolled code does. */
    ContentSigner jcaSigner() throws Exception {
      return new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate());
    }

    /** BouncyCastle's lightweight ECDSA on its optimised P-256, built per certificate. */
    ContentSigner bcSigner() throws Exception {
      var algorithm = new DefaultSignatureAlgorithmIdentifierFinder().find("SHA256withECDSA");
      return new BcECContentSignerBuilder(algorithm, new DefaultDigestAlgorithmIdentifierFinder().find(algorithm))
          .build(bcCaKey);
    }

    X509Certificate mint(PublicKey subjectKey, ContentSigner signer) throws Exception {
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new X509v3CertificateBuilder(issuer,
          new BigInteger(127, random).add(BigInteger.ONE), Date.from(now.minusSeconds(60)), Date.from(now.plus(TTL)),
          new X500Name("O=SPIFFE"), SubjectPublicKeyInfo.getInstance(subjectKey.getEncoded()))
          .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
          .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
          .addExtension(Extension.extendedKeyUsage, false,
              new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}))
          .addExtension(Extension.subjectAlternativeName, false,
              new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, ID.toString())))
          .addExtension(Extension.subjectKeyIdentifier, false, extensionUtils.createSubjectKeyIdentifier(subjectKey))
          .addExtension(Extension.authorityKeyIdentifier, false, authorityKeyId);
      return converter.getCertificate(builder.build(signer));
    }
  }
}
