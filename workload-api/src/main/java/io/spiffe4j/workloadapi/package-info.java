/**
 * The SPIFFE Workload API client: {@link io.spiffe4j.workloadapi.WorkloadApiClient} fetches and watches the
 * workload's X509-SVIDs ({@link io.spiffe4j.workloadapi.X509Context}), JWT-SVIDs and bundles from an endpoint given
 * by {@link io.spiffe4j.workloadapi.WorkloadApiAddress} or {@code SPIFFE_ENDPOINT_SOCKET}. Failures are
 * {@link io.spiffe4j.workloadapi.WorkloadApiException}s that say whether retrying can help.
 *
 * <p>Most applications use the live sources instead: {@link io.spiffe4j.workloadapi.X509Source} (the SVID and X.509
 * bundles a TLS key and trust manager read), {@link io.spiffe4j.workloadapi.JwtSource} (JWT bundles and cached
 * JWT-SVIDs) and {@link io.spiffe4j.workloadapi.BundleSource}. Each sits on a watch, keeps one immutable snapshot
 * that every update replaces whole, and is {@link java.lang.AutoCloseable}.
 */
package io.spiffe4j.workloadapi;
