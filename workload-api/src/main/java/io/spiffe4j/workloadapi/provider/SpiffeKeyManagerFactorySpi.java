package io.spiffe4j.workloadapi.provider;

import io.spiffe4j.svid.x509.X509SvidSource;
import io.spiffe4j.tls.SpiffeKeyManager;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;

/** The {@code Spiffe4j} key manager factory: one {@link SpiffeKeyManager} on the chosen SVID source. */
final class SpiffeKeyManagerFactorySpi extends KeyManagerFactorySpi {
  private volatile KeyManager[] managers;

  /** The key store and password are not consulted: the SVID comes from the provider's default source. */
  @Override
  protected void engineInit(KeyStore keyStore, char[] password) throws KeyStoreException {
    init(DefaultSource.get());
  }

  @Override
  protected void engineInit(ManagerFactoryParameters parameters) throws InvalidAlgorithmParameterException {
    if (!(parameters instanceof SpiffeManagerParameters)) {
      throw new InvalidAlgorithmParameterException("the Spiffe4j key manager factory takes SpiffeManagerParameters,"
          + " not " + (parameters == null ? "null" : parameters.getClass().getName()));
    }
    init(((SpiffeManagerParameters) parameters).svidSource().orElseThrow(() -> new InvalidAlgorithmParameterException(
        "these SpiffeManagerParameters have no SVID source; make them with of(...) or forKeyManager(...)")));
  }

  private void init(X509SvidSource source) {
    managers = new KeyManager[] {SpiffeKeyManager.of(source)};
  }

  @Override
  protected KeyManager[] engineGetKeyManagers() {
    KeyManager[] current = managers;
    if (current == null) {
      throw new IllegalStateException("the Spiffe4j key manager factory is not initialised");
    }
    return current.clone();
  }
}
