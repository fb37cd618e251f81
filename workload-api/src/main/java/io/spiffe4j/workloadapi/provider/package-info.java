/**
 * A JCA security provider ({@link io.spiffe4j.workloadapi.provider.SpiffeProvider}) whose {@code Spiffe4j}
 * key and trust manager factories serve SPIFFE mutual TLS to frameworks configured by algorithm name, on explicit
 * {@link io.spiffe4j.workloadapi.provider.SpiffeManagerParameters} or on the provider's one default source at
 * {@code SPIFFE_ENDPOINT_SOCKET}.
 */
package io.spiffe4j.workloadapi.provider;
