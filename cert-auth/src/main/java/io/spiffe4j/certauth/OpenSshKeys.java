package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;

/**
 * OpenSSH's own private key format ({@code openssh-key-v1}, PROTOCOL.key), the default of {@code ssh-keygen}. The
 * header is read here, so that unsupported key types, ciphers and KDFs get a precise error; BouncyCastle then
 * decrypts (bcrypt-pbkdf, as {@code ssh-keygen} encrypts) and decodes the key.
 */
final class OpenSshKeys {
  private static final byte[] MAGIC = "openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII);
  private static final Set<String> KEY_TYPES = Set.of(
      "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521", "ssh-ed25519");
  /** The ciphers BouncyCastle decrypts; {@code ssh-keygen} uses aes256-ctr. */
  private static final Set<String> CIPHERS = Set.of("aes128-ctr", "aes192-ctr", "aes256-ctr", "aes128-cbc",
      "aes192-cbc", "aes256-cbc", "3des-cbc", "aes128-gcm@openssh.com", "aes256-gcm@openssh.com",
      "chacha20-poly1305@openssh.com");
  /**
   * {@code ssh-keygen} defaults to 16 bcrypt rounds (about 0.1 s here); {@code -a 100} is a common hardening. A
   * count far beyond (BouncyCastle would otherwise try up to 2^20, hours of CPU) is corruption, not a choice.
   */
  static final long MAX_BCRYPT_ROUNDS = 4096;

  private OpenSshKeys() {}

  /** The key in an {@code OPENSSH PRIVATE KEY} block's bytes, decrypted with {@code password} if it is encrypted. */
  static PrivateKeyInfo decode(byte[] blob, char[] password, String source) {
    Header header = Header.read(blob, source);
    if (!KEY_TYPES.contains(header.keyType)) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, source + ": OpenSSH key type "
          + printable(header.keyType) + " is not supported; use ssh-rsa or ecdsa-sha2-nistp256/384/521");
    }
    AsymmetricKeyParameter key = header.encrypted() ? decrypt(blob, header, password, source) : parse(blob, source);
    try {
      return PrivateKeyInfoFactory.createPrivateKeyInfo(key);
    } catch (IOException | RuntimeException e) {
      throw KeyInfos.malformed(source, "OpenSSH private key", e);
    }
  }

  private static AsymmetricKeyParameter parse(byte[] blob, String source) {
    try {
      return OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(blob);
    } catch (RuntimeException e) {
      throw KeyInfos.malformed(source, "OpenSSH private key", e);
    }
  }

  private static AsymmetricKeyParameter decrypt(byte[] blob, Header header, char[] password, String source) {
    if (!CIPHERS.contains(header.cipher)) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, source + ": the OpenSSH key is encrypted with "
          + printable(header.cipher) + ", which is not supported; decrypt it with ssh-keygen -p");
    }
    if (!"bcrypt".equals(header.kdf) || header.rounds < 1 || header.rounds > MAX_BCRYPT_ROUNDS) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, source + ": the OpenSSH key's key derivation ("
          + printable(header.kdf) + ", " + header.rounds + " rounds) is not supported; decrypt it with ssh-keygen -p");
    }
    if (password == null) {
      throw new CertAuthException(Kind.PASSWORD_REQUIRED, source + ": the OpenSSH private key is encrypted; a"
          + " password is required");
    }
    byte[] passphrase = utf8(password);
    try {
      return OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(blob, passphrase);
    } catch (RuntimeException e) {
      // A wrong passphrase shows as mismatched check values (CBC/CTR) or a failed tag (GCM, ChaCha20-Poly1305).
      throw new CertAuthException(Kind.WRONG_PASSWORD, source + ": cannot decrypt the OpenSSH private key: wrong"
          + " password, or the encrypted key is corrupted", e);
    } finally {
      Arrays.fill(passphrase, (byte) 0);
    }
  }

  private static byte[] utf8(char[] password) {
    ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    Arrays.fill(encoded.array(), (byte) 0);
    return bytes;
  }

  /** Names from the file go into messages: keep them short and printable. */
  private static String printable(String name) {
    String clean = name.replaceAll("[^\\x21-\\x7e]", "?");
    return "\"" + (clean.length() > 40 ? clean.substring(0, 40) + "..." : clean) + "\"";
  }

  /** The unencrypted head of the format: cipher, KDF and its rounds, and the public key's type. */
  private static final class Header {
    final String cipher;
    final String kdf;
    final long rounds;
    final String keyType;

    private Header(String cipher, String kdf, long rounds, String keyType) {
      this.cipher = cipher;
      this.kdf = kdf;
      this.rounds = rounds;
      this.keyType = keyType;
    }

    boolean encrypted() {
      return !"none".equals(cipher);
    }

    static Header read(byte[] blob, String source) {
      if (blob.length < MAGIC.length || !Arrays.equals(Arrays.copyOf(blob, MAGIC.length), MAGIC)) {
        throw KeyInfos.malformed(source, "OpenSSH private key (no openssh-key-v1 magic)", null);
      }
      ByteBuffer in = ByteBuffer.wrap(blob);
      in.position(MAGIC.length);
      try {
        String cipher = string(in);
        String kdf = string(in);
        ByteBuffer kdfOptions = ByteBuffer.wrap(bytes(in));
        long rounds = 0;
        if ("bcrypt".equals(kdf)) {
          bytes(kdfOptions);
          rounds = Integer.toUnsignedLong(kdfOptions.getInt());
        }
        long keys = Integer.toUnsignedLong(in.getInt());
        if (keys != 1) {
          throw new CertAuthException(Kind.UNSUPPORTED_FORMAT,
              source + ": the OpenSSH file holds " + keys + " keys; exactly one is supported");
        }
        String keyType = string(ByteBuffer.wrap(bytes(in)));
        return new Header(cipher, kdf, rounds, keyType);
      } catch (BufferUnderflowException | IllegalArgumentException e) {
        throw KeyInfos.malformed(source, "OpenSSH private key (truncated header)", e);
      }
    }

    /** An SSH {@code string}: a uint32 length, then that many bytes. */
    private static byte[] bytes(ByteBuffer in) {
      long length = Integer.toUnsignedLong(in.getInt());
      if (length > in.remaining()) {
        throw new BufferUnderflowException();
      }
      byte[] bytes = new byte[(int) length];
      in.get(bytes);
      return bytes;
    }

    private static String string(ByteBuffer in) {
      return new String(bytes(in), StandardCharsets.ISO_8859_1);
    }
  }
}
