package io.spiffe4j.svid.x509;

import io.spiffe4j.id.SpiffeId;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * An X509-SVID: a certificate chain (leaf first, then any intermediates) whose leaf carries exactly one SPIFFE ID,
 * and the private key matching the leaf.
 *
 * <p>Guarantees, checked on every construction: the chain is non-empty and has no null element; the leaf has exactly
 * one URI SAN (two identical URIs count as two), a valid SPIFFE ID with a non-root path (X509-01/02/04, SID-xx); the
 * leaf is not a CA, has digitalSignature and neither keyCertSign nor cRLSign (X509-09/13); every intermediate is a CA
 * with keyCertSign (X509-12); the key is RSA of at least 2048 bits, EC P-256/P-384 or Ed25519, and the private key is
 * the leaf public key's pair (compared exactly on the public parts; see {@link #of}). Parsing does not check
 * signatures or validity: use {@link X509SvidVerifier} for a chain presented by a peer.
 *
 * <p>Immutable and thread-safe. {@code toString()} shows the ID and expiry, never the key.
 */
public final class X509Svid implements X509SvidSource {
  private final SpiffeId id;
  private final List<X509Certificate> chain;
  private final PrivateKey privateKey;
  private final String hint;

  private X509Svid(SpiffeId id, List<X509Certificate> chain, PrivateKey privateKey, String hint) {
    this.id = id;
    this.chain = chain;
    this.privateKey = privateKey;
    this.hint = hint;
  }

  /**
   * Parses PEM or DER certificates (leaf first) and a PEM or DER private key (PKCS#8; RSA, EC P-256/P-384, Ed25519).
   * PEM keys may also be the legacy {@code EC PRIVATE KEY} (SEC 1) or {@code RSA PRIVATE KEY} (PKCS#1); encrypted
   * keys are refused. PEM certificate input may contain the key block too, so one combined file can be passed twice.
   *
   * @throws X509SvidException if anything is malformed or the key does not match the leaf
   */
  public static X509Svid parse(byte[] certificates, byte[] privateKey) {
    Objects.requireNonNull(certificates, "certificates");
    Objects.requireNonNull(privateKey, "privateKey");
    return of(X509Encoding.certificates(certificates, null), X509Encoding.privateKey(privateKey, null));
  }

  /** As {@link #parse(byte[], byte[])} from PEM text. */
  public static X509Svid parse(String certificatesPem, String privateKeyPem) {
    Objects.requireNonNull(certificatesPem, "certificatesPem");
    Objects.requireNonNull(privateKeyPem, "privateKeyPem");
    return parse(certificatesPem.getBytes(StandardCharsets.UTF_8), privateKeyPem.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Parses the Workload API form: concatenated DER certificates, leaf first, and an unencrypted PKCS#8 DER key
   * (X509-21).
   *
   * @throws X509SvidException if anything is malformed or the key does not match the leaf
   */
  public static X509Svid parseRaw(byte[] chainDer, byte[] pkcs8Der) {
    Objects.requireNonNull(chainDer, "chainDer");
    Objects.requireNonNull(pkcs8Der, "pkcs8Der");
    return of(X509Encoding.derCertificates(chainDer, "X509-21"), X509Encoding.pkcs8PrivateKey(pkcs8Der, "X509-21"));
  }

  /**
   * An SVID from an already parsed chain and key, with the same checks as {@link #parse}. The key check compares
   * public parts exactly (RSA modulus and exponent, EC d·G, the Ed25519 public key derived from the seed); only a key
   * that hides its material, such as a hardware-backed one, is checked by signing and verifying a random message.
   *
   * @throws X509SvidException if a check fails
   */
  public static X509Svid of(List<X509Certificate> chain, PrivateKey privateKey) {
    Objects.requireNonNull(chain, "chain");
    Objects.requireNonNull(privateKey, "privateKey");
    if (chain.isEmpty()) {
      throw new X509SvidException("certificate chain is empty", "X509-01");
    }
    for (int i = 0; i < chain.size(); i++) {
      if (chain.get(i) == null) {
        throw new X509SvidException("certificate chain has a null element at index " + i, null);
      }
    }
    List<X509Certificate> copy = List.copyOf(chain);
    SpiffeId id = LeafRules.check(copy.get(0), true);
    for (int i = 1; i < copy.size(); i++) {
      checkIntermediate(copy.get(i), i);
    }
    KeyPairCheck.check(copy.get(0).getPublicKey(), privateKey);
    return new X509Svid(id, copy, privateKey, "");
  }

  private static void checkIntermediate(X509Certificate certificate, int index) {
    if (certificate.getBasicConstraints() < 0) {
      throw new X509SvidException("intermediate certificate " + index + " is not a CA", "X509-12");
    }
    if (!LeafRules.bit(certificate.getKeyUsage(), LeafRules.KEY_CERT_SIGN)) {
      throw new X509SvidException("intermediate certificate " + index + " lacks the keyCertSign key usage", "X509-12");
    }
  }

  /**
   * This SVID with an operator hint, as delivered beside it by the Workload API (WAPI-08/15). The hint is free text
   * that tells SVIDs apart (for example {@code internal}); empty means none.
   */
  public X509Svid withHint(String hint) {
    return new X509Svid(id, chain, privateKey, Objects.requireNonNull(hint, "hint"));
  }

  public SpiffeId id() {
    return id;
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The chain, leaf first; an unmodifiable list. */
  public List<X509Certificate> chain() {
    return chain;
  }

  public PrivateKey privateKey() {
    return privateKey;
  }

  /** The operator hint; empty when none was given. */
  public String hint() {
    return hint;
  }

  /** The leaf's notAfter. */
  public Instant expiresAt() {
    return leaf().getNotAfter().toInstant();
  }

  /** The chain as PEM, leaf first. */
  public byte[] marshalChainPem() {
    return X509Encoding.chainPem(chain);
  }

  /**
   * The private key as PKCS#8 PEM.
   *
   * @throws X509SvidException if the key does not export its encoding (for example a hardware-backed key)
   */
  public byte[] marshalKeyPem() {
    return X509Encoding.keyPem(privateKey);
  }

  /** Itself: a static SVID is its own source. */
  @Override
  public X509Svid x509Svid() {
    return this;
  }

  @Override
  public String toString() {
    return "X509Svid{id=" + id + ", expiresAt=" + expiresAt() + ", chainLength=" + chain.size()
        + (hint.isEmpty() ? "" : ", hint=" + hint) + "}";
  }
}
