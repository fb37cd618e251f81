package io.spiffe4j.upstream.akeyless.spire;

import io.spiffe4j.SpiffeException;

/**
 * The plugin's configuration ({@code plugin_data} and the trust domain SPIRE passes) is unusable: a syntax error, an
 * unknown key, a missing or misplaced key, a wrong type. The plugin answers {@code INVALID_ARGUMENT} with this message,
 * which SPIRE logs; it names keys and positions, never a value. Immutable and thread-safe.
 */
final class PluginConfigException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  PluginConfigException(String reason) {
    super(reason, null, null);
  }

  PluginConfigException(String reason, Throwable cause) {
    super(reason, null, cause);
  }
}
