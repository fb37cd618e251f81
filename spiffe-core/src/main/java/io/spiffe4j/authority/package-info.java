/**
 * Issuing SPIFFE identities: the {@link io.spiffe4j.authority.UpstreamAuthority} SPI (the same contract as SPIRE's
 * UpstreamAuthority plugins) and an embeddable authority built on it.
 */
package io.spiffe4j.authority;
