package io.spiffe4j.authority;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The public view of one CA of a {@link SpiffeAuthority}: the certificate that signs X509-SVIDs, the chain those
 * SVIDs carry after their leaf, the roots they verify against, and the JWT signing key that rotates with the CA.
 * Never a private key.
 *
 * <p>Immutable and thread-safe. {@code toString()} names the certificate and key ID.
 *
 * @param certificate the CA certificate that signs X509-SVIDs
 * @param chain the certificates every X509-SVID signed by this CA carries after its leaf: the CA and any
 *     intermediates up to (not including) a root, as the upstream answered; empty when the CA is itself the root
 *     (an authority without upstream)
 * @param roots the X.509 authorities the SVIDs chain to, which the trust domain's bundle holds while they are needed
 * @param jwtKeyId the {@code kid} of the JWT signing key
 * @param jwtPublicKey the public JWT signing key, which the trust domain's bundle holds under {@code jwtKeyId}
 */
public record AuthorityCa(X509Certificate certificate, List<X509Certificate> chain, List<X509Certificate> roots,
    String jwtKeyId, PublicKey jwtPublicKey) {

  public AuthorityCa {
    Objects.requireNonNull(certificate, "certificate");
    chain = List.copyOf(Objects.requireNonNull(chain, "chain"));
    roots = List.copyOf(Objects.requireNonNull(roots, "roots"));
    Objects.requireNonNull(jwtKeyId, "jwtKeyId");
    Objects.requireNonNull(jwtPublicKey, "jwtPublicKey");
  }

  /** When the CA, and with it its JWT key, expires; nothing it signs outlives this. */
  public Instant expiresAt() {
    return certificate.getNotAfter().toInstant();
  }

  @Override
  public String toString() {
    return "AuthorityCa{certificate=" + LocalUpstreamAuthority.describe(certificate) + ", expiresAt=" + expiresAt()
        + ", chainLength=" + chain.size() + ", roots=" + roots.size() + ", jwtKeyId=" + jwtKeyId + "}";
  }
}
