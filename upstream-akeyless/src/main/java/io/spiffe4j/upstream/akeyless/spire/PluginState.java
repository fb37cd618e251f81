package io.spiffe4j.upstream.akeyless.spire;

import io.spiffe4j.authority.UpstreamAuthority;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugin's configuration and the upstream built from it, swapped as one: SPIRE may call {@code Configure} again
 * (a changed {@code plugin_data_file} and SIGUSR1) while mints run. Thread-safe.
 */
final class PluginState implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PluginState.class);

  /** A configuration and the upstream made from it. */
  static final class Configured {
    private final PluginConfig config;
    private final UpstreamAuthority upstream;

    Configured(PluginConfig config, UpstreamAuthority upstream) {
      this.config = config;
      this.upstream = upstream;
    }

    PluginConfig config() {
      return config;
    }

    UpstreamAuthority upstream() {
      return upstream;
    }
  }

  private final UpstreamFactory factory;
  private final Map<String, String> environment;
  private final AtomicReference<Configured> current = new AtomicReference<>();

  PluginState(UpstreamFactory factory, Map<String, String> environment) {
    this.factory = Objects.requireNonNull(factory, "factory");
    this.environment = Map.copyOf(environment);
  }

  /**
   * Parses, validates and builds the upstream; replaces (and closes) the previous one only once the new one exists,
   * so a bad reconfiguration leaves the plugin working as before.
   *
   * @return the configuration now in force
   * @throws PluginConfigException for a bad configuration; whatever the factory throws
   */
  PluginConfig configure(String hclConfiguration, String trustDomain) {
    PluginConfig config = PluginConfig.parse(hclConfiguration, trustDomain, environment);
    UpstreamAuthority upstream = Objects.requireNonNull(factory.create(config), "the factory returned null");
    closeQuietly(current.getAndSet(new Configured(config, upstream)));
    return config;
  }

  /** Parses and validates without building anything. */
  PluginConfig validate(String hclConfiguration, String trustDomain) {
    return PluginConfig.parse(hclConfiguration, trustDomain, environment);
  }

  /** The current configuration and upstream; null before the first successful {@code Configure}. */
  Configured current() {
    return current.get();
  }

  /** Drops and closes the upstream ({@code Deinit}, shutdown). Idempotent. */
  @Override
  public void close() {
    closeQuietly(current.getAndSet(null));
  }

  private static void closeQuietly(Configured configured) {
    if (configured == null) {
      return;
    }
    try {
      configured.upstream().close();
    } catch (RuntimeException e) {
      LOG.warn("closing the previous upstream authority failed", e);
    }
  }
}
