package io.spiffe4j.tls;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Decides whether a TLS peer, already verified as holding an X509-SVID of a trusted trust domain, may talk to us.
 *
 * <p>An authorizer only ever sees a {@link VerifiedX509Svid}, which only {@link io.spiffe4j.svid.x509.X509SvidVerifier}
 * creates: the chain has been path-validated against the bundle of the peer's trust domain before any authorizer
 * runs. So an authorizer decides on identity alone and never needs to (and cannot be tricked into) inspecting an
 * unverified chain. {@link SpiffeTrustManager} and {@link SpiffeSslContextBuilder} require one wherever a peer is
 * checked; there is no trust-everyone default, and {@link #any()} has to be chosen explicitly.
 *
 * <p>Rejection is an {@link AuthorizationException} (returning normally means "allowed"), so there is no boolean to
 * forget and the reason reaches the TLS failure. Any other exception an authorizer throws is a bug; it is not
 * treated as a rejection by {@link #or}, and it still fails the handshake.
 *
 * <p>Authorizers are shared by concurrent handshakes: implementations must be thread-safe and fast (they run inside
 * the handshake), and must not block. The factories here return immutable, thread-safe authorizers whose
 * {@code toString()} describes the policy, for example {@code memberOf(example.org)}.
 */
@FunctionalInterface
public interface Authorizer {
  /**
   * Allows the peer by returning, or rejects it.
   *
   * @throws AuthorizationException if the peer is not allowed
   */
  void authorize(VerifiedX509Svid peer);

  /** Allows a peer only if both this and {@code other} allow it; {@code other} runs only if this one allows. */
  default Authorizer and(Authorizer other) {
    return Authorizers.and(this, other);
  }

  /**
   * Allows a peer if this or {@code other} allows it; {@code other} runs only if this one rejects. If both reject,
   * the {@link AuthorizationException} gives both reasons.
   */
  default Authorizer or(Authorizer other) {
    return Authorizers.or(this, other);
  }

  /**
   * Allows every peer whose SVID verified, from any trust domain the bundle source trusts. Choose it deliberately:
   * with federated bundles it admits every workload of every federated trust domain.
   */
  static Authorizer any() {
    return Authorizers.ANY;
  }

  /** Allows exactly the peer with this SPIFFE ID. */
  static Authorizer id(SpiffeId expected) {
    return Authorizers.oneOf(List.of(Objects.requireNonNull(expected, "expected")));
  }

  /**
   * Allows the peers with one of these SPIFFE IDs.
   *
   * @throws IllegalArgumentException if no ID is given: an empty allow-list is almost surely a configuration mistake
   */
  static Authorizer oneOf(SpiffeId... allowed) {
    Objects.requireNonNull(allowed, "allowed");
    return Authorizers.oneOf(Arrays.asList(allowed));
  }

  /**
   * Allows the peers with one of these SPIFFE IDs; the collection is copied.
   *
   * @throws IllegalArgumentException if the collection is empty
   */
  static Authorizer oneOf(Collection<SpiffeId> allowed) {
    return Authorizers.oneOf(allowed);
  }

  /** Allows every peer of this trust domain (by exact name: trust domains are not hierarchical). */
  static Authorizer memberOf(TrustDomain trustDomain) {
    return Authorizers.memberOf(trustDomain);
  }

  /**
   * Allows the peers whose SPIFFE ID satisfies the predicate, for example a path prefix. The description names the
   * policy in rejection messages and {@code toString()}, as in {@code peer ID "spiffe://example.org/x" does not match
   * <description>}. The predicate must be thread-safe; an exception it throws fails the handshake.
   */
  static Authorizer matching(String description, Predicate<SpiffeId> predicate) {
    return Authorizers.matching(description, predicate);
  }
}
