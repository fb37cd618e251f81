package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.ToolKeys.KeyFile;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.stream.Collectors;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every format the tools write, for every key type it applies to: load, sign a challenge, verify. */
class KeyFormatsTest {
  private static final byte[] CHALLENGE = "a challenge as /get-cert-challenge returns it".getBytes(StandardCharsets.UTF_8);

  static List<KeyFile> signingKeys() {
    return ToolKeys.all().stream().filter(f -> f.type.signsChallenges()).collect(Collectors.toList());
  }

  static List<KeyFile> pemSigningKeys() {
    return signingKeys().stream().filter(f -> !f.path.toString().endsWith(".der")).collect(Collectors.toList());
  }

  static List<KeyFile> ed25519Keys() {
    return ToolKeys.all().stream().filter(f -> !f.type.signsChallenges()).collect(Collectors.toList());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signingKeys")
  void loadsSignsAndVerifiesWithTheCertificateKey(KeyFile file) throws Exception {
    ClientCertificate client = ClientCertificate.fromFiles(file.leafPem, file.path, file.password());
    byte[] signature = client.signer().sign(CHALLENGE);
    assertTrue(verify(file.leaf.getPublicKey(), file.type.jcaName, CHALLENGE, signature), file.toString());
    if ("EC".equals(file.type.jcaName)) {
      assertIsDerEcdsaSignature(signature);
    }
    String wire = client.signChallenge(Base64.getEncoder().encodeToString(CHALLENGE));
    assertTrue(verify(file.publicKey, file.type.jcaName, CHALLENGE, Base64.getDecoder().decode(wire)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signingKeys")
  void textBytesAndFileGiveTheSameKey(KeyFile file) {
    PrivateKey fromFile = PrivateKeys.load(file.path, file.password());
    PrivateKey fromBytes = PrivateKeys.parse(file.bytes(), file.password());
    assertArrayEquals(fromFile.getEncoded(), fromBytes.getEncoded());
    if (!file.path.toString().endsWith(".der")) {
      assertArrayEquals(fromFile.getEncoded(), PrivateKeys.parse(file.text(), file.password()).getEncoded());
    }
    assertEquals(file.type.jcaName, fromFile.getAlgorithm());
    if (fromFile instanceof RSAPrivateCrtKey) {
      assertEquals(((RSAPublicKey) file.publicKey).getModulus(), ((RSAPrivateCrtKey) fromFile).getModulus());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("ed25519Keys")
  void ed25519LoadsButCannotSignChallenges(KeyFile file) throws Exception {
    PrivateKey key = PrivateKeys.load(file.path, file.password());
    assertEquals("Ed25519", ((java.security.interfaces.EdECKey) key).getParams().getName());
    Signature ed25519 = Signature.getInstance("Ed25519");
    ed25519.initSign(key);
    ed25519.update(CHALLENGE);
    assertTrue(verify(file.publicKey, "Ed25519", CHALLENGE, ed25519.sign()), "the loaded key is the tool's key");

    CertAuthException refused = KeyErrorsTest.expect(CertAuthException.Kind.UNSUPPORTED_ALGORITHM,
        () -> ChallengeSigner.ofKey(key));
    assertTrue(refused.getMessage().contains("Ed25519 keys cannot sign Akeyless certificate challenges"),
        refused.getMessage());
    CertAuthException leafRefused = KeyErrorsTest.expect(CertAuthException.Kind.UNSUPPORTED_ALGORITHM,
        () -> ClientCertificate.fromFiles(file.leafPem, file.path, file.password()));
    assertTrue(leafRefused.getMessage().contains("verifies only RSA"), leafRefused.getMessage());
  }

  /** Files edited on Windows: CRLF line ends in every PEM format, the legacy encrypted one included. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("pemSigningKeys")
  void crlfLineEndsLoadTheSameKey(KeyFile file) {
    assertArrayEquals(PrivateKeys.load(file.path, file.password()).getEncoded(),
        PrivateKeys.parse(file.text().replace("\n", "\r\n"), file.password()).getEncoded());
  }

  /** Encryptions beyond openssl's default: scrypt, 3DES, AES-128 with HMAC-SHA-512, OpenSSL 1.0's PBE-SHA1-3DES. */
  @Test
  void otherPkcs8EncryptionsLoad() {
    KeyFile plain = ToolKeys.file(ToolKeys.Format.PKCS8, ToolKeys.KeyType.EC_P256);
    for (java.nio.file.Path file : OddKeys.get().otherEncryptions) {
      assertArrayEquals(PrivateKeys.load(plain.path).getEncoded(),
          PrivateKeys.load(file, ToolKeys.PASSWORD.toCharArray()).getEncoded(), file.toString());
      KeyErrorsTest.expect(CertAuthException.Kind.WRONG_PASSWORD,
          () -> PrivateKeys.load(file, "wrong".toCharArray()));
    }
  }

  /** Tools label keys loosely; the structure decides, as in Akeyless's own parser. */
  @Test
  void mislabelledKeysLoadByTheirStructure() {
    KeyFile pkcs1 = ToolKeys.file(ToolKeys.Format.TRADITIONAL, ToolKeys.KeyType.RSA_2048);
    KeyFile sec1 = ToolKeys.file(ToolKeys.Format.TRADITIONAL, ToolKeys.KeyType.EC_P384);
    KeyFile pkcs8 = ToolKeys.file(ToolKeys.Format.PKCS8, ToolKeys.KeyType.EC_P256);
    assertArrayEquals(PrivateKeys.load(pkcs1.path).getEncoded(),
        PrivateKeys.parse(pkcs1.text().replace("RSA PRIVATE KEY", "PRIVATE KEY")).getEncoded());
    assertArrayEquals(PrivateKeys.load(sec1.path).getEncoded(),
        PrivateKeys.parse(sec1.text().replace("EC PRIVATE KEY", "RSA PRIVATE KEY")).getEncoded());
    assertArrayEquals(PrivateKeys.load(pkcs8.path).getEncoded(),
        PrivateKeys.parse(pkcs8.text().replace("PRIVATE KEY", "EC PRIVATE KEY")).getEncoded());
  }

  /** A combined file: certificate, then a legacy-encrypted key whose headers the strict PEM reader refuses. */
  @Test
  void combinedFileWithLegacyEncryptedKeyServesBoth() {
    KeyFile key = ToolKeys.file(ToolKeys.Format.LEGACY_ENCRYPTED, ToolKeys.KeyType.EC_P256);
    java.nio.file.Path combined = KeyErrorsTest.write("combined-legacy.pem", readString(key.leafPem) + key.text());
    ClientCertificate client = ClientCertificate.fromFiles(combined, combined, key.password());
    assertEquals(List.of(key.leaf), client.chain());
  }

  private static String readString(java.nio.file.Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void everyFormatIsCoveredForEveryKeyTypeItAppliesTo() {
    for (ToolKeys.Format format : ToolKeys.Format.values()) {
      for (ToolKeys.KeyType type : ToolKeys.KeyType.values()) {
        if (format.appliesTo(type)) {
          assertEquals(format, ToolKeys.file(format, type).format);
        }
      }
    }
    assertEquals(46, ToolKeys.all().size());
  }

  static boolean verify(PublicKey key, String jcaName, byte[] data, byte[] signature)
      throws GeneralSecurityException {
    Signature verifier = Signature.getInstance(
        "RSA".equals(jcaName) ? "SHA256withRSA" : "EC".equals(jcaName) ? "SHA256withECDSA" : "Ed25519");
    verifier.initVerify(key);
    verifier.update(data);
    return verifier.verify(signature);
  }

  /** ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in DER, not IEEE P1363 R||S. */
  static void assertIsDerEcdsaSignature(byte[] signature) throws Exception {
    assertEquals(0x30, signature[0] & 0xff, "a DER SEQUENCE");
    ASN1Sequence sequence = ASN1Sequence.getInstance(ASN1Primitive.fromByteArray(signature));
    assertEquals(2, sequence.size());
    assertTrue(sequence.getObjectAt(0) instanceof ASN1Integer);
    assertTrue(sequence.getObjectAt(1) instanceof ASN1Integer);
    assertArrayEquals(signature, sequence.getEncoded("DER"), "canonical DER");
  }
}
