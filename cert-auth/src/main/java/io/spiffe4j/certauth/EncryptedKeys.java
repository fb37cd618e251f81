package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.io.IOException;
import java.io.StringReader;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.bc.BcPEMDecryptorProvider;

/**
 * Decrypts password-protected keys: PKCS#8 {@code EncryptedPrivateKeyInfo} (see {@link PasswordBasedEncryption})
 * and OpenSSL's legacy PEM encryption ({@code Proc-Type: 4,ENCRYPTED} with {@code DEK-Info}). Both use
 * BouncyCastle's lightweight API, never a JCE provider (see {@link PasswordBasedEncryption} for why).
 */
final class EncryptedKeys {
  private EncryptedKeys() {}

  static PrivateKeyInfo decryptPkcs8(ASN1Sequence sequence, char[] password, String source) {
    EncryptedPrivateKeyInfo encrypted;
    try {
      encrypted = EncryptedPrivateKeyInfo.getInstance(sequence);
    } catch (RuntimeException e) {
      throw KeyInfos.malformed(source, "encrypted PKCS#8 private key", e);
    }
    requirePassword(password, source);
    byte[] plain = PasswordBasedEncryption.decrypt(
        encrypted.getEncryptionAlgorithm(), encrypted.getEncryptedData(), password, source);
    try {
      return PrivateKeyInfo.getInstance(plain);
    } catch (RuntimeException e) {
      // Valid padding around garbage (one wrong password in 256 or so), which is no key.
      throw KeyInfos.wrongPassword(source, e);
    } finally {
      Arrays.fill(plain, (byte) 0);
    }
  }

  /** The first legacy-encrypted key in {@code pem}, which holds a {@code Proc-Type: 4,ENCRYPTED} header. */
  static PrivateKeyInfo decryptLegacyPem(String pem, char[] password, String source) {
    PEMEncryptedKeyPair encrypted = findEncryptedKeyPair(pem, source);
    requirePassword(password, source);
    try {
      return encrypted.decryptKeyPair(new BcPEMDecryptorProvider(password)).getPrivateKeyInfo();
    } catch (IOException | RuntimeException e) {
      throw KeyInfos.wrongPassword(source, e);
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
}
