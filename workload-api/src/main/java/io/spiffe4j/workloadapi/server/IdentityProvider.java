package io.spiffe4j.workloadapi.server;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.workloadapi.X509Context;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link WorkloadApiServer} serves on one socket: the identities of the workloads that can reach that socket,
 * with the bundles they trust. The server asks the provider on every call and after every change it signals; it
 * never caches, so the provider is the one source of truth. {@link AuthorityIdentityProvider} serves the identities
 * of an embedded authority; {@link MintingIdentityProvider} is a one-identity convenience over it.
 *
 * <p><b>No identity yet.</b> A provider with nothing to give (the workload is not registered, or its identity was
 * withdrawn) answers {@link Optional#empty()} or an empty list, and the server answers {@code PERMISSION_DENIED}
 * (WEP-13), which clients retry with backoff.
 *
 * <p><b>Changes.</b> After its state changes, the provider calls each listener given to {@link #subscribe}: the
 * server then reads the getters again and sends the full state to every open stream (WAPI-04). A listener carries no
 * state and may be called on any thread; it returns at once and does not throw. A spurious call costs a read.
 *
 * <p>Implementations are thread-safe: the server calls them from several threads at once. Methods should return
 * promptly (they run on the server's call threads); other exceptions than those documented end the call with
 * {@code INTERNAL}, and their messages stay in the server's log.
 */
public interface IdentityProvider {

  /**
   * The current X.509-SVIDs, default first, with their hints (unique when not empty, WAPI-08), and the X.509 bundles
   * of their trust domains and of the federated ones. Every SVID's trust domain must have a bundle in it.
   *
   * @return empty while the provider has no identity to give (WEP-13)
   */
  Optional<X509Context> x509Context();

  /**
   * The JWT bundles: at least those of the identities' trust domains (WAPI-11), and the federated ones. Bundles with
   * X.509 authorities too are fine; only their JWT authorities are served.
   */
  BundleSet jwtBundles();

  /**
   * Mints JWT-SVIDs whose {@code aud} is exactly {@code audiences} (WAPI-10): of {@code subject} alone when it is
   * given, otherwise of every identity the provider holds, default first.
   *
   * @param audiences at least one, none empty
   * @param subject the one identity asked for, or empty for all of them
   * @return empty when the provider has no identity, or none that is {@code subject} (WEP-13)
   */
  List<JwtSvid> mintJwtSvids(List<String> audiences, Optional<SpiffeId> subject);

  /**
   * Registers a listener called after every change of the provider's state, until the returned subscription is
   * closed. See the class description for the contract.
   */
  Subscription subscribe(Runnable listener);

  /**
   * Validates a JWT-SVID for one audience, as ValidateJWTSVID asks (WAPI-12): signature by a key of the JWT bundle of
   * the token's trust domain in {@link #jwtBundles()}, time window by the system clock, audience. A provider with a
   * clock of its own overrides this to judge time by it.
   *
   * @return the validated token, whose claims the server returns
   * @throws JwtSvidException if the token is invalid, untrusted, expired or not for {@code audience}; the server
   *     answers any {@link io.spiffe4j.SpiffeException} with {@code INVALID_ARGUMENT} and its message, which never
   *     holds the token
   */
  default JwtSvid validateJwtSvid(String token, String audience) {
    return JwtSvidValidator.builder().bundleSource(jwtBundles()).expectAudience(audience).build().validate(token);
  }

  /** A listener's registration; {@link #close()} removes it. Idempotent. */
  @FunctionalInterface
  interface Subscription extends AutoCloseable {
    @Override
    void close();
  }
}
