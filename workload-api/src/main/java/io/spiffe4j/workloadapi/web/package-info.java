/**
 * JWT-SVID bearer authentication of HTTP requests: {@link io.spiffe4j.workloadapi.web.JwtSvidAuthenticator}
 * validates the {@code Authorization: Bearer} token locally or via the Workload API. The filters live in packages
 * of their own, so each needs its web API only where it is used.
 */
package io.spiffe4j.workloadapi.web;
