package io.spiffe4j.workloadapi.provider;

import java.security.Provider;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * A JCA security provider named {@value #NAME} that registers a {@code KeyManagerFactory} and a
 * {@code TrustManagerFactory} of algorithm {@value #ALGORITHM}, so frameworks configured only by algorithm name
 * (a server's {@code keyManagerAlgorithm}, {@code ssl.KeyManagerFactory.algorithm}) can do SPIFFE mutual TLS. Their
 * managers are spiffe-core's {@link io.spiffe4j.tls.SpiffeKeyManager} and {@link io.spiffe4j.tls.SpiffeTrustManager}
 * on a live source, so an SVID or bundle rotation takes effect on the next handshake.
 *
 * <h2>Recommended: explicit parameters</h2>
 * Initialise the factories with {@link SpiffeManagerParameters}, naming the source and the authorizer:
 * <pre>{@code
 * KeyManagerFactory keys = KeyManagerFactory.getInstance("Spiffe4j", SpiffeProvider.get());
 * keys.init(SpiffeManagerParameters.of(source, authorizer));
 * }</pre>
 *
 * <h2>The one global default</h2>
 * A factory initialised with a {@code KeyStore} (as frameworks do; the key store and password are ignored) uses the
 * provider's only process-wide state: an {@link io.spiffe4j.workloadapi.X509Source} on the Workload API endpoint in
 * the environment variable {@code SPIFFE_ENDPOINT_SOCKET}. It is created on the first such initialisation, once
 * for all threads, and that call blocks until the endpoint sends a usable SVID, at most {@link #DEFAULT_INIT_TIMEOUT}
 * (30 s); if the variable is unset or the source cannot start, {@code init} throws a {@code KeyStoreException}
 * saying why, and the next {@code init} tries again. {@link #shutdown()} closes it.
 *
 * <p>The default trust manager factory authorizes peers by the system property, or else security property (in
 * {@code java.security}), {@value #ACCEPT_PROPERTY}: the accepted peer SPIFFE IDs, separated by commas or white
 * space, for example {@code -Dspiffe4j.ssl.accept=spiffe://example.org/web,spiffe://example.org/db}. There is no
 * accept-everyone default: if the property is unset or empty its {@code init} throws a {@code KeyStoreException}
 * before any source is made, and an invalid ID fails the same way.
 *
 * <p>No {@code SSLContext} is registered: build contexts with {@link io.spiffe4j.tls.SpiffeSslContextBuilder}, or
 * from these factories' managers with the JDK's {@code SSLContext.getInstance("TLSv1.3")}.
 *
 * <p>Thread-safe; the provider holds no state besides the default source.
 */
public final class SpiffeProvider extends Provider {
  private static final long serialVersionUID = 1L;

  /** The provider's name. */
  public static final String NAME = "Spiffe4j";
  /** The algorithm name of its key and trust manager factories. */
  public static final String ALGORITHM = "Spiffe4j";
  /** The system or security property listing the SPIFFE IDs the default trust manager factory accepts. */
  public static final String ACCEPT_PROPERTY = DefaultSource.ACCEPT_PROPERTY;
  /** How long the first default initialisation waits for the Workload API's first SVID. */
  public static final Duration DEFAULT_INIT_TIMEOUT = DefaultSource.INIT_TIMEOUT;

  private static final SpiffeProvider INSTANCE = new SpiffeProvider();

  /**
   * A provider instance; for {@code security.provider.N=io.spiffe4j.workloadapi.provider.SpiffeProvider} in
   * {@code java.security} and for {@link java.util.ServiceLoader}. Instances are interchangeable: the default source
   * is shared by all. Code should use {@link #get()}.
   */
  public SpiffeProvider() {
    super(NAME, "0.1", "spiffe4j SPIFFE key and trust manager factories on the Workload API");
    putService(new FactoryService(this, "KeyManagerFactory", SpiffeKeyManagerFactorySpi.class,
        SpiffeKeyManagerFactorySpi::new));
    putService(new FactoryService(this, "TrustManagerFactory", SpiffeTrustManagerFactorySpi.class,
        SpiffeTrustManagerFactorySpi::new));
  }

  /** The provider instance, for {@code getInstance(ALGORITHM, SpiffeProvider.get())} without installing it. */
  public static SpiffeProvider get() {
    return INSTANCE;
  }

  /**
   * Adds the provider at the end of the JVM's provider list, unless a provider named {@value #NAME} is already
   * installed; so it never displaces the JDK's own providers. Idempotent.
   *
   * @return true if this call installed it
   */
  public static boolean install() {
    synchronized (SpiffeProvider.class) {
      return Security.getProvider(NAME) == null && Security.addProvider(INSTANCE) != -1;
    }
  }

  /**
   * Closes the default source if one was created; managers made from it then fail their handshakes. A later
   * default initialisation creates a new source. Explicit {@link SpiffeManagerParameters} sources are not touched.
   */
  public static void shutdown() {
    DefaultSource.shutdown();
  }

  /** Instantiates the factory SPI directly: no reflection, so nothing needs to be opened to java.base. */
  private static final class FactoryService extends Service {
    private final Supplier<Object> factory;

    FactoryService(Provider provider, String type, Class<?> implementation, Supplier<Object> factory) {
      super(provider, type, ALGORITHM, implementation.getName(), List.of(), Map.of());
      this.factory = factory;
    }

    @Override
    public Object newInstance(Object constructorParameter) {
      return factory.get();
    }
  }
}
