package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Supplier;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.misc.MiscObjectIdentifiers;
import org.bouncycastle.asn1.misc.ScryptParams;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.BlockCipher;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.PBEParametersGenerator;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.engines.DESedeEngine;
import org.bouncycastle.crypto.generators.PKCS5S2ParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.modes.CBCBlockCipher;
import org.bouncycastle.crypto.paddings.PaddedBufferedBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;
import org.bouncycastle.crypto.util.DigestFactory;
import org.bouncycastle.operator.InputDecryptor;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.bc.BcPKCS12PBEInputDecryptorProviderBuilder;

/**
 * Decrypts the content of a PKCS#8 {@code EncryptedPrivateKeyInfo}: PBES2 (RFC 8018) with PBKDF2 (HMAC-SHA-1 or
 * SHA-2) or scrypt (RFC 7914) and AES-CBC or 3DES-CBC, which covers everything {@code openssl pkcs8 -topk8} writes by
 * default since OpenSSL 1.1, and the PKCS#12 PBE schemes (such as {@code PBE-SHA1-3DES}, OpenSSL 1.0's default).
 *
 * <p>BouncyCastle's lightweight API does the work, never a JCE provider: BouncyCastle's JCE ciphers fail on JDKs that
 * authenticate providers when its jar lost its signature (a shaded jar), and the JDK has neither scrypt nor the
 * cipher names BouncyCastle's JCE builders ask for. Parameters far beyond real use (a corrupted or hostile file) are
 * refused before any work: more than {@value #MAX_PBKDF2_ITERATIONS} PBKDF2 iterations, or scrypt needing more than
 * {@value #MAX_SCRYPT_MEMORY} bytes.
 */
final class PasswordBasedEncryption {
  static final long MAX_PBKDF2_ITERATIONS = 10_000_000;
  static final long MAX_SCRYPT_MEMORY = 256L << 20;
  private static final int MAX_SCRYPT_PARALLELISM = 16;

  private static final Map<ASN1ObjectIdentifier, Supplier<Digest>> PRFS = Map.of(
      PKCSObjectIdentifiers.id_hmacWithSHA1, DigestFactory::createSHA1,
      PKCSObjectIdentifiers.id_hmacWithSHA224, DigestFactory::createSHA224,
      PKCSObjectIdentifiers.id_hmacWithSHA256, DigestFactory::createSHA256,
      PKCSObjectIdentifiers.id_hmacWithSHA384, DigestFactory::createSHA384,
      PKCSObjectIdentifiers.id_hmacWithSHA512, DigestFactory::createSHA512);

  /** A CBC cipher of PBES2: its engine and key length in bytes. */
  private static final class Cipher {
    final Supplier<BlockCipher> engine;
    final int keyLength;

    Cipher(Supplier<BlockCipher> engine, int keyLength) {
      this.engine = engine;
      this.keyLength = keyLength;
    }
  }

  private static final Map<ASN1ObjectIdentifier, Cipher> CIPHERS = Map.of(
      NISTObjectIdentifiers.id_aes128_CBC, new Cipher(AESEngine::newInstance, 16),
      NISTObjectIdentifiers.id_aes192_CBC, new Cipher(AESEngine::newInstance, 24),
      NISTObjectIdentifiers.id_aes256_CBC, new Cipher(AESEngine::newInstance, 32),
      PKCSObjectIdentifiers.des_EDE3_CBC, new Cipher(DESedeEngine::new, 24));

  private PasswordBasedEncryption() {}

  /**
   * The plaintext, which the caller zeroes.
   *
   * @throws CertAuthException of kind {@code UNSUPPORTED_ALGORITHM} for another scheme or excessive parameters,
   *     {@code MALFORMED} for broken parameters, {@code WRONG_PASSWORD} if decryption fails
   */
  static byte[] decrypt(AlgorithmIdentifier scheme, byte[] encrypted, char[] password, String source) {
    ASN1ObjectIdentifier oid = scheme.getAlgorithm();
    if (PKCSObjectIdentifiers.id_PBES2.equals(oid)) {
      return decryptPbes2(scheme, encrypted, password, source);
    }
    if (oid.on(PKCSObjectIdentifiers.pkcs_12PbeIds)) {
      return decryptPkcs12Pbe(scheme, encrypted, password, source);
    }
    throw unsupported(source, "encryption scheme " + oid.getId());
  }

