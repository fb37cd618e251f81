package io.spiffe4j.svid.x509;

import io.spiffe4j.id.SpiffeId;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The result of a successful {@link X509SvidVerifier#verify}: the peer's SPIFFE ID and the verified chain from the
 * leaf to the trust anchor of the ID's trust domain. Only the verifier creates instances, so holding one proves the
 * chain was verified. Immutable and thread-safe.
 */
public final class VerifiedX509Svid {
  private final SpiffeId id;
  private final List<X509Certificate> verifiedChain;

  VerifiedX509Svid(SpiffeId id, List<X509Certificate> verifiedChain) {
    this.id = id;
    this.verifiedChain = List.copyOf(verifiedChain);
  }

  public SpiffeId id() {
    return id;
  }

  /** Leaf first, ending with the trust anchor from the bundle; an unmodifiable list. */
  public List<X509Certificate> verifiedChain() {
    return verifiedChain;
  }

  @Override
  public String toString() {
    return "VerifiedX509Svid{id=" + id + ", chainLength=" + verifiedChain.size() + "}";
  }
}
