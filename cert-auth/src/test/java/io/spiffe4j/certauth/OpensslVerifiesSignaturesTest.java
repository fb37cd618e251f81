package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.ToolKeys.Format;
import io.spiffe4j.certauth.ToolKeys.KeyFile;
import io.spiffe4j.certauth.ToolKeys.KeyType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenSSL, not our code, judges our signatures: {@code openssl dgst -sha256 -verify pub.pem -signature sig.bin
 * data.bin} with the public key the key's own tool exported. So signer and verifier cannot agree on a mistake.
 */
class OpensslVerifiesSignaturesTest {
  /** DigestInfo for SHA-256 (RFC 8017 §9.2, note 1): what a KMS prepends before RSA PKCS#1 v1.5 signing. */
  private static final byte[] SHA256_DIGEST_INFO = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, (byte) 0x86, 0x48,
      0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

  static List<KeyFile> signingKeys() {
    return KeyFormatsTest.signingKeys();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signingKeys")
  void opensslVerifiesSignaturesOfEveryLoadedKey(KeyFile file) {
    ChallengeSigner signer = ClientCertificate.fromFiles(file.leafPem, file.path, file.password()).signer();
    assertOpensslVerifies(file, signer, "key-" + file.format + "-" + file.type);
  }

  /** What a KMS callback does: sign the SHA-256 digest with NONEwith*, the raw primitive. */
  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = {"RSA_2048", "EC_P256", "EC_P384", "EC_P521"})
  void opensslVerifiesDigestSignerSignatures(KeyType type) {
    KeyFile file = ToolKeys.file(Format.PKCS8, type);
    PrivateKey key = PrivateKeys.load(file.path);
    UnaryOperator<byte[]> kms = "RSA".equals(type.jcaName)
        ? digest -> raw("NONEwithRSA", key, concat(SHA256_DIGEST_INFO, digest))
        : digest -> raw("NONEwithECDSA", key, digest);
    ChallengeSigner signer = ClientCertificate.of(List.of(file.leaf), ChallengeSigner.ofDigestSigner(kms)).signer();
    assertOpensslVerifies(file, signer, "kms-" + type);
  }

  /** A KMS that answers R||S (Azure Key Vault), made DER by ecdsaP1363ToDer. */
  @ParameterizedTest
  @EnumSource(value = KeyType.class, names = {"EC_P256", "EC_P384", "EC_P521"})
  void opensslVerifiesP1363DigestSignerSignaturesOnceConverted(KeyType type) {
    KeyFile file = ToolKeys.file(Format.OPENSSH, type);
    PrivateKey key = PrivateKeys.load(file.path);
    int fieldLength = (Integer.parseInt(type.size) + 7) / 8;
    ChallengeSigner signer = ChallengeSigner.ofDigestSigner(digest -> ChallengeSigner.ecdsaP1363ToDer(
        SignatureEncodings.derToP1363(raw("NONEwithECDSA", key, digest), fieldLength)));
    assertOpensslVerifies(file, ClientCertificate.of(List.of(file.leaf), signer).signer(), "azure-" + type);
  }

  private static void assertOpensslVerifies(KeyFile file, ChallengeSigner signer, String name) {
    byte[] data = KeyErrorsTest.randomBytes(37 + name.length());
    Path dataFile = write(name + ".data.bin", data);
    Path signatureFile = write(name + ".sig.bin", signer.sign(data));
    Tools.Result verified = Tools.runAllowingFailure(ToolKeys.dir(), "openssl", "dgst", "-sha256", "-verify",
        file.publicKeyPem.toString(), "-signature", signatureFile.toString(), dataFile.toString());
    assertEquals(0, verified.exitCode, () -> file + ": " + verified.out + verified.err);
    assertTrue(verified.out.contains("Verified OK"), verified.out);

    // The control: the same check fails once the data changes, so a pass above means something.
    data[0] ^= 1;
    write(name + ".data.bin", data);
    Tools.Result tampered = Tools.runAllowingFailure(ToolKeys.dir(), "openssl", "dgst", "-sha256", "-verify",
        file.publicKeyPem.toString(), "-signature", signatureFile.toString(), dataFile.toString());
    assertEquals(1, tampered.exitCode, () -> tampered.out + tampered.err);
    assertTrue(tampered.out.contains("Verification failure"), tampered.out);
  }

  private static byte[] raw(String algorithm, PrivateKey key, byte[] input) {
    try {
      Signature signature = Signature.getInstance(algorithm);
      signature.initSign(key);
      signature.update(input);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }

  private static Path write(String name, byte[] content) {
    try {
      return Files.write(ToolKeys.dir().resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
