package io.spiffe4j.authority;

import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.internal.PrivateKeys;
import io.spiffe4j.internal.Signatures;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * The built-in {@link UpstreamAuthority upstream authorities}: a {@link LocalUpstreamAuthority} holding its CA in
 * memory, made fresh ({@link #selfSigned()}), from a certificate and key in hand ({@link #of}), or from PEM files
 * ({@link #disk}, like SPIRE's {@code disk} plugin). Every problem with the material ends in an
 * {@link UpstreamAuthorityException} of kind {@link Kind#MISCONFIGURED} that names the file or certificate, never
 * key bytes. Thread-safe.
 */
public final class UpstreamAuthorities {
  private static final Duration DEFAULT_ROOT_TTL = Duration.ofDays(3650);

  private UpstreamAuthorities() {}

  /** {@link #selfSigned(KeyAlgorithm, Duration, Clock)} with an EC P-256 root valid for ten years, on UTC time. */
  public static LocalUpstreamAuthority selfSigned() {
    return selfSigned(KeyAlgorithm.EC_P256, DEFAULT_ROOT_TTL, Clock.systemUTC());
  }

  /**
   * An upstream with a new self-signed root CA of its own, valid for {@code rootTtl} from {@code clock}'s now, which
   * signs the intermediate CAs directly; the root is its only root. The root has subject
   * {@code O=SPIFFE, CN=spiffe4j upstream root}, critical {@code cA=true} and {@code keyCertSign|cRLSign}, and no
   * SPIFFE ID, since it serves any trust domain. The upstream judges time by {@code clock}.
   *
   * @throws IllegalArgumentException if {@code rootTtl} is not positive, or the key algorithm cannot sign
   *     certificates
   */
  public static LocalUpstreamAuthority selfSigned(KeyAlgorithm keyAlgorithm, Duration rootTtl, Clock clock) {
    Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
    Objects.requireNonNull(rootTtl, "rootTtl");
    Objects.requireNonNull(clock, "clock");
    if (rootTtl.isNegative() || rootTtl.isZero()) {
      throw new IllegalArgumentException("rootTtl must be positive: " + rootTtl);
    }
    KeyPair key = keyAlgorithm.generate();
    Instant now = clock.instant();
    X509Certificate root = CertificateMinter.bare(key.getPublic())
        .subject(new X500Principal("O=SPIFFE, CN=spiffe4j upstream root"))
        .ca(true)
        .keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN))
        .validFor(now, rootTtl)
        .sign(key.getPrivate());
    return of(root, key.getPrivate()).withClock(clock);
  }

  /**
   * An upstream that signs with {@code ca} and {@code key} and names {@code ca} as the one root to trust, whether it
   * is self-signed or not: the CA becomes the trust anchor of the trust domains it serves.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#MISCONFIGURED} if the certificate is not a CA that may
   *     sign intermediate CAs, or the key is not its pair
   */
  public static LocalUpstreamAuthority of(X509Certificate ca, PrivateKey key) {
    Objects.requireNonNull(ca, "ca");
    return LocalUpstreamAuthority.of(List.of(ca), key, List.of(ca));
  }

  /**
   * An upstream that signs with the first certificate of {@code signingChain} and {@code key}; the rest of the
   * chain are intermediates up to one of {@code roots}. Every minted CA's chain carries the chain's certificates
   * that are not roots.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#MISCONFIGURED} if a list is empty, the signing
   *     certificate is not a CA that may sign intermediate CAs, the key is not its pair, or the chain does not link up
   *     to one of the roots
   */
  public static LocalUpstreamAuthority of(List<X509Certificate> signingChain, PrivateKey key,
      List<X509Certificate> roots) {
    return LocalUpstreamAuthority.of(signingChain, key, roots);
  }

  /**
   * Like SPIRE's {@code disk} plugin without {@code bundle_file_path}: the upstream CA certificate (PEM, optionally
   * followed by intermediates) and its key (PEM: PKCS#8, SEC 1 {@code EC PRIVATE KEY} or PKCS#1
   * {@code RSA PRIVATE KEY}; unencrypted). The last certificate of the file must be self-signed: it is the root.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#MISCONFIGURED} if a file cannot be read or parsed, the
   *     last certificate is not self-signed, or {@link #of(List, PrivateKey, List)} refuses the material
   */
  public static LocalUpstreamAuthority disk(Path certPath, Path keyPath) {
    Objects.requireNonNull(certPath, "certPath");
    Objects.requireNonNull(keyPath, "keyPath");
    List<X509Certificate> chain = certificates(certPath, "certificate");
    PrivateKey key = privateKey(keyPath);
    X509Certificate root = chain.get(chain.size() - 1);
    if (!root.getSubjectX500Principal().equals(root.getIssuerX500Principal())
        || !Signatures.verifyCertificate(root, root.getPublicKey())) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED, "the last certificate of " + certPath + ", "
          + LocalUpstreamAuthority.describe(root) + ", is not self-signed: give the upstream's roots in a bundle file");
    }
    return LocalUpstreamAuthority.of(chain, key, List.of(root));
  }

  /**
   * Like SPIRE's {@code disk} plugin with {@code bundle_file_path}: as {@link #disk(Path, Path)}, with the roots
   * read from {@code bundlePath} (PEM certificates) instead of the end of the certificate file.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#MISCONFIGURED} if a file cannot be read or parsed, or
   *     {@link #of(List, PrivateKey, List)} refuses the material
   */
  public static LocalUpstreamAuthority disk(Path certPath, Path keyPath, Path bundlePath) {
    Objects.requireNonNull(certPath, "certPath");
    Objects.requireNonNull(keyPath, "keyPath");
    Objects.requireNonNull(bundlePath, "bundlePath");
    List<X509Certificate> chain = certificates(certPath, "certificate");
    PrivateKey key = privateKey(keyPath);
    return LocalUpstreamAuthority.of(chain, key, certificates(bundlePath, "bundle"));
  }

  private static List<X509Certificate> certificates(Path path, String what) {
    try {
      return X509Svid.parseCertificates(read(path, what));
    } catch (X509SvidException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
          "the upstream " + what + " file " + path + " holds no valid PEM certificates: " + e.reason(), e);
    }
  }

  private static PrivateKey privateKey(Path path) {
    try {
      return PrivateKeys.parse(read(path, "key"));
    } catch (IllegalArgumentException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
          "the upstream key file " + path + " holds no usable private key: " + e.getMessage(), e.getCause());
    }
  }

  private static byte[] read(Path path, String what) {
    try {
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
          "cannot read the upstream " + what + " file " + path + " (" + e.getClass().getSimpleName() + ")", e);
    }
  }
}
