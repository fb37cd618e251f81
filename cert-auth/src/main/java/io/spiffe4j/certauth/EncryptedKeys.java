package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.security.Provider;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptor;
import org.bouncycastle.operator.OperatorCreationException;

/**
 * Decrypts password-protected keys: PKCS#8 {@code EncryptedPrivateKeyInfo} (PBES2 with PBKDF2 or scrypt, and the
 * PBES1/PKCS#12 schemes) and OpenSSL's legacy PEM encryption ({@code Proc-Type: 4,ENCRYPTED} with {@code DEK-Info}).
 * The ciphers come from a private BouncyCastle provider instance, never installed in {@link java.security.Security},
 * so every scheme OpenSSL writes is readable whatever the JDK offers.
 */
final class EncryptedKeys {
  private EncryptedKeys() {}

  /** Created on first use only: building the provider's tables takes a noticeable fraction of a second. */
  private static final class Bc {
    static final Provider PROVIDER = new BouncyCastleProvider();
  }

  static PrivateKeyInfo decryptPkcs8(ASN1Sequence sequence, char[] password, String source) {
    EncryptedPrivateKeyInfo encrypted;
    try {
      encrypted = EncryptedPrivateKeyInfo.getInstance(sequence);
    } catch (RuntimeException e) {
      throw KeyInfos.malformed(source, "encrypted PKCS#8 private key", e);
    }
    requirePassword(password, source);
    // Two steps, so that an unknown scheme (no decryptor) is told apart from a wrong password (garbage out).
    InputDecryptor decryptor;
    try {
      decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(password)
          .get(encrypted.getEncryptionAlgorithm());
    } catch (OperatorCreationException | RuntimeException e) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM,
          source + ": the private key is encrypted with a scheme this library cannot decrypt", e);
    }
    byte[] plain = null;
    try (InputStream in = decryptor.getInputStream(new ByteArrayInputStream(encrypted.getEncryptedData()))) {
      plain = in.readAllBytes();
      return PrivateKeyInfo.getInstance(plain);
    } catch (IOException | RuntimeException e) {
      // Bad padding, or (one time in 256 or so) valid padding around garbage that is no key.
      throw wrongPassword(source, e);
    } finally {
      if (plain != null) {
        Arrays.fill(plain, (byte) 0);
      }
    }
  }

  /** The first legacy-encrypted key in {@code pem}, which holds a {@code Proc-Type: 4,ENCRYPTED} header. */
  static PrivateKeyInfo decryptLegacyPem(String pem, char[] password, String source) {
    PEMEncryptedKeyPair encrypted = findEncryptedKeyPair(pem, source);
    requirePassword(password, source);
    try {
      return encrypted.decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(password))
          .getPrivateKeyInfo();
    } catch (IOException | RuntimeException e) {
      throw wrongPassword(source, e);
    }
  }

  private static PEMEncryptedKeyPair findEncryptedKeyPair(String pem, String source) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      for (Object object = parser.readObject(); object != null; object = parser.readObject()) {
        if (object instanceof PEMEncryptedKeyPair) {
          return (PEMEncryptedKeyPair) object;
        }
      }
    } catch (IOException | RuntimeException e) {
      throw KeyInfos.malformed(source, "legacy encrypted PEM", e);
    }
    throw new CertAuthException(Kind.UNSUPPORTED_FORMAT, source + ": has a Proc-Type header but no RSA or EC"
        + " private key encrypted in the legacy OpenSSL format");
  }

  private static void requirePassword(char[] password, String source) {
    if (password == null) {
      throw new CertAuthException(Kind.PASSWORD_REQUIRED, source + ": the private key is encrypted; a password is"
          + " required");
    }
  }

  private static CertAuthException wrongPassword(String source, Exception cause) {
    return new CertAuthException(Kind.WRONG_PASSWORD,
        source + ": cannot decrypt the private key: wrong password, or the encrypted key is corrupted", cause);
  }

}
