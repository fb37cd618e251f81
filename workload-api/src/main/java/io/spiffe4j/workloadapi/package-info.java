/**
 * The SPIFFE Workload API client: {@link io.spiffe4j.workloadapi.WorkloadApiClient} fetches and watches the
 * workload's X509-SVIDs ({@link io.spiffe4j.workloadapi.X509Context}), JWT-SVIDs and bundles from an endpoint given
 * by {@link io.spiffe4j.workloadapi.WorkloadApiAddress} or {@code SPIFFE_ENDPOINT_SOCKET}. Failures are
 * {@link io.spiffe4j.workloadapi.WorkloadApiException}s that say whether retrying can help.
 *
 * <p>Live sources (an {@code X509Source} that a TLS key manager reads) are built on
 * {@link io.spiffe4j.workloadapi.WorkloadApiClient#watchX509Context}: its watcher receives full states only, and
 * {@link io.spiffe4j.workloadapi.Watcher#onStopped} tells it when updates will never come.
 */
package io.spiffe4j.workloadapi;
