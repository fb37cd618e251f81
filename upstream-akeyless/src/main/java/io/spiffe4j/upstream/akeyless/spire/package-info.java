/**
 * The external SPIRE Server UpstreamAuthority plugin, generic over any {@link io.spiffe4j.authority.UpstreamAuthority}:
 * go-plugin's process protocol (handshake line, broker, controller, stdio, health), SPIRE's Init and Config services,
 * and UpstreamAuthority v1, served over plaintext gRPC on a Unix socket in a private directory. Also the strict HCL v1
 * parser for {@code plugin_data}, the typed {@code PluginConfig}, and the hclog JSON logging of the plugin process.
 *
 * <p>Not exported: the plugin is a program ({@link io.spiffe4j.upstream.akeyless.spire.PluginMain}), shipped as one
 * executable file; see the module's README for the launcher and the {@code server.conf} stanza.
 */
package io.spiffe4j.upstream.akeyless.spire;
