package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.TrustDomain;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * A PKI issuer living in a gateway: its name, the CA certificate it signs with and the chain up to the root, which a
 * test trusts (for example as SPIRE's upstream bundle). The CA key stays inside the gateway. Immutable and
 * thread-safe.
 */
public final class PkiIssuer {
  private final PkiIssuerSettings settings;
  private final PrivateKey signingKey;
  private final List<X509Certificate> chain;

  PkiIssuer(PkiIssuerSettings settings, PrivateKey signingKey, List<X509Certificate> chain) {
    this.settings = settings;
    this.signingKey = signingKey;
    this.chain = List.copyOf(chain);
  }

  public String name() {
    return settings.name();
  }

  /** The CA certificate that signs issued certificates. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  /** The signing CA first, then each parent, ending with the root. */
  public List<X509Certificate> chain() {
    return chain;
  }

  /** The root the chain ends in: the certificate a relying party trusts. */
  public X509Certificate rootCertificate() {
    return chain.get(chain.size() - 1);
  }

  /** {@link #rootCertificate()} as PEM. */
  public String rootPem() {
    return Encodings.pem(List.of(rootCertificate()));
  }

  /** {@link #chain()} as PEM, signing CA first: what {@code parent_cert} carries. */
  public String chainPem() {
    return Encodings.pem(chain);
  }

  /** A bundle of the trust domain holding the root, for verifying certificates this issuer signs. */
  public X509Bundle x509Bundle(TrustDomain trustDomain) {
    return X509Bundle.of(Objects.requireNonNull(trustDomain, "trustDomain"), List.of(rootCertificate()));
  }

  PkiIssuerSettings settings() {
    return settings;
  }

  PrivateKey signingKey() {
    return signingKey;
  }

  @Override
  public String toString() {
    return "PkiIssuer[" + name() + ", " + certificate().getSubjectX500Principal().getName() + "]";
  }
}
