package io.spiffe4j.certauth;

import io.spiffe4j.SpiffeException;
import java.util.Objects;

/**
 * A key, certificate or signature problem in certificate authentication: an unsupported or malformed key file, a
 * wrong password, a key that does not match its certificate, or a signer that failed. The {@linkplain #kind() kind}
 * says which. Messages name the file and the problem, never key material, PEM bodies or passwords. Immutable and
 * thread-safe.
 */
public class CertAuthException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong. */
  public enum Kind {
    /** A key or certificate file does not exist, is a directory or cannot be read. The message names the path. */
    UNREADABLE_FILE,
    /** Truncated or garbled PEM, DER, ASN.1 or OpenSSH structure, or no key/certificate where one was expected. */
    MALFORMED,
    /** A well-formed container this library does not read (for example a PuTTY or DSA key file). */
    UNSUPPORTED_FORMAT,
    /**
     * A key or certificate whose algorithm or curve cannot take part in Akeyless certificate authentication, or an
     * encryption scheme this library cannot decrypt. Akeyless verifies RSA and ECDSA (P-256, P-384, P-521) only.
     */
    UNSUPPORTED_ALGORITHM,
    /** The key is encrypted and no password was given. */
    PASSWORD_REQUIRED,
    /** The key could not be decrypted: the password is wrong, or the encrypted data is corrupted. */
    WRONG_PASSWORD,
    /** The private key or signer does not belong to the leaf certificate's public key. */
    KEY_MISMATCH,
    /** The challenge to sign is empty or not base64. */
    INVALID_CHALLENGE,
    /** The key, token, KMS or callback failed to produce a signature. */
    SIGNING_FAILED,
    /** Anything else, raised by code outside this package through the public constructors. */
    OTHER
  }

  private final Kind kind;

  /** A failure of kind {@link Kind#OTHER}. */
  public CertAuthException(String reason, Throwable cause) {
    this(Kind.OTHER, reason, cause);
  }

  /** A failure of kind {@link Kind#OTHER}. */
  public CertAuthException(String reason) {
    this(Kind.OTHER, reason, null);
  }

  public CertAuthException(Kind kind, String reason, Throwable cause) {
    super(reason, null, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public CertAuthException(Kind kind, String reason) {
    this(kind, reason, null);
  }

  public Kind kind() {
    return kind;
  }
}
