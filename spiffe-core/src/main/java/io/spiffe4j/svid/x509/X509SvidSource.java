package io.spiffe4j.svid.x509;

/**
 * Supplies the current X509-SVID. Static SVIDs and live Workload API sources implement it; the TLS key manager reads
 * it once per handshake. Implementations must be thread-safe, must not block on I/O, and must return an SVID whose
 * chain and key belong together.
 */
@FunctionalInterface
public interface X509SvidSource {
  X509Svid x509Svid();
}
