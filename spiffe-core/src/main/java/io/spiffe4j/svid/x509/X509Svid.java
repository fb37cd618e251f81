package io.spiffe4j.svid.x509;

import io.spiffe4j.id.SpiffeId;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;

/**
 * An X509-SVID: a certificate chain (leaf first, then any intermediates) whose leaf carries exactly one SPIFFE ID,
 * and the private key matching the leaf.
 *
 * <p>Guarantees, checked on every construction: the chain is non-empty; the leaf has exactly one URI SAN, a valid
 * SPIFFE ID with a non-root path (X509-01/02/04); the leaf is not a CA, has digitalSignature and neither keyCertSign
 * nor cRLSign (X509-09/13); every intermediate is a CA with keyCertSign; the private key matches the leaf's public
 * key. Parsing does not check signatures or validity: use {@link X509SvidVerifier} for a chain presented by a peer.
 *
 * <p>Immutable and thread-safe. {@code toString()} never shows the private key.
 */
public final class X509Svid implements X509SvidSource {
  private X509Svid() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /**
   * Parses PEM or DER certificates (leaf first) and a PEM or DER private key (PKCS#8; RSA, EC P-256/P-384, Ed25519).
   *
   * @throws X509SvidException if anything is malformed or the key does not match the leaf
   */
  public static X509Svid parse(byte[] certificates, byte[] privateKey) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /**
   * Parses the Workload API form: concatenated DER certificates, leaf first, and an unencrypted PKCS#8 DER key
   * (X509-21).
   *
   * @throws X509SvidException if anything is malformed or the key does not match the leaf
   */
  public static X509Svid parseRaw(byte[] chainDer, byte[] pkcs8Der) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /**
   * An SVID from an already parsed chain and key, with the same checks as {@link #parse}.
   *
   * @throws X509SvidException if a check fails
   */
  public static X509Svid of(List<X509Certificate> chain, PrivateKey privateKey) {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public SpiffeId id() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public X509Certificate leaf() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The chain, leaf first; an unmodifiable list. */
  public List<X509Certificate> chain() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  public PrivateKey privateKey() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The leaf's notAfter. */
  public Instant expiresAt() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The chain as PEM, leaf first. */
  public byte[] marshalChainPem() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** The private key as PKCS#8 PEM. */
  public byte[] marshalKeyPem() {
    throw new UnsupportedOperationException("not implemented yet");
  }

  /** Itself: a static SVID is its own source. */
  @Override
  public X509Svid x509Svid() {
    return this;
  }
}
