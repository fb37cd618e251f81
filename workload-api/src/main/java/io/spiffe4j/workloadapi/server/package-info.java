/**
 * An embeddable SPIFFE Workload API server: {@link io.spiffe4j.workloadapi.server.WorkloadApiServer} serves the
 * standard's gRPC service on Unix domain sockets, one socket per served identity, each backed by an
 * {@link io.spiffe4j.workloadapi.server.IdentityProvider}.
 * {@link io.spiffe4j.workloadapi.server.AuthorityIdentityProvider} serves identities issued by an embedded
 * {@link io.spiffe4j.authority.SpiffeAuthority}; {@link io.spiffe4j.workloadapi.server.MintingIdentityProvider}
 * bundles both for one identity, so a test, demo or local setup gets a working Workload API in a few lines; the
 * server's hooks push updates and inject gRPC errors to try a client against. No gRPC type appears in this package's
 * API.
 */
package io.spiffe4j.workloadapi.server;
