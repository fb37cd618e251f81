package io.spiffe4j.authority;

import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The authority above a SPIFFE authority: it signs the authority's intermediate CA and owns the roots that workloads
 * trust. The same contract as SPIRE's {@code UpstreamAuthority} plugin, so one implementation serves an embedded
 * authority in a JVM and a real SPIRE Server (through the external plugin in {@code spiffe4j-upstream-akeyless}).
 *
 * <p>Implementations are thread-safe. {@link #mintX509Ca} may block on the network; it either returns a complete
 * answer or throws {@link UpstreamAuthorityException}, never half an answer.
 */
public interface UpstreamAuthority extends AutoCloseable {

  /**
   * Signs an intermediate CA for the key in {@code csr}.
   *
   * @param csr a DER-encoded PKCS#10 request: the new CA's public key, its subject, and one URI SAN that is the trust
   *     domain's ID ({@code spiffe://example.org})
   * @param preferredTtl the lifetime asked for; {@link Duration#ZERO} lets the upstream decide. The upstream may
   *     shorten it (for example to its issuer's maximum) but never lengthen it
   * @return the signed CA first, then any intermediates up to (not including) one of the upstream roots, and those
   *     roots
   * @throws UpstreamAuthorityException when the upstream refuses, is misconfigured, or cannot be reached
   */
  UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl);

  /**
   * Publishes a JWT signing key of the authority upstream, where the upstream distributes JWT keys.
   *
   * @return every JWT key the trust domain should trust from now on, including the one just published; empty when
   *     this upstream does not handle JWT keys (the authority then publishes its keys itself, as SPIRE does)
   * @throws UpstreamAuthorityException when the upstream handles JWT keys but the publication failed
   */
  default Optional<List<JwtKey>> publishJwtKey(JwtKey key) {
    return Optional.empty();
  }

  /**
   * Registers a listener told the new upstream roots whenever they change after a mint (for example when the
   * upstream rotates its own root). The default never calls it: upstream roots are then only those of each mint.
   *
   * @return a handle that removes the listener; closing it twice is harmless
   */
  default Subscription subscribeToRootChanges(Consumer<List<X509Certificate>> listener) {
    return () -> {};
  }

  /** Releases what the upstream holds (connections, tokens, threads). Idempotent; the default holds nothing. */
  @Override
  default void close() {}

  /** A JWT signing key as an authority publishes it: key ID, public key, and the instant it stops being trusted. */
  record JwtKey(String keyId, PublicKey publicKey, Instant expiresAt) {
    public JwtKey {
      java.util.Objects.requireNonNull(keyId, "keyId");
      java.util.Objects.requireNonNull(publicKey, "publicKey");
      java.util.Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  /** A listener's registration; {@link #close()} removes it. Idempotent. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
