package io.spiffe4j.upstream.akeyless.spire;

import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthorityException;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.authority.UpstreamX509Ca;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * An upstream authority for tests: a self-signed root that really signs the CSR's key. What it does is chosen by
 * {@code pki_cert_issuer_name}: {@value #NORMAL} mints; {@code unauthenticated}, {@code misconfigured},
 * {@code invalid-request}, {@code unavailable} fail every mint with that kind; {@code boom} fails with an unexpected
 * exception; {@code jwt} also publishes JWT keys; {@code rotating} reports a new root 200 ms after each mint.
 * An {@code access_id} of {@code refused} makes the factory fail with UNAUTHENTICATED.
 *
 * <p>The root is read from {@code root.pem}/{@code root.key} in the directory named by {@value #ROOT_DIR_ENV} when that
 * is set (so a test outside the plugin process knows it), else generated.
 */
final class TestUpstream implements UpstreamAuthority {
  static final String NORMAL = "test-issuer";
  static final String ROOT_DIR_ENV = "SPIFFE4J_TEST_UPSTREAM_ROOT_DIR";
  /** Written in a failing mint's message, to prove the message reaches SPIRE. */
  static final String SECRET_FREE_FAILURE = "the test upstream refuses: ";

  private final PluginConfig config;
  private final X509Certificate root;
  private final PrivateKey rootKey;
  private final List<Consumer<List<X509Certificate>>> listeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private TestUpstream(PluginConfig config, X509Certificate root, PrivateKey rootKey) {
    this.config = config;
    this.root = root;
    this.rootKey = rootKey;
  }

  /** The factory the test plugin serves. */
  static UpstreamAuthority create(PluginConfig config) {
    if (config.accessId().equals("refused")) {
      throw new UpstreamAuthorityException(Kind.UNAUTHENTICATED, "the test gateway refused access ID refused");
    }
    String rootDir = System.getenv(ROOT_DIR_ENV);
    if (rootDir != null) {
      Path dir = Path.of(rootDir);
      return new TestUpstream(config, readCertificate(dir.resolve("root.pem")), readKey(dir.resolve("root.key")));
    }
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    return new TestUpstream(config, newRoot(key), key.getPrivate());
  }

  static X509Certificate newRoot(KeyPair key) {
    return CertificateMinter.bare(key.getPublic())
        .subject(new X500Principal("CN=spiffe4j test upstream root"))
        .ca(true)
        .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN, CertificateMinter.KeyUsage.CRL_SIGN))
        .validFor(Instant.now(), Duration.ofDays(10))
        .sign(key.getPrivate());
  }

  @Override
  public UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl) {
    String behaviour = config.pkiCertIssuerName();
    switch (behaviour) {
      case "unauthenticated": throw new UpstreamAuthorityException(Kind.UNAUTHENTICATED, SECRET_FREE_FAILURE + behaviour);
      case "misconfigured": throw new UpstreamAuthorityException(Kind.MISCONFIGURED, SECRET_FREE_FAILURE + behaviour);
      case "invalid-request": throw new UpstreamAuthorityException(Kind.INVALID_REQUEST, SECRET_FREE_FAILURE + behaviour);
      case "unavailable": throw new UpstreamAuthorityException(Kind.UNAVAILABLE, SECRET_FREE_FAILURE + behaviour);
      case "boom": throw new IllegalStateException("a bug in the upstream");
      default: break;
    }
    PublicKey key = csrKey(csr);
    Instant now = Instant.now();
    Duration ttl = preferredTtl.isZero() ? Duration.ofHours(1) : preferredTtl;
    Instant notAfter = now.plus(ttl).isAfter(root.getNotAfter().toInstant()) ? root.getNotAfter().toInstant() : now.plus(ttl);
    X509Certificate ca = CertificateMinter.ca(key, SpiffeId.parse(config.trustDomain().idString()))
        .subject(new X500Principal("O=SPIFFE, CN=minted by the test upstream"))
        .validity(now.minusSeconds(60), notAfter)
        .issuedBy(root, rootKey)
        .sign(null);
    if (behaviour.equals("rotating")) {
      rotateSoon();
    }
    return new UpstreamX509Ca(List.of(ca), List.of(root));
  }

  private void rotateSoon() {
    Thread rotation = new Thread(() -> {
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        return;
      }
      List<X509Certificate> roots = List.of(root, newRoot(KeyAlgorithm.EC_P256.generate()));
      listeners.forEach(listener -> listener.accept(roots));
    });
    rotation.setDaemon(true);
    rotation.start();
  }

  @Override
  public Optional<List<JwtKey>> publishJwtKey(JwtKey key) {
    if (!config.pkiCertIssuerName().equals("jwt")) {
      return Optional.empty();
    }
    List<JwtKey> keys = new ArrayList<>();
    keys.add(new JwtKey("upstream-kid", KeyAlgorithm.EC_P256.generate().getPublic(), Instant.ofEpochSecond(4_000_000_000L)));
    keys.add(key);
    return Optional.of(keys);
  }

  @Override
  public Subscription subscribeToRootChanges(Consumer<List<X509Certificate>> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  @Override
  public void close() {
    closed = true;
  }

  boolean isClosed() {
    return closed;
  }

  private static PublicKey csrKey(byte[] der) {
    try {
      JcaPKCS10CertificationRequest request = new JcaPKCS10CertificationRequest(new PKCS10CertificationRequest(der));
      PublicKey key = request.getPublicKey();
      if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
        throw new UpstreamAuthorityException(Kind.INVALID_REQUEST, "the CSR's signature does not verify");
      }
      return key;
    } catch (IOException | GeneralSecurityException | org.bouncycastle.operator.OperatorCreationException
        | org.bouncycastle.pkcs.PKCSException | RuntimeException e) {
      if (e instanceof UpstreamAuthorityException) {
        throw (UpstreamAuthorityException) e;
      }
      throw new UpstreamAuthorityException(Kind.INVALID_REQUEST, "the CSR is not a PKCS#10 request", e);
    }
  }

  static void writeRoot(Path dir, X509Certificate root, PrivateKey key) throws IOException, GeneralSecurityException {
    Files.writeString(dir.resolve("root.pem"), pem("CERTIFICATE", root.getEncoded()), StandardCharsets.US_ASCII);
    Files.writeString(dir.resolve("root.key"), pem("PRIVATE KEY", key.getEncoded()), StandardCharsets.US_ASCII);
  }

  static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  private static X509Certificate readCertificate(Path file) {
    try (var in = Files.newInputStream(file)) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the test root " + file, e);
    }
  }

  private static PrivateKey readKey(Path file) {
    try {
      String pem = Files.readString(file, StandardCharsets.US_ASCII);
      byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
      return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the test root key " + file, e);
    }
  }
}
