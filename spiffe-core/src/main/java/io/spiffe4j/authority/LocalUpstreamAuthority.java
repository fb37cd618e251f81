package io.spiffe4j.authority;

import io.spiffe4j.authority.CaRequests.CaRequest;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.internal.Signatures;
import io.spiffe4j.mint.CertificateMinter;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An {@link UpstreamAuthority} that signs intermediate CAs itself, with a CA certificate and key it holds in memory:
 * what SPIRE's {@code disk} UpstreamAuthority plugin does. Made by {@link UpstreamAuthorities}.
 *
 * <p><b>Minting.</b> {@link #mintX509Ca} accepts only a strict DER PKCS#10 request whose self-signature verifies,
 * whose key may sign certificates (RSA of 2048 bits or more, EC P-256/P-384/P-521, Ed25519) and which carries
 * exactly one URI SAN, a trust domain ID such as {@code spiffe://example.org}; anything else is refused with
 * {@link Kind#INVALID_REQUEST}. The answer is a CA certificate for the request's key and subject with critical
 * {@code cA=true}, critical key usage {@code keyCertSign|cRLSign} only, and the trust domain ID as its only URI SAN
 * (X509-07/09/12), followed by the upstream's own certificates up to (not including) its roots; and those roots.
 * Its lifetime is the preferred TTL, shortened to the {@linkplain #withMaxCaTtl maximum} when one is set (and taken
 * as that maximum when the preferred TTL is zero), and never beyond the upstream certificate's own expiry. The
 * certificate is valid from one minute before the mint (to absorb clock skew), not before the upstream's own start.
 * An upstream certificate that is not valid at the time of the mint is refused with {@link Kind#MISCONFIGURED}.
 *
 * <p>Any trust domain may ask: like SPIRE's disk plugin, this upstream does not restrict them.
 *
 * <p>Immutable and thread-safe; {@code with...} return copies sharing the key. {@link #close()} does nothing.
 * {@code toString()} names the upstream certificate, never the key.
 */
public final class LocalUpstreamAuthority implements UpstreamAuthority {
  /** How long before the mint a CA's validity starts, to absorb clock skew between machines. */
  private static final Duration BACKDATE = Duration.ofMinutes(1);

  private final X509Certificate signer;
  private final PrivateKey key;
  /** The certificates every minted CA's chain carries after it: the signer and intermediates, without roots. */
  private final List<X509Certificate> chainTail;
  private final List<X509Certificate> roots;
  private final Duration maxCaTtl;
  private final Clock clock;

  private LocalUpstreamAuthority(X509Certificate signer, PrivateKey key, List<X509Certificate> chainTail,
      List<X509Certificate> roots, Duration maxCaTtl, Clock clock) {
    this.signer = signer;
    this.key = key;
    this.chainTail = chainTail;
    this.roots = roots;
    this.maxCaTtl = maxCaTtl;
    this.clock = clock;
  }

  /**
   * An upstream signing with the first certificate of {@code signingChain} and {@code key}.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#MISCONFIGURED} if a list is empty, the signing certificate
   *     is not a CA that may sign CA certificates, the key is not its pair, or the chain does not link up to a root
   */
  static LocalUpstreamAuthority of(List<X509Certificate> signingChain, PrivateKey key, List<X509Certificate> roots) {
    Objects.requireNonNull(signingChain, "signingChain");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(roots, "roots");
    List<X509Certificate> chain = List.copyOf(signingChain);
    List<X509Certificate> rootList = List.copyOf(roots);
    if (chain.isEmpty()) {
      throw misconfigured("the upstream has no CA certificate");
    }
    if (rootList.isEmpty()) {
      throw misconfigured("the upstream has no root certificate");
    }
    X509Certificate signer = chain.get(0);
    checkSigner(signer, key);
    List<X509Certificate> tail = new ArrayList<>(chain);
    tail.removeAll(rootList);
    checkLinks(tail, rootList);
    return new LocalUpstreamAuthority(signer, key, List.copyOf(tail), rootList, null, Clock.systemUTC());
  }

  private static void checkSigner(X509Certificate signer, PrivateKey key) {
    String name = describe(signer);
    int pathLength = signer.getBasicConstraints();
    if (pathLength < 0) {
      throw misconfigured("the upstream certificate " + name + " is not a CA (no basic constraints cA=true)");
    }
    if (pathLength == 0) {
      throw misconfigured("the upstream certificate " + name
          + " has pathLenConstraint 0, so it cannot sign the intermediate CA an authority needs");
    }
    boolean[] keyUsage = signer.getKeyUsage();
    if (keyUsage != null && (keyUsage.length <= 5 || !keyUsage[5])) {
      throw misconfigured("the upstream certificate " + name + " lacks the keyCertSign key usage (X509-12)");
    }
    X509Certificate probe;
    try {
      probe = CertificateMinter.bare(signer.getPublicKey()).issuedBy(signer, key).sign(null);
    } catch (IllegalStateException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED,
          "the upstream key cannot sign certificates for " + name, e);
    }
    if (!Signatures.verifyCertificate(probe, signer.getPublicKey())) {
      throw misconfigured("the upstream key is not the pair of the certificate " + name);
    }
  }

  /** Each certificate of {@code tail} is signed by the next, and the last by a root. */
  private static void checkLinks(List<X509Certificate> tail, List<X509Certificate> roots) {
    for (int i = 0; i + 1 < tail.size(); i++) {
      if (!Signatures.verifyCertificate(tail.get(i), tail.get(i + 1).getPublicKey())) {
        throw misconfigured("the upstream certificate " + describe(tail.get(i)) + " is not signed by the next one, "
            + describe(tail.get(i + 1)));
      }
    }
    if (!tail.isEmpty()) {
      X509Certificate last = tail.get(tail.size() - 1);
      if (roots.stream().noneMatch(root -> Signatures.verifyCertificate(last, root.getPublicKey()))) {
        throw misconfigured("the upstream certificate " + describe(last) + " is not signed by any of its roots");
      }
    }
  }

  /**
   * This upstream, with minted CAs living at most {@code maxCaTtl}; by default only the upstream certificate's own
   * expiry limits them.
   *
   * @throws IllegalArgumentException if not positive
   */
  public LocalUpstreamAuthority withMaxCaTtl(Duration maxCaTtl) {
    Objects.requireNonNull(maxCaTtl, "maxCaTtl");
    if (maxCaTtl.isNegative() || maxCaTtl.isZero()) {
      throw new IllegalArgumentException("maxCaTtl must be positive: " + maxCaTtl);
    }
    return new LocalUpstreamAuthority(signer, key, chainTail, roots, maxCaTtl, clock);
  }

  /** This upstream, judging time (validity of its certificate, of the CAs it mints) by {@code clock}. */
  public LocalUpstreamAuthority withClock(Clock clock) {
    return new LocalUpstreamAuthority(signer, key, chainTail, roots, maxCaTtl, Objects.requireNonNull(clock, "clock"));
  }

  /** The certificate that signs the minted CAs. */
  public X509Certificate signingCertificate() {
    return signer;
  }

  /** The roots every minted CA chains to; an unmodifiable list. */
  public List<X509Certificate> roots() {
    return roots;
  }

  /**
   * Signs an intermediate CA, as described in the class description.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#INVALID_REQUEST} for a bad request or a negative TTL, of
   *     kind {@link Kind#MISCONFIGURED} when the upstream certificate is not valid now
   */
  @Override
  public UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl) {
    Objects.requireNonNull(csr, "csr");
    Objects.requireNonNull(preferredTtl, "preferredTtl");
    if (preferredTtl.isNegative()) {
      throw new UpstreamAuthorityException(Kind.INVALID_REQUEST, "the preferred TTL is negative: " + preferredTtl);
    }
    CaRequest request = CaRequests.parse(csr);
    Instant now = clock.instant();
    Instant signerStart = signer.getNotBefore().toInstant();
    Instant signerEnd = signer.getNotAfter().toInstant();
    if (now.isBefore(signerStart) || !now.isBefore(signerEnd)) {
      throw misconfigured("the upstream certificate " + describe(signer) + " is not valid at " + now + " (valid from "
          + signerStart + " to " + signerEnd + ")");
    }
    Duration ttl = ttl(preferredTtl);
    // Compared before adding, so that a huge preferred TTL cannot overflow an Instant.
    Instant notAfter = ttl != null && ttl.compareTo(Duration.between(now, signerEnd)) < 0 ? now.plus(ttl) : signerEnd;
    Instant notBefore = max(now.minus(BACKDATE), signerStart);
    X509Certificate minted;
    try {
      minted = CertificateMinter.ca(request.publicKey, request.trustDomain.id())
          .subject(request.subject)
          .validity(notBefore, notAfter)
          .issuedBy(signer, key)
          .sign(null);
    } catch (IllegalStateException e) {
      throw new UpstreamAuthorityException(Kind.MISCONFIGURED, "the upstream key cannot sign the CA", e);
    }
    List<X509Certificate> chain = new ArrayList<>(chainTail.size() + 1);
    chain.add(minted);
    chain.addAll(chainTail);
    return new UpstreamX509Ca(chain, roots);
  }

  /** The lifetime to grant before the upstream certificate's expiry caps it; null when nothing else limits it. */
  private Duration ttl(Duration preferred) {
    if (maxCaTtl == null) {
      return preferred.isZero() ? null : preferred;
    }
    return preferred.isZero() || preferred.compareTo(maxCaTtl) > 0 ? maxCaTtl : preferred;
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  static String describe(X509Certificate certificate) {
    return "\"" + certificate.getSubjectX500Principal().getName() + "\" (serial "
        + certificate.getSerialNumber().toString(16) + ")";
  }

  private static UpstreamAuthorityException misconfigured(String reason) {
    return new UpstreamAuthorityException(Kind.MISCONFIGURED, reason);
  }

  @Override
  public String toString() {
    return "LocalUpstreamAuthority{signer=" + describe(signer) + ", expiresAt=" + signer.getNotAfter().toInstant()
        + ", roots=" + roots.size() + (maxCaTtl != null ? ", maxCaTtl=" + maxCaTtl : "") + "}";
  }
}
