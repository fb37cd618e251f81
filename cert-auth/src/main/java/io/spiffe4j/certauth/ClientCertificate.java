package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;

/**
 * A client certificate chain (leaf first) and the signer for its leaf's key: everything Akeyless's certificate
 * authentication needs from the client. The key may be in this process (from a file or a {@link PrivateKey}) or
 * anywhere a {@link ChallengeSigner} reaches (PKCS#11, a KMS).
 *
 * <p>Guarantees, checked by every factory before any network call: the chain is not empty; the leaf's key is RSA,
 * or ECDSA on P-256, P-384 or P-521 (what Akeyless verifies); and the key belongs to the leaf. For a key whose
 * public parts are visible (an RSA modulus, an EC private scalar) they are compared with the leaf's public key; for a
 * signer or an opaque key handle, a random 32-byte probe is signed and the signature verified with the leaf's key,
 * which also proves that an ECDSA signer answers in DER. Nothing else is checked here: validity dates, key usages
 * and the chain's signatures are for the Gateway to judge.
 *
 * <p>{@link #certData()} is what the {@code cert-data} field of {@code /get-cert-challenge} and {@code /auth}
 * carries: base64 of the PEM certificates. Akeyless's samples send the bytes of the certificate file; this sends the
 * chain as loaded, leaf first, re-encoded as plain {@code CERTIFICATE} blocks: the certificates the file holds, and
 * never anything else the file may hold (comments, or the private key of a combined PEM file). The intermediates
 * let the Gateway build the path to the auth method's CA; to send the leaf alone, build from {@code List.of(leaf)}.
 *
 * <p>Immutable and thread-safe. {@code toString()} shows the leaf's subject, serial number and key type only.
 */
public final class ClientCertificate {
  private final List<X509Certificate> chain;
  private final ChallengeSigner signer;
  private final String keyType;
  private final String certData;

  private ClientCertificate(List<X509Certificate> chain, ChallengeSigner signer, String keyType) {
    this.chain = chain;
    this.signer = signer;
    this.keyType = keyType;
    this.certData = Base64.getEncoder().encodeToString(
        Certificates.toPem(chain).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The certificate chain in {@code certificateFile} (PEM or DER, leaf first) and the unencrypted private key in
   * {@code keyFile} (any format {@link PrivateKeys} reads). Both may name the same combined PEM file.
   *
   * @throws CertAuthException if a file cannot be read or parsed, or as {@link #of(List, PrivateKey)}
   */
  public static ClientCertificate fromFiles(Path certificateFile, Path keyFile) {
    return fromFiles(certificateFile, keyFile, null);
  }

  /**
   * As {@link #fromFiles(Path, Path)}, decrypting the key with {@code keyPassword} if it is encrypted. The password
   * array is not kept; the caller may clear it once this returns.
   *
   * @param keyPassword the key's password, or null for an unencrypted key
   * @throws CertAuthException if a file cannot be read or parsed, the key cannot be decrypted, or as
   *     {@link #of(List, PrivateKey)}
   */
  public static ClientCertificate fromFiles(Path certificateFile, Path keyFile, char[] keyPassword) {
    Objects.requireNonNull(certificateFile, "certificateFile");
    Objects.requireNonNull(keyFile, "keyFile");
    return of(Certificates.load(certificateFile), PrivateKeys.load(keyFile, keyPassword));
  }

  /**
   * A chain (leaf first) and the private key of its leaf: a key in this process, or a handle to one in a PKCS#11
   * token or another JCA provider (see {@link ChallengeSigner}).
   *
   * @throws CertAuthException of kind {@code MALFORMED} if the chain is empty, {@code UNSUPPORTED_ALGORITHM} if the
   *     leaf's key or {@code key} is neither RSA nor ECDSA on P-256/P-384/P-521, {@code KEY_MISMATCH} if the key
   *     does not belong to the leaf, or {@code SIGNING_FAILED} if an opaque key handle cannot sign the probe
   */
  public static ClientCertificate of(List<X509Certificate> chain, PrivateKey key) {
    Objects.requireNonNull(key, "key");
    List<X509Certificate> certificates = copy(chain);
    LeafKey leaf = LeafKey.of(certificates.get(0));
    ChallengeSigner signer = ChallengeSigner.ofKey(key);
    leaf.requireMatch(key, signer, certificates);
    return new ClientCertificate(certificates, signer, leaf.description());
  }

  /**
   * A chain (leaf first) and a signer that holds its leaf's key somewhere else (a KMS, an HSM). The signer is asked
   * once, now, to sign a random probe, and its answer is verified with the leaf's public key. Later, anything the
   * signer throws and an empty answer surface as {@link CertAuthException}s of kind {@code SIGNING_FAILED}.
   *
   * @throws CertAuthException of kind {@code MALFORMED} if the chain is empty, {@code UNSUPPORTED_ALGORITHM} if the
   *     leaf's key is neither RSA nor ECDSA on P-256/P-384/P-521, {@code KEY_MISMATCH} if the probe's signature does
   *     not verify, or {@code SIGNING_FAILED} if the signer fails
   */
  public static ClientCertificate of(List<X509Certificate> chain, ChallengeSigner signer) {
    Objects.requireNonNull(signer, "signer");
    List<X509Certificate> certificates = copy(chain);
    LeafKey leaf = LeafKey.of(certificates.get(0));
    ChallengeSigner guarded = ExternalSigner.guard(signer);
    leaf.requireProbeVerifies(guarded);
    return new ClientCertificate(certificates, guarded, leaf.description());
  }

  private static List<X509Certificate> copy(List<X509Certificate> chain) {
    Objects.requireNonNull(chain, "chain");
    List<X509Certificate> copy = List.copyOf(chain);
    if (copy.isEmpty()) {
      throw new CertAuthException(Kind.MALFORMED, "the certificate chain is empty");
    }
    return copy;
  }

  /** The chain as given, leaf first. */
  public List<X509Certificate> chain() {
    return chain;
  }

  public X509Certificate leaf() {
    return chain.get(0);
  }

  /** The signer for the leaf's key. */
  public ChallengeSigner signer() {
    return signer;
  }

  /** The {@code cert-data} value: standard base64 of the chain as PEM {@code CERTIFICATE} blocks, leaf first. */
  public String certData() {
    return certData;
  }

  /**
   * Signs an Akeyless challenge: see {@link ChallengeSigner#signBase64}.
   *
   * @return the {@code signed-cert-challenge} value (standard base64)
   * @throws CertAuthException of kind {@code INVALID_CHALLENGE} or {@code SIGNING_FAILED}
   */
  public String signChallenge(String base64Challenge) {
    return signer.signBase64(base64Challenge);
  }

  @Override
  public String toString() {
    return "ClientCertificate[subject=" + leaf().getSubjectX500Principal().getName(X500Principal.RFC2253)
        + ", serial=" + leaf().getSerialNumber().toString(16) + ", key=" + keyType + "]";
  }
}
