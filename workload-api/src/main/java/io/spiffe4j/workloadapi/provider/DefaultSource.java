package io.spiffe4j.workloadapi.provider;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.workloadapi.X509Source;
import java.security.KeyStoreException;
import java.security.Security;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The provider's one process-wide default: an {@link X509Source} on {@code SPIFFE_ENDPOINT_SOCKET}, made on first use,
 * and the accepted peer IDs configured by {@value #ACCEPT_PROPERTY}. Thread-safe: one lock guards creation, so
 * concurrent first uses share one source; a failed creation is not remembered, the next use tries again.
 */
final class DefaultSource {
  static final String ENDPOINT_SOCKET_ENV = "SPIFFE_ENDPOINT_SOCKET";
  static final String ACCEPT_PROPERTY = "spiffe4j.ssl.accept";
  static final Duration INIT_TIMEOUT = Duration.ofSeconds(30);
  private static final Pattern SEPARATORS = Pattern.compile("[\\s,]+");

  private static final Object LOCK = new Object();
  /** Guarded by LOCK. Replaceable so tests can point the default at a fake endpoint. */
  private static Function<String, String> environment = System::getenv;
  /** Guarded by LOCK. */
  private static Function<String, String> properties = DefaultSource::systemOrSecurityProperty;
  /** Guarded by LOCK. */
  private static X509Source source;

  private DefaultSource() {
  }

  /**
   * The default source, created on the first call: blocks up to {@link #INIT_TIMEOUT} for the first SVID.
   *
   * @throws KeyStoreException if {@code SPIFFE_ENDPOINT_SOCKET} is unset, or the source could not start
   */
  static X509Source get() throws KeyStoreException {
    synchronized (LOCK) {
      if (source == null) {
        source = create(environment.apply(ENDPOINT_SOCKET_ENV));
      }
      return source;
    }
  }

  private static X509Source create(String address) throws KeyStoreException {
    if (address == null || address.isEmpty()) {
      throw new KeyStoreException("the Spiffe4j provider's default X509Source needs " + ENDPOINT_SOCKET_ENV
          + " to name the Workload API endpoint; set it, or initialise the factory with SpiffeManagerParameters");
    }
    try {
      return X509Source.builder().address(address).initTimeout(INIT_TIMEOUT).build();
    } catch (SpiffeException e) {
      throw new KeyStoreException("the Spiffe4j provider's default X509Source on " + ENDPOINT_SOCKET_ENV + "="
          + address + " could not start: " + e.getMessage(), e);
    }
  }

  /**
   * The authorizer configured by {@value #ACCEPT_PROPERTY}: the peers with one of the listed SPIFFE IDs.
   *
   * @throws KeyStoreException if the property is unset, empty or lists an invalid SPIFFE ID
   */
  static Authorizer configuredAuthorizer() throws KeyStoreException {
    String value;
    synchronized (LOCK) {
      value = properties.apply(ACCEPT_PROPERTY);
    }
    List<SpiffeId> accepted = new ArrayList<>();
    for (String id : value == null ? new String[0] : SEPARATORS.split(value.trim())) {
      if (id.isEmpty()) {
        continue;
      }
      try {
        accepted.add(SpiffeId.parse(id));
      } catch (SpiffeException e) {
        throw new KeyStoreException(ACCEPT_PROPERTY + " lists an invalid SPIFFE ID: " + e.getMessage(), e);
      }
    }
    if (accepted.isEmpty()) {
      throw new KeyStoreException("the Spiffe4j trust manager factory has no authorizer: set the system or security"
          + " property " + ACCEPT_PROPERTY + " to the accepted peer SPIFFE IDs (comma-separated), or initialise it"
          + " with SpiffeManagerParameters; it never accepts every peer by default");
    }
    return Authorizer.oneOf(accepted);
  }

  /** Closes the default source, if one was made; the next use makes a new one. */
  static void shutdown() {
    X509Source closing;
    synchronized (LOCK) {
      closing = source;
      source = null;
    }
    if (closing != null) {
      closing.close();
    }
  }

  /** For tests: where {@code SPIFFE_ENDPOINT_SOCKET} and the properties are read from. */
  static void configure(Function<String, String> environment, Function<String, String> properties) {
    synchronized (LOCK) {
      DefaultSource.environment = Objects.requireNonNull(environment, "environment");
      DefaultSource.properties = Objects.requireNonNull(properties, "properties");
    }
  }

  /** For tests: back to the process environment and properties. */
  static void reset() {
    configure(System::getenv, DefaultSource::systemOrSecurityProperty);
  }

  private static String systemOrSecurityProperty(String name) {
    String value = System.getProperty(name);
    return value != null ? value : Security.getProperty(name);
  }
}
