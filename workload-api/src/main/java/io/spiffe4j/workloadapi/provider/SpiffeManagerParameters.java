package io.spiffe4j.workloadapi.provider;

import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.svid.x509.X509SvidSource;
import io.spiffe4j.tls.Authorizer;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.ManagerFactoryParameters;

/**
 * The sources and authorizer for the {@code Spiffe4j} key and trust manager factories of {@link SpiffeProvider}:
 * the recommended way to use them, since it names exactly which source and which peers a factory's managers use,
 * instead of the provider's process-wide default source and configured accepted IDs.
 *
 * <pre>{@code
 * X509Source source = X509Source.create();
 * SpiffeManagerParameters parameters = SpiffeManagerParameters.of(source, Authorizer.memberOf(trustDomain));
 * KeyManagerFactory keys = KeyManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
 * keys.init(parameters);
 * TrustManagerFactory trust = TrustManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
 * trust.init(parameters);
 * }</pre>
 *
 * <p>A key manager factory needs an SVID source, a trust manager factory a bundle source and an authorizer; there is
 * no accept-everyone default ({@link Authorizer#any()} must be chosen explicitly). The sources are used as given:
 * the caller keeps owning (and closes) them. Immutable and thread-safe.
 */
public final class SpiffeManagerParameters implements ManagerFactoryParameters {
  private final X509SvidSource svidSource;
  private final X509BundleSource bundleSource;
  private final Authorizer authorizer;

  private SpiffeManagerParameters(X509SvidSource svidSource, X509BundleSource bundleSource, Authorizer authorizer) {
    this.svidSource = svidSource;
    this.bundleSource = bundleSource;
    this.authorizer = authorizer;
  }

  /** Parameters for both factories: the SVID and bundles of {@code source}, peers allowed by {@code authorizer}. */
  public static <S extends X509SvidSource & X509BundleSource> SpiffeManagerParameters of(S source,
      Authorizer authorizer) {
    Objects.requireNonNull(source, "source");
    return new SpiffeManagerParameters(source, source, Objects.requireNonNull(authorizer, "authorizer"));
  }

  /** Parameters for a key manager factory only: its managers present the current SVID of {@code svidSource}. */
  public static SpiffeManagerParameters forKeyManager(X509SvidSource svidSource) {
    return new SpiffeManagerParameters(Objects.requireNonNull(svidSource, "svidSource"), null, null);
  }

  /**
   * Parameters for a trust manager factory only: its managers verify peers against {@code bundleSource} and allow
   * those {@code authorizer} allows.
   */
  public static SpiffeManagerParameters forTrustManager(X509BundleSource bundleSource, Authorizer authorizer) {
    return new SpiffeManagerParameters(null, Objects.requireNonNull(bundleSource, "bundleSource"),
        Objects.requireNonNull(authorizer, "authorizer"));
  }

  /** The SVID source, absent in parameters made by {@link #forTrustManager}. */
  public Optional<X509SvidSource> svidSource() {
    return Optional.ofNullable(svidSource);
  }

  /** The bundle source, absent in parameters made by {@link #forKeyManager}. */
  public Optional<X509BundleSource> bundleSource() {
    return Optional.ofNullable(bundleSource);
  }

  /** The authorizer, absent in parameters made by {@link #forKeyManager}. */
  public Optional<Authorizer> authorizer() {
    return Optional.ofNullable(authorizer);
  }

  @Override
  public String toString() {
    return "SpiffeManagerParameters{svidSource=" + svidSource + ", bundleSource=" + bundleSource + ", authorizer="
        + authorizer + "}";
  }
}
