/**
 * Issuing SPIFFE identities. {@link io.spiffe4j.authority.SpiffeAuthority} is an embeddable authority for one trust
 * domain: it issues X509-SVIDs and JWT-SVIDs, publishes the trust domain's bundle, and rotates its CA on SPIRE's
 * schedule. Its CA is self-signed, or signed by an {@link io.spiffe4j.authority.UpstreamAuthority} (the same contract
 * as SPIRE's UpstreamAuthority plugins); {@link io.spiffe4j.authority.UpstreamAuthorities} makes the built-in ones,
 * which hold their CA in memory or read it from PEM files like SPIRE's {@code disk} plugin.
 */
package io.spiffe4j.authority;
