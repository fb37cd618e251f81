package io.spiffe4j.certauth;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.Arrays;
import java.util.Objects;

/**
 * Loads a private key from a file or from PEM text, in any format OpenSSL and OpenSSH write by default:
 *
 * <ul>
 *   <li>PEM {@code PRIVATE KEY} (PKCS#8), {@code RSA PRIVATE KEY} (PKCS#1), {@code EC PRIVATE KEY} (SEC1, also
 *       after an {@code EC PARAMETERS} block as {@code openssl ecparam -genkey} writes it);
 *   <li>PEM {@code OPENSSH PRIVATE KEY} ({@code openssh-key-v1}, {@code ssh-keygen}'s default): RSA, ECDSA and
 *       Ed25519, unencrypted or encrypted with a passphrase ({@code bcrypt} KDF);
 *   <li>PEM {@code ENCRYPTED PRIVATE KEY} (PKCS#8: PBES2 with PBKDF2 or scrypt and AES or 3DES, as
 *       {@code openssl pkcs8 -topk8} writes it, or the PKCS#12 PBE schemes such as OpenSSL 1.0's
 *       {@code PBE-SHA1-3DES}), and OpenSSL's legacy encrypted PEM ({@code Proc-Type: 4,ENCRYPTED}), both with a
 *       password;
 *   <li>DER: PKCS#8, encrypted PKCS#8, PKCS#1 or SEC1.
 * </ul>
 *
 * <p>Admitted algorithms: RSA, ECDSA on the named curves P-256, P-384 and P-521, and Ed25519. Ed25519 keys load, but
 * cannot sign Akeyless challenges ({@link ChallengeSigner#ofKey} refuses them): Akeyless verifies RSA and ECDSA only.
 * Text outside PEM blocks and certificate blocks next to the key are ignored; more than one key is an error.
 *
 * <p>Every failure is a {@link CertAuthException} whose {@linkplain CertAuthException#kind() kind} says what went
 * wrong ({@code UNREADABLE_FILE}, {@code MALFORMED}, {@code UNSUPPORTED_FORMAT}, {@code UNSUPPORTED_ALGORITHM},
 * {@code PASSWORD_REQUIRED}, {@code WRONG_PASSWORD}); messages name the file, never the key or the password.
 * Buffers this class creates for key bytes and passwords are zeroed after use; the caller's password array is left
 * as it is, for the caller to clear. A password given for an unencrypted key is ignored, as OpenSSL does.
 *
 * <p>Stateless and thread-safe.
 */
public final class PrivateKeys {
  private static final String TEXT_SOURCE = "private key";

  private PrivateKeys() {}

  /**
   * The unencrypted private key in a PEM or DER file.
   *
   * @throws CertAuthException if the file cannot be read, holds no usable key, or the key is encrypted
   */
  public static PrivateKey load(Path keyFile) {
    return load(keyFile, null);
  }

  /**
   * The private key in a PEM or DER file, decrypted with {@code password} if it is encrypted.
   *
   * @param password the key's password, or null for an unencrypted key
   * @throws CertAuthException if the file cannot be read, holds no usable key, or cannot be decrypted
   */
  public static PrivateKey load(Path keyFile, char[] password) {
    Objects.requireNonNull(keyFile, "keyFile");
    byte[] data = InputFiles.read(keyFile, "key file");
    try {
      return KeyDecoder.decode(data, password, "key file " + keyFile);
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  /**
   * The unencrypted private key in PEM text.
   *
   * @throws CertAuthException if the text holds no usable key, or the key is encrypted
   */
  public static PrivateKey parse(String pem) {
    return parse(pem, null);
  }

  /**
   * The private key in PEM text, decrypted with {@code password} if it is encrypted.
   *
   * @param password the key's password, or null for an unencrypted key
   * @throws CertAuthException if the text holds no usable key, or it cannot be decrypted
   */
  public static PrivateKey parse(String pem, char[] password) {
    Objects.requireNonNull(pem, "pem");
    byte[] data = pem.getBytes(StandardCharsets.ISO_8859_1);
    try {
      return KeyDecoder.decode(data, password, TEXT_SOURCE);
    } finally {
      Arrays.fill(data, (byte) 0);
    }
  }

  /**
   * The private key in PEM text or DER bytes (told apart by a PEM BEGIN line), decrypted with {@code password} if
   * it is encrypted. The array is not modified.
   *
   * @param password the key's password, or null for an unencrypted key
   * @throws CertAuthException if the bytes hold no usable key, or it cannot be decrypted
   */
  public static PrivateKey parse(byte[] pemOrDer, char[] password) {
    Objects.requireNonNull(pemOrDer, "pemOrDer");
    return KeyDecoder.decode(pemOrDer, password, TEXT_SOURCE);
  }
}
