package io.spiffe4j.upstream.akeyless.spire;

import io.spiffe4j.authority.UpstreamAuthority;

/**
 * Makes the upstream authority a validated configuration describes; called on each {@code Configure}. The plugin
 * machinery is generic over it: the Akeyless plugin passes one that builds an Akeyless upstream, tests pass one with
 * an in-memory CA.
 */
@FunctionalInterface
interface UpstreamFactory {

  /**
   * Builds the upstream, authenticating or checking reachability where that makes a bad configuration fail here
   * rather than at the first mint.
   *
   * @throws PluginConfigException or another {@link io.spiffe4j.SpiffeException} if the configuration cannot work
   *     (the plugin answers {@code INVALID_ARGUMENT})
   * @throws io.spiffe4j.authority.UpstreamAuthorityException if the upstream refused or could not be reached (the
   *     plugin answers with the code of its kind)
   */
  UpstreamAuthority create(PluginConfig config);
}
