package io.spiffe4j.bundle;

import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Pem;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;

/**
 * The X.509 authorities (CA certificates) of one trust domain: the roots an X509-SVID of that trust domain must
 * chain to. The binding to the trust domain is part of the value, because a bundle does not name its trust domain
 * (BUN-01).
 *
 * <p>Immutable and thread-safe. Authorities keep their first-seen order; duplicates are dropped. An empty bundle is
 * allowed and trusts nothing (BUN-06). Two bundles are equal when they have the same trust domain and the same
 * authorities (by DER encoding) in the same order, so {@code parseDer(td, b.marshalDer())} equals {@code b}.
 *
 * <p><b>Formats.</b> {@link #parsePem} reads one or more {@code CERTIFICATE} blocks (text outside blocks is ignored,
 * any other block type is an error); {@link #parseDer} reads DER certificates concatenated with nothing between them,
 * the Workload API form (X509-21); {@link #parse} tells the two apart by content. Every malformed input ends in a
 * {@link BundleException}, never in a JDK parser exception.
 *
 * <p><b>Empty input.</b> Zero bytes parse, in every format, to an empty bundle: that is what {@link #marshalPem} and
 * {@link #marshalDer} write for an empty bundle, what go-spiffe's {@code x509bundle.Parse}/{@code ParseRaw} return,
 * and a trust domain without X.509 authorities is delivered that way by the Workload API; an empty bundle trusts
 * nothing (BUN-06), so accepting it cannot widen trust. Non-empty PEM text without any block is an error
 * ({@code no PEM blocks}, as in go-spiffe): it is almost always the wrong file. A bundle <em>file</em> read with
 * {@link Bundles#parseAny} must not be empty.
 */
public final class X509Bundle implements X509BundleSource {
  private final TrustDomain trustDomain;
  private final List<X509Certificate> authorities;

  private X509Bundle(TrustDomain trustDomain, List<X509Certificate> authorities) {
    this.trustDomain = trustDomain;
    this.authorities = authorities;
  }

  /** A bundle of the given authorities for the trust domain. */
  public static X509Bundle of(TrustDomain trustDomain, Collection<X509Certificate> authorities) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(authorities, "authorities");
    List<X509Certificate> unique = new ArrayList<>(new LinkedHashSet<>(authorities));
    unique.forEach(a -> Objects.requireNonNull(a, "authority"));
    return new X509Bundle(trustDomain, List.copyOf(unique));
  }

  /**
   * Parses PEM or concatenated DER certificates, telling them apart by content: input containing a PEM
   * {@code BEGIN} line is PEM, anything else DER. Zero bytes give an empty bundle.
   *
   * @throws BundleException if the input is malformed in the format it was taken for
   */
  public static X509Bundle parse(TrustDomain trustDomain, byte[] certificates) {
    Objects.requireNonNull(certificates, "certificates");
    return Pem.looksLikePem(certificates) ? parsePem(trustDomain, certificates) : parseDer(trustDomain, certificates);
  }

  /**
   * Parses PEM text of one or more {@code CERTIFICATE} blocks; text outside blocks is ignored. Zero bytes give an
   * empty bundle.
   *
   * @throws BundleException if the text is not empty but has no block, has a block of another type (a key, a CSR,
   *     ...), a malformed block, or a block that is not exactly one DER certificate
   */
  public static X509Bundle parsePem(TrustDomain trustDomain, byte[] pem) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(pem, "pem");
    return pem.length == 0 ? of(trustDomain, List.of()) : of(trustDomain, CertificateCodec.parsePem(pem));
  }

  /**
   * Parses DER certificates concatenated with nothing between them (X509-21). Zero bytes give an empty bundle.
   *
   * @throws BundleException if a certificate is truncated, not strict DER, or not a valid X.509 certificate, or
   *     bytes follow the last one
   */
  public static X509Bundle parseDer(TrustDomain trustDomain, byte[] der) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(der, "der");
    return of(trustDomain, CertificateCodec.parseDer(der));
  }

  /** The authorities as PEM {@code CERTIFICATE} blocks, in order; zero bytes for an empty bundle. */
  public byte[] marshalPem() {
    return CertificateCodec.encodePem(authorities);
  }

  /** The authorities as concatenated DER, in order (the Workload API form); zero bytes for an empty bundle. */
  public byte[] marshalDer() {
    return CertificateCodec.encodeDer(authorities);
  }

  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The CA certificates, in first-seen order; an unmodifiable list. */
  public List<X509Certificate> x509Authorities() {
    return authorities;
  }

  public boolean isEmpty() {
    return authorities.isEmpty();
  }

  /** This bundle if it is the asked trust domain's. */
  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    if (!this.trustDomain.equals(trustDomain)) {
      throw new BundleNotFoundException("X.509", trustDomain);
    }
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof X509Bundle
        && ((X509Bundle) o).trustDomain.equals(trustDomain)
        && ((X509Bundle) o).authorities.equals(authorities);
  }

  @Override
  public int hashCode() {
    return trustDomain.hashCode() * 31 + authorities.hashCode();
  }

  @Override
  public String toString() {
    return "X509Bundle{trustDomain=" + trustDomain + ", authorities=" + authorities.size() + "}";
  }
}
