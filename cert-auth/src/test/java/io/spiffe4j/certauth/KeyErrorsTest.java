package io.spiffe4j.certauth;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.CertAuthException.Kind;
import io.spiffe4j.certauth.ToolKeys.Format;
import io.spiffe4j.certauth.ToolKeys.KeyFile;
import io.spiffe4j.certauth.ToolKeys.KeyType;
import io.spiffe4j.internal.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.misc.MiscObjectIdentifiers;
import org.bouncycastle.asn1.misc.ScryptParams;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.EncryptionScheme;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad input ends in a CertAuthException of the right kind, with a message that says what to do. */
class KeyErrorsTest {

  /** One way to fail: what is done, and the kind and message fragment expected. */
  static final class Scenario {
    final String name;
    final Kind kind;
    final String fragment;
    final Executable action;

    Scenario(String name, Kind kind, String fragment, Executable action) {
      this.name = name;
      this.kind = kind;
      this.fragment = fragment;
      this.action = action;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static List<Scenario> scenarios() {
    List<Scenario> all = new ArrayList<>();
    KeyFile rsa = ToolKeys.file(Format.PKCS8, KeyType.RSA_2048);
    KeyFile ec = ToolKeys.file(Format.TRADITIONAL, KeyType.EC_P256);
    KeyFile otherEc = ToolKeys.file(Format.OPENSSH, KeyType.EC_P256);
    KeyFile ed25519 = ToolKeys.file(Format.OPENSSH, KeyType.ED25519);

    all.add(new Scenario("key of another certificate", Kind.KEY_MISMATCH, "does not belong to the leaf certificate",
        () -> ClientCertificate.fromFiles(otherEc.leafPem, ec.path)));
    all.add(new Scenario("RSA key, EC certificate", Kind.KEY_MISMATCH,
        "the private key is RSA but the leaf certificate's key is EC P-256",
        () -> ClientCertificate.fromFiles(ec.leafPem, rsa.path)));
    all.add(new Scenario("leaf not first", Kind.KEY_MISMATCH, "belongs to certificate 2 of the chain",
        () -> ClientCertificate.of(List.of(otherEc.leaf, ec.leaf), PrivateKeys.load(ec.path))));
    for (Format format : new Format[] {Format.ENCRYPTED_PKCS8, Format.ENCRYPTED_PKCS8_DER, Format.LEGACY_ENCRYPTED,
        Format.OPENSSH_ENCRYPTED}) {
      for (KeyType type : new KeyType[] {KeyType.RSA_2048, KeyType.EC_P384}) {
        KeyFile file = ToolKeys.file(format, type);
        all.add(new Scenario("wrong password, " + file, Kind.WRONG_PASSWORD, "wrong password",
            () -> PrivateKeys.load(file.path, (ToolKeys.PASSWORD + "x").toCharArray())));
        all.add(new Scenario("no password, " + file, Kind.PASSWORD_REQUIRED, "a password is required",
            () -> PrivateKeys.load(file.path)));
      }
    }
    all.add(new Scenario("missing password through fromFiles", Kind.PASSWORD_REQUIRED, "a password is required",
        () -> ClientCertificate.fromFiles(ec.leafPem, ToolKeys.file(Format.LEGACY_ENCRYPTED, KeyType.EC_P256).path)));
    all.add(new Scenario("PEM cut before its END line", Kind.MALFORMED, "has no END line",
        () -> PrivateKeys.parse(ec.text().substring(0, ec.text().length() / 2))));
    all.add(new Scenario("PEM body shortened", Kind.MALFORMED, "malformed",
        () -> PrivateKeys.parse(shortenBody(rsa.text()))));
    all.add(new Scenario("OpenSSH key cut short", Kind.MALFORMED, "malformed OpenSSH private key",
        () -> PrivateKeys.parse(Pem.encode("OPENSSH PRIVATE KEY", Arrays.copyOf(Pem.decode(otherEc.text()).get(0)
            .der(), 200)))));
    all.add(new Scenario("body not base64", Kind.MALFORMED, "is not valid base64",
        () -> PrivateKeys.parse(rsa.text().replaceFirst("\n.", "\n*"))));
    all.add(new Scenario("text", Kind.MALFORMED, "neither PEM nor a DER private key",
        () -> PrivateKeys.parse("this is not a key")));
    all.add(new Scenario("random bytes", Kind.MALFORMED, "neither PEM nor a DER private key",
        () -> PrivateKeys.parse(randomBytes(300), null)));
    all.add(new Scenario("DER cut short", Kind.MALFORMED, "neither PEM nor a DER private key",
        () -> PrivateKeys.parse(Arrays.copyOf(ToolKeys.file(Format.PKCS8_DER, KeyType.RSA_2048).bytes(), 200), null)));
    all.add(new Scenario("empty", Kind.MALFORMED, "empty", () -> PrivateKeys.parse("")));
    all.add(new Scenario("certificate instead of key", Kind.UNSUPPORTED_FORMAT, "no private key; found only CERTIFICATE",
        () -> PrivateKeys.load(rsa.leafPem)));
    all.add(new Scenario("two keys", Kind.UNSUPPORTED_FORMAT, "more than one private key",
        () -> PrivateKeys.parse(rsa.text() + ec.text())));
    all.add(new Scenario("PuTTY", Kind.UNSUPPORTED_FORMAT, "puttygen",
        () -> PrivateKeys.parse("PuTTY-User-Key-File-3: ssh-rsa\nEncryption: none\n")));
    all.add(new Scenario("DSA", Kind.UNSUPPORTED_ALGORITHM, "DSA keys are not supported",
        () -> PrivateKeys.parse(Pem.encode("DSA PRIVATE KEY", new byte[] {0x30, 0x03, 0x02, 0x01, 0x00}))));
    all.add(new Scenario("secp256k1 PKCS#8", Kind.UNSUPPORTED_ALGORITHM, "EC curve secp256k1",
        () -> PrivateKeys.load(OddKeys.get().secp256k1Pkcs8)));
    all.add(new Scenario("secp256k1 SEC1", Kind.UNSUPPORTED_ALGORITHM, "EC curve secp256k1",
        () -> PrivateKeys.load(OddKeys.get().secp256k1Sec1)));
    all.add(new Scenario("explicit curve parameters", Kind.UNSUPPORTED_ALGORITHM, "explicit parameters",
        () -> PrivateKeys.load(OddKeys.get().explicitCurveParameters)));
    all.add(new Scenario("Ed448", Kind.UNSUPPORTED_ALGORITHM, "Ed448 keys are not supported",
        () -> PrivateKeys.load(OddKeys.get().ed448)));
    all.add(new Scenario("X25519", Kind.UNSUPPORTED_ALGORITHM, "X25519 keys are not supported",
        () -> PrivateKeys.load(OddKeys.get().x25519)));
    all.add(new Scenario("RSA-PSS", Kind.UNSUPPORTED_ALGORITHM, "RSASSA-PSS keys are not supported",
        () -> PrivateKeys.load(OddKeys.get().rsaPss)));
    all.add(new Scenario("EC PARAMETERS of another curve", Kind.MALFORMED, "names a different curve",
        () -> PrivateKeys.parse(swapParameters())));
    all.add(new Scenario("OpenSSH DSA", Kind.UNSUPPORTED_ALGORITHM, "OpenSSH key type \"ssh-dss\" is not supported",
        () -> PrivateKeys.parse(editOpenSsh(ToolKeys.file(Format.OPENSSH, KeyType.RSA_2048), "ssh-rsa", "ssh-dss"))));
    all.add(new Scenario("OpenSSH unknown cipher", Kind.UNSUPPORTED_ALGORITHM, "decrypt it with ssh-keygen -p",
        () -> PrivateKeys.parse(editOpenSsh(ToolKeys.file(Format.OPENSSH_ENCRYPTED, KeyType.EC_P256),
            "aes256-ctr", "aes256-xyz"), ToolKeys.PASSWORD.toCharArray())));
    all.add(new Scenario("OpenSSH absurd bcrypt rounds", Kind.UNSUPPORTED_ALGORITHM, "16777232 rounds",
        () -> PrivateKeys.parse(editOpenSshRounds(ToolKeys.file(Format.OPENSSH_ENCRYPTED, KeyType.EC_P256)),
            ToolKeys.PASSWORD.toCharArray())));
    all.add(new Scenario("Camellia-encrypted PKCS#8", Kind.UNSUPPORTED_ALGORITHM,
        "encrypted with cipher 1.2.392.200011.61.1.1.1.4, which this library cannot decrypt",
        () -> PrivateKeys.load(OddKeys.get().camellia, ToolKeys.PASSWORD.toCharArray())));
    all.add(new Scenario("PBKDF2 iterations beyond reason", Kind.UNSUPPORTED_ALGORITHM, "20000000 iterations",
        () -> PrivateKeys.parse(encryptedPkcs8(new KeyDerivationFunc(PKCSObjectIdentifiers.id_PBKDF2,
            new PBKDF2Params(new byte[8], 20_000_000, 32, new AlgorithmIdentifier(
                PKCSObjectIdentifiers.id_hmacWithSHA256, DERNull.INSTANCE))), NISTObjectIdentifiers.id_aes256_CBC),
            ToolKeys.PASSWORD.toCharArray())));
    all.add(new Scenario("scrypt memory beyond reason", Kind.UNSUPPORTED_ALGORITHM, "scrypt with N=1048576, r=8",
        () -> PrivateKeys.parse(encryptedPkcs8(new KeyDerivationFunc(MiscObjectIdentifiers.id_scrypt,
            new ScryptParams(new byte[8], 1 << 20, 8, 1)), NISTObjectIdentifiers.id_aes256_CBC),
            ToolKeys.PASSWORD.toCharArray())));
    all.add(new Scenario("PBES2 with an unknown key derivation", Kind.UNSUPPORTED_ALGORITHM, "key derivation 1.2.3.4",
        () -> PrivateKeys.parse(encryptedPkcs8(new KeyDerivationFunc(new ASN1ObjectIdentifier("1.2.3.4"),
            DERNull.INSTANCE), NISTObjectIdentifiers.id_aes256_CBC), ToolKeys.PASSWORD.toCharArray())));
    all.add(new Scenario("Ed25519 signer", Kind.UNSUPPORTED_ALGORITHM, "Ed25519 keys cannot sign",
        () -> ChallengeSigner.ofKey(PrivateKeys.load(ed25519.path))));
    all.add(new Scenario("Ed25519 leaf", Kind.UNSUPPORTED_ALGORITHM, "leaf certificate's key is Ed25519",
        () -> ClientCertificate.of(List.of(ed25519.leaf), challenge -> new byte[] {1})));
    all.add(new Scenario("external signer holds another key", Kind.KEY_MISMATCH, "the signer holds another key",
        () -> ClientCertificate.of(List.of(ec.leaf), ChallengeSigner.ofKey(PrivateKeys.load(otherEc.path)))));
    all.add(new Scenario("external signer answers R||S", Kind.KEY_MISMATCH, "ecdsaP1363ToDer",
        () -> ClientCertificate.of(List.of(ec.leaf), p1363Signer(PrivateKeys.load(ec.path)))));
    all.add(new Scenario("external signer throws", Kind.SIGNING_FAILED, "the external signer failed",
        () -> ClientCertificate.of(List.of(ec.leaf), challenge -> {
          throw new IllegalStateException("KMS unreachable");
        })));
    all.add(new Scenario("external signer returns nothing", Kind.SIGNING_FAILED, "returned no signature",
        () -> ClientCertificate.of(List.of(rsa.leaf), challenge -> new byte[0])));
    all.add(new Scenario("missing key file", Kind.UNREADABLE_FILE, "no-such-key.pem: no such file",
        () -> PrivateKeys.load(ToolKeys.dir().resolve("no-such-key.pem"))));
    all.add(new Scenario("key file is a directory", Kind.UNREADABLE_FILE, "is a directory",
        () -> PrivateKeys.load(ToolKeys.dir())));
    all.add(new Scenario("missing certificate file", Kind.UNREADABLE_FILE, "cannot read certificate file",
        () -> ClientCertificate.fromFiles(ToolKeys.dir().resolve("no-such.crt"), rsa.path)));
    all.add(new Scenario("key file as certificate file", Kind.MALFORMED, "no certificate",
        () -> ClientCertificate.fromFiles(rsa.path, rsa.path)));
    all.add(new Scenario("garbage certificate", Kind.MALFORMED, "does not start with a DER SEQUENCE",
        () -> Certificates.parse(randomBytes(100))));
    all.add(new Scenario("certificate block with a key inside", Kind.MALFORMED, "not a valid X.509 certificate",
        () -> Certificates.parse(Pem.encode("CERTIFICATE", ToolKeys.file(Format.PKCS8_DER, KeyType.RSA_2048)
            .bytes()))));
    all.add(new Scenario("empty chain", Kind.MALFORMED, "the certificate chain is empty",
        () -> ClientCertificate.of(List.of(), PrivateKeys.load(ec.path))));
    all.add(new Scenario("challenge not base64", Kind.INVALID_CHALLENGE, "not standard base64",
        () -> ChallengeSigner.ofKey(PrivateKeys.load(ec.path)).signBase64("not base64!")));
    all.add(new Scenario("challenge empty", Kind.INVALID_CHALLENGE, "empty",
        () -> ChallengeSigner.ofKey(PrivateKeys.load(ec.path)).signBase64(" ")));
    return all;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void failsWithTypedErrorAndUsefulMessage(Scenario scenario) {
    CertAuthException e = expect(scenario.kind, scenario.action);
    assertTrue(e.getMessage().contains(scenario.fragment), () -> "expected \"" + scenario.fragment + "\" in: "
        + e.getMessage());
    assertTrue(e.rule().isEmpty(), "no SPIFFE rule applies to key files");
  }

  @Test
  void fileErrorsNameThePath() {
    Path missing = ToolKeys.dir().resolve("absent.pem");
    assertTrue(expect(Kind.UNREADABLE_FILE, () -> PrivateKeys.load(missing)).getMessage()
        .contains(missing.toString()));
    Path garbage = write("garbage.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertTrue(expect(Kind.MALFORMED, () -> PrivateKeys.load(garbage)).getMessage()
        .startsWith("key file " + garbage + ": malformed"));
  }

  @Test
  void passwordIsIgnoredForUnencryptedKeys() {
    KeyFile file = ToolKeys.file(Format.PKCS8, KeyType.EC_P256);
    assertEquals(PrivateKeys.load(file.path).getAlgorithm(),
        PrivateKeys.load(file.path, "unused".toCharArray()).getAlgorithm());
  }

  @Test
  void callerPasswordArrayIsNotCleared() {
    char[] password = ToolKeys.PASSWORD.toCharArray();
    PrivateKeys.load(ToolKeys.file(Format.OPENSSH_ENCRYPTED, KeyType.EC_P256).path, password);
    assertEquals(ToolKeys.PASSWORD, new String(password));
  }

  @Test
  void nullArgumentsAreNamed() {
    assertEquals("keyFile", assertThrows(NullPointerException.class, () -> PrivateKeys.load(null)).getMessage());
    assertEquals("pem", assertThrows(NullPointerException.class, () -> PrivateKeys.parse((String) null))
        .getMessage());
    assertEquals("key", assertThrows(NullPointerException.class, () -> ChallengeSigner.ofKey(null)).getMessage());
    X509Certificate leaf = ToolKeys.file(Format.PKCS8, KeyType.EC_P256).leaf;
    assertEquals("signer", assertThrows(NullPointerException.class,
        () -> ClientCertificate.of(List.of(leaf), (ChallengeSigner) null)).getMessage());
  }

  static CertAuthException expect(Kind kind, Executable action) {
    CertAuthException e = assertThrows(CertAuthException.class, action);
    assertEquals(kind, e.kind(), e::getMessage);
    return e;
  }

  /** Drops one line from the middle of the base64 body, keeping BEGIN and END. */
  static String shortenBody(String pem) {
    List<String> lines = new ArrayList<>(List.of(pem.split("\n")));
    lines.remove(lines.size() / 2);
    return String.join("\n", lines) + "\n";
  }

  static byte[] randomBytes(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  /** The P-256 SEC1 key after the P-384 EC PARAMETERS block. */
  private static String swapParameters() {
    String p256 = ToolKeys.file(Format.EC_WITH_PARAMETERS, KeyType.EC_P256).text();
    String p384 = ToolKeys.file(Format.EC_WITH_PARAMETERS, KeyType.EC_P384).text();
    return p384.substring(0, p384.indexOf("-----BEGIN EC PRIVATE KEY"))
        + p256.substring(p256.indexOf("-----BEGIN EC PRIVATE KEY"));
  }

  /** The OpenSSH key with the first occurrence of {@code from} in its binary replaced (same length). */
  static String editOpenSsh(KeyFile file, String from, String to) {
    byte[] blob = Pem.decode(file.text()).get(0).der();
    int at = indexOf(blob, from.getBytes(StandardCharsets.US_ASCII));
    System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, blob, at, to.length());
    return Pem.encode("OPENSSH PRIVATE KEY", blob);
  }

  /** The encrypted OpenSSH key claiming 2^24 + 16 bcrypt rounds (the field follows the 16-byte salt). */
  private static String editOpenSshRounds(KeyFile file) {
    byte[] blob = Pem.decode(file.text()).get(0).der();
    int rounds = indexOf(blob, "bcrypt".getBytes(StandardCharsets.US_ASCII)) + 6 + 4 + 4 + 16;
    blob[rounds] = 1;
    return Pem.encode("OPENSSH PRIVATE KEY", blob);
  }

  /** DER of an EncryptedPrivateKeyInfo with these PBES2 parameters and 32 bytes of ciphertext. */
  private static byte[] encryptedPkcs8(KeyDerivationFunc kdf, ASN1ObjectIdentifier cipher) throws IOException {
    PBES2Parameters parameters = new PBES2Parameters(kdf,
        new EncryptionScheme(cipher, new DEROctetString(new byte[16])));
    return new EncryptedPrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2, parameters),
        new byte[32]).getEncoded();
  }

  private static int indexOf(byte[] data, byte[] part) {
    for (int i = 0; i + part.length <= data.length; i++) {
      if (Arrays.equals(Arrays.copyOfRange(data, i, i + part.length), part)) {
        return i;
      }
    }
    throw new AssertionError("not found");
  }

  private static ChallengeSigner p1363Signer(PrivateKey key) {
    ChallengeSigner der = ChallengeSigner.ofKey(key);
    return challenge -> SignatureEncodings.derToP1363(der.sign(challenge), 32);
  }

  static Path write(String name, String content) {
    try {
      return Files.writeString(ToolKeys.dir().resolve(name), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
