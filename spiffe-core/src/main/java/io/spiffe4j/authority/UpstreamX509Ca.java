package io.spiffe4j.authority;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * What an {@link UpstreamAuthority} answers to a mint: the signed CA chain and the roots it chains to.
 *
 * <p>{@code caChain} starts with the CA minted for the request's key, followed by any intermediates needed to reach
 * one of {@code upstreamRoots}; it holds no root itself (every SVID carries this chain, so a root would only bloat
 * it). Both lists are non-empty and immutable. Immutable and thread-safe.
 */
public record UpstreamX509Ca(List<X509Certificate> caChain, List<X509Certificate> upstreamRoots) {
  public UpstreamX509Ca {
    caChain = List.copyOf(Objects.requireNonNull(caChain, "caChain"));
    upstreamRoots = List.copyOf(Objects.requireNonNull(upstreamRoots, "upstreamRoots"));
    if (caChain.isEmpty()) {
      throw new IllegalArgumentException("caChain must hold at least the minted CA");
    }
    if (upstreamRoots.isEmpty()) {
      throw new IllegalArgumentException("upstreamRoots must hold at least one root");
    }
  }

  /** The CA minted for the request's key: the first element of {@link #caChain()}. */
  public X509Certificate mintedCa() {
    return caChain.get(0);
  }
}
