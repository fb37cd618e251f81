package io.spiffe4j.workloadapi.provider;

import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeTrustManager;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactorySpi;

/** The {@code Spiffe4j} trust manager factory: one {@link SpiffeTrustManager} on the chosen bundles and authorizer. */
final class SpiffeTrustManagerFactorySpi extends TrustManagerFactorySpi {
  private volatile TrustManager[] managers;

  /**
   * The key store is not consulted: bundles come from the provider's default source and the accepted peers from the
   * configured property. The property is read first, so a missing policy fails before any connection is made.
   */
  @Override
  protected void engineInit(KeyStore keyStore) throws KeyStoreException {
    Authorizer authorizer = DefaultSource.configuredAuthorizer();
    init(DefaultSource.get(), authorizer);
  }

  @Override
  protected void engineInit(ManagerFactoryParameters parameters) throws InvalidAlgorithmParameterException {
    if (!(parameters instanceof SpiffeManagerParameters)) {
      throw new InvalidAlgorithmParameterException("the Spiffe4j trust manager factory takes"
          + " SpiffeManagerParameters, not " + (parameters == null ? "null" : parameters.getClass().getName()));
    }
    SpiffeManagerParameters spiffe = (SpiffeManagerParameters) parameters;
    if (spiffe.bundleSource().isEmpty() || spiffe.authorizer().isEmpty()) {
      throw new InvalidAlgorithmParameterException("these SpiffeManagerParameters have no bundle source and"
          + " authorizer; make them with of(...) or forTrustManager(...)");
    }
    init(spiffe.bundleSource().get(), spiffe.authorizer().get());
  }

  private void init(X509BundleSource bundles, Authorizer authorizer) {
    managers = new TrustManager[] {SpiffeTrustManager.of(bundles, authorizer)};
  }

  @Override
  protected TrustManager[] engineGetTrustManagers() {
    TrustManager[] current = managers;
    if (current == null) {
      throw new IllegalStateException("the Spiffe4j trust manager factory is not initialised");
    }
    return current.clone();
  }
}