  private static byte[] decryptPbes2(AlgorithmIdentifier scheme, byte[] encrypted, char[] password, String source) {
    KeyDerivationFunc kdf;
    EncryptionScheme encryption;
    byte[] iv;
    try {
      PBES2Parameters parameters = PBES2Parameters.getInstance(scheme.getParameters());
      kdf = parameters.getKeyDerivationFunc();
      encryption = parameters.getEncryptionScheme();
      iv = ASN1OctetString.getInstance(encryption.getParameters()).getOctets();
    } catch (RuntimeException e) {
      throw KeyInfos.malformed(source, "PBES2 parameters", e);
    }
    Cipher cipher = CIPHERS.get(encryption.getAlgorithm());
    if (cipher == null) {
      throw unsupported(source, "cipher " + encryption.getAlgorithm().getId());
    }
    byte[] key = deriveKey(kdf, cipher.keyLength, password, source);
    try {
      PaddedBufferedBlockCipher decryption = new PaddedBufferedBlockCipher(
          CBCBlockCipher.newInstance(cipher.engine.get()));
      decryption.init(false, new ParametersWithIV(new KeyParameter(key), iv));
      byte[] plain = new byte[decryption.getOutputSize(encrypted.length)];
      int length = decryption.processBytes(encrypted, 0, encrypted.length, plain, 0);
      length += decryption.doFinal(plain, length);
      byte[] exact = Arrays.copyOf(plain, length);
      Arrays.fill(plain, (byte) 0);
      return exact;
    } catch (InvalidCipherTextException | RuntimeException e) {
      // Bad padding, or an IV of the wrong length.
      throw KeyInfos.wrongPassword(source, e);
    } finally {
      Arrays.fill(key, (byte) 0);
    }
  }

  private static byte[] deriveKey(KeyDerivationFunc kdf, int keyLength, char[] password, String source) {
    ASN1ObjectIdentifier algorithm = kdf.getAlgorithm();
    if (PKCSObjectIdentifiers.id_PBKDF2.equals(algorithm)) {
      return pbkdf2(kdf, keyLength, password, source);
    }
    if (MiscObjectIdentifiers.id_scrypt.equals(algorithm)) {
      return scrypt(kdf, keyLength, password, source);
    }
    throw unsupported(source, "key derivation " + algorithm.getId());
  }

  private static byte[] pbkdf2(KeyDerivationFunc kdf, int keyLength, char[] password, String source) {
    PBKDF2Params parameters;
    Supplier<Digest> prf;
    try {
      parameters = PBKDF2Params.getInstance(kdf.getParameters());
      prf = PRFS.get(parameters.getPrf().getAlgorithm());
    } catch (RuntimeException e) {
      throw KeyInfos.malformed(source, "PBKDF2 parameters", e);
    }
    if (prf == null) {
      throw unsupported(source, "PBKDF2 with " + parameters.getPrf().getAlgorithm().getId());
    }
    BigInteger iterations = parameters.getIterationCount();
    if (iterations.signum() <= 0 || iterations.compareTo(BigInteger.valueOf(MAX_PBKDF2_ITERATIONS)) > 0) {
      throw unsupported(source, "PBKDF2 with " + iterations + " iterations");
    }
    byte[] passwordBytes = PBEParametersGenerator.PKCS5PasswordToUTF8Bytes(password);
    try {
      PKCS5S2ParametersGenerator generator = new PKCS5S2ParametersGenerator(prf.get());
      generator.init(passwordBytes, parameters.getSalt(), iterations.intValue());
      return ((KeyParameter) generator.generateDerivedParameters(keyLength * 8)).getKey();
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
  }

  private static byte[] scrypt(KeyDerivationFunc kdf, int keyLength, char[] password, String source) {
    ScryptParams parameters;
    try {
      parameters = ScryptParams.getInstance(kdf.getParameters());
    } catch (RuntimeException e) {
      throw KeyInfos.malformed(source, "scrypt parameters", e);
    }
    BigInteger cost = parameters.getCostParameter();
    BigInteger blockSize = parameters.getBlockSize();
    BigInteger parallelism = parameters.getParallelizationParameter();
    // scrypt's memory is 128 * N * r bytes; N must be a power of two above 1 (RFC 7914 §2).
    BigInteger memory = cost.multiply(blockSize).shiftLeft(7);
    if (cost.compareTo(BigInteger.ONE) <= 0 || cost.bitCount() != 1 || blockSize.signum() <= 0
        || parallelism.signum() <= 0 || parallelism.compareTo(BigInteger.valueOf(MAX_SCRYPT_PARALLELISM)) > 0
        || memory.compareTo(BigInteger.valueOf(MAX_SCRYPT_MEMORY)) > 0) {
      throw unsupported(source, "scrypt with N=" + cost + ", r=" + blockSize + ", p=" + parallelism);
    }
    byte[] passwordBytes = PBEParametersGenerator.PKCS5PasswordToUTF8Bytes(password);
    try {
      return SCrypt.generate(passwordBytes, parameters.getSalt(), cost.intValue(), blockSize.intValue(),
          parallelism.intValue(), keyLength);
    } finally {
      Arrays.fill(passwordBytes, (byte) 0);
    }
  }

  private static byte[] decryptPkcs12Pbe(
      AlgorithmIdentifier scheme, byte[] encrypted, char[] password, String source) {
    InputDecryptor decryptor;
    try {
      decryptor = new BcPKCS12PBEInputDecryptorProviderBuilder().build(password).get(scheme);
    } catch (OperatorCreationException | RuntimeException e) {
      throw unsupported(source, "PKCS#12 scheme " + scheme.getAlgorithm().getId());
    }
    try (InputStream in = decryptor.getInputStream(new ByteArrayInputStream(encrypted))) {
      return in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      throw KeyInfos.wrongPassword(source, e);
    }
  }

  private static CertAuthException unsupported(String source, String what) {
    return new CertAuthException(Kind.UNSUPPORTED_ALGORITHM,
        source + ": the private key is encrypted with " + what + ", which this library cannot decrypt");
  }
}
