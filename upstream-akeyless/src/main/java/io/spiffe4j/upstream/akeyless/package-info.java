/**
 * Akeyless as an upstream authority: {@link io.spiffe4j.upstream.akeyless.AkeylessUpstreamAuthority} has an Akeyless
 * PKI certificate issuer sign a SPIFFE authority's CA, through the typed Akeyless client of {@code spiffe4j-cert-auth}.
 * The same class serves SPIRE Server through this module's external UpstreamAuthority plugin.
 */
package io.spiffe4j.upstream.akeyless;
