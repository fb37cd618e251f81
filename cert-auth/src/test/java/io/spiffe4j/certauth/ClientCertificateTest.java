package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.CertAuthException.Kind;
import io.spiffe4j.certauth.FakeTokenProvider.TokenKey;
import io.spiffe4j.certauth.ToolKeys.Format;
import io.spiffe4j.certauth.ToolKeys.KeyFile;
import io.spiffe4j.certauth.ToolKeys.KeyType;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class ClientCertificateTest {
  private static final byte[] CHALLENGE = {1, 2, 3, 4, 5, 6, 7, 8};

  @Test
  void certDataIsTheChainAsPemBlocksLeafFirstAndNothingElse() throws Exception {
    KeyPair intermediateKeys = KeyAlgorithm.EC_P384.generate();
    SuiteSecrets.privateKey("intermediate CA key", intermediateKeys.getPrivate());
    X509Certificate intermediate = CertificateMinter.bare(intermediateKeys.getPublic())
        .subject(new X500Principal("CN=intermediate")).ca(true)
        .issuedBy(ToolKeys.ca(), ToolKeys.get().caKeys.getPrivate()).sign(null);
    KeyFile key = ToolKeys.file(Format.TRADITIONAL, KeyType.RSA_2048);
    X509Certificate leaf = CertificateMinter.bare(key.publicKey).subject(new X500Principal("CN=client"))
        .issuedBy(intermediate, intermediateKeys.getPrivate()).sign(null);
    // A combined file, as some tools write it: comment, leaf, key, intermediate.
    Path combined = KeyErrorsTest.write("combined.pem", "client certificate and key\n"
        + Pem.encode("CERTIFICATE", leaf.getEncoded()) + key.text() + Pem.encode("CERTIFICATE",
        intermediate.getEncoded()));

    ClientCertificate client = ClientCertificate.fromFiles(combined, combined);

    assertEquals(List.of(leaf, intermediate), client.chain());
    assertSame(client.chain().get(0), client.leaf());
    String pem = new String(Base64.getDecoder().decode(client.certData()), StandardCharsets.US_ASCII);
    assertEquals(Pem.encode("CERTIFICATE", leaf.getEncoded()) + Pem.encode("CERTIFICATE", intermediate.getEncoded()),
        pem);
    assertFalse(pem.contains("PRIVATE KEY"));
    assertEquals(List.of(leaf, intermediate), Certificates.parse(pem));
  }

  @Test
  void derCertificateFilesLoad() throws Exception {
    KeyFile key = ToolKeys.file(Format.PKCS8_DER, KeyType.EC_P384);
    Path der = ToolKeys.dir().resolve("leaf.der");
    java.nio.file.Files.write(der, key.leaf.getEncoded());
    ClientCertificate client = ClientCertificate.fromFiles(der, key.path);
    assertEquals(List.of(key.leaf), client.chain());
    assertTrue(KeyFormatsTest.verify(key.publicKey, "EC", CHALLENGE, client.signer().sign(CHALLENGE)));
  }

  @Test
  void toStringShowsSubjectSerialAndKeyTypeOnly() {
    KeyFile key = ToolKeys.file(Format.PKCS8, KeyType.EC_P521);
    ClientCertificate client = ClientCertificate.fromFiles(key.leafPem, key.path);
    assertEquals("ClientCertificate[subject=" + key.leaf.getSubjectX500Principal().getName() + ", serial="
        + key.leaf.getSerialNumber().toString(16) + ", key=EC P-521]", client.toString());
    assertEquals("ChallengeSigner[SHA256withECDSA, EC P-521 key]", client.signer().toString());
    KeyFile rsa = ToolKeys.file(Format.OPENSSH, KeyType.RSA_4096);
    assertTrue(ClientCertificate.fromFiles(rsa.leafPem, rsa.path).toString().endsWith(", key=RSA 4096]"));
  }

  @Test
  void rsaWireSignatureIsStandardBase64OfTheDeterministicSignature() {
    KeyFile key = ToolKeys.file(Format.TRADITIONAL, KeyType.RSA_2048);
    ClientCertificate client = ClientCertificate.fromFiles(key.leafPem, key.path);
    String challenge = Base64.getEncoder().encodeToString(CHALLENGE);
    String signature = client.signChallenge(" " + challenge + "\n");
    assertEquals(Base64.getEncoder().encodeToString(client.signer().sign(CHALLENGE)), signature);
    assertEquals(256, Base64.getDecoder().decode(signature).length);
    assertEquals(signature, client.signChallenge(challenge.replace("=", "")), "padding is optional on input");
  }

  @Test
  void opaqueTokenKeyIsCheckedWithAProbeThroughItsProvider() throws Exception {
    KeyFile key = ToolKeys.file(Format.PKCS8, KeyType.EC_P256);
    KeyFile other = ToolKeys.file(Format.OPENSSH, KeyType.EC_P256);
    FakeTokenProvider token = new FakeTokenProvider();
    TokenKey handle = new TokenKey(PrivateKeys.load(key.path));

    ClientCertificate named = ClientCertificate.of(List.of(key.leaf), ChallengeSigner.ofKey(handle, token));
    assertTrue(KeyFormatsTest.verify(key.publicKey, "EC", CHALLENGE, named.signer().sign(CHALLENGE)));
    assertEquals("ChallengeSigner[SHA256withECDSA, EC key, provider SPIFFE4J-FAKE-TOKEN]", named.signer().toString());

    // Installed, as a configured SunPKCS11 is: JCA's delayed provider selection finds the token for the handle.
    Security.addProvider(token);
    try {
      ClientCertificate selected = ClientCertificate.of(List.of(key.leaf), handle);
      assertTrue(KeyFormatsTest.verify(key.publicKey, "EC", CHALLENGE, selected.signer().sign(CHALLENGE)));
      KeyErrorsTest.expect(Kind.KEY_MISMATCH, () -> ClientCertificate.of(List.of(other.leaf), handle));
    } finally {
      Security.removeProvider(token.getName());
    }
    CertAuthException noProvider = KeyErrorsTest.expect(Kind.SIGNING_FAILED,
        () -> ClientCertificate.of(List.of(key.leaf), handle));
    assertTrue(noProvider.getMessage().contains("cannot sign with the EC key (SHA256withECDSA)"),
        noProvider.getMessage());
  }

  @Test
  void externalSignerFailuresAfterTheProbeAreTypedToo() {
    KeyFile key = ToolKeys.file(Format.PKCS8, KeyType.RSA_2048);
    ChallengeSigner real = ChallengeSigner.ofKey(PrivateKeys.load(key.path));
    AtomicBoolean broken = new AtomicBoolean();
    ClientCertificate client = ClientCertificate.of(List.of(key.leaf), challenge -> {
      if (broken.get()) {
        throw new IllegalStateException("KMS throttled");
      }
      return real.sign(challenge);
    });
    assertTrue(client.signChallenge("AQID").length() > 0);
    broken.set(true);
    CertAuthException e = KeyErrorsTest.expect(Kind.SIGNING_FAILED, () -> client.signChallenge("AQID"));
    assertEquals("the external signer failed: java.lang.IllegalStateException", e.getMessage());
    assertEquals("KMS throttled", e.getCause().getMessage());
  }

  @Test
  void externalSignerNeverSeesTheCallersArray() {
    KeyFile key = ToolKeys.file(Format.PKCS8, KeyType.EC_P256);
    ChallengeSigner real = ChallengeSigner.ofKey(PrivateKeys.load(key.path));
    ClientCertificate client = ClientCertificate.of(List.of(key.leaf), challenge -> {
      byte[] signature = real.sign(challenge);
      challenge[0] ^= 1;
      return signature;
    });
    byte[] challenge = CHALLENGE.clone();
    client.signer().sign(challenge);
    assertArrayEquals(CHALLENGE, challenge);
  }

  @Test
  void signersAreThreadSafe() throws Exception {
    KeyFile key = ToolKeys.file(Format.LEGACY_ENCRYPTED, KeyType.EC_P384);
    ChallengeSigner signer = ClientCertificate.fromFiles(key.leafPem, key.path, key.password()).signer();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        byte[] challenge = KeyErrorsTest.randomBytes(16 + i);
        results.add(pool.submit(() -> KeyFormatsTest.verify(key.publicKey, "EC", challenge, signer.sign(challenge))));
      }
      for (Future<Boolean> result : results) {
        assertTrue(result.get());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void p1363ToDerRejectsOddLengthsAndZero() {
    KeyErrorsTest.expect(Kind.SIGNING_FAILED, () -> ChallengeSigner.ecdsaP1363ToDer(new byte[63]));
    KeyErrorsTest.expect(Kind.SIGNING_FAILED, () -> ChallengeSigner.ecdsaP1363ToDer(new byte[0]));
    KeyErrorsTest.expect(Kind.SIGNING_FAILED, () -> ChallengeSigner.ecdsaP1363ToDer(new byte[64]));
    byte[] rs = new byte[64];
    rs[31] = 1;
    rs[32] = (byte) 0x80;
    assertArrayEquals(new byte[] {0x30, 0x26, 0x02, 0x01, 0x01, 0x02, 0x21, 0x00, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, ChallengeSigner.ecdsaP1363ToDer(rs));
  }

  @Test
  void inProcessKeyOfAnotherTypeOrSizeIsAMismatch() {
    PrivateKey rsa4096 = PrivateKeys.load(ToolKeys.file(Format.PKCS8, KeyType.RSA_4096).path);
    X509Certificate rsa2048Leaf = ToolKeys.file(Format.PKCS8, KeyType.RSA_2048).leaf;
    KeyErrorsTest.expect(Kind.KEY_MISMATCH, () -> ClientCertificate.of(List.of(rsa2048Leaf), rsa4096));
    PrivateKey p384 = PrivateKeys.load(ToolKeys.file(Format.PKCS8, KeyType.EC_P384).path);
    X509Certificate p256Leaf = ToolKeys.file(Format.PKCS8, KeyType.EC_P256).leaf;
    KeyErrorsTest.expect(Kind.KEY_MISMATCH, () -> ClientCertificate.of(List.of(p256Leaf), p384));
  }
}
