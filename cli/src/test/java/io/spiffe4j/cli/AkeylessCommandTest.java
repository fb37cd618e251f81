package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AkeylessCommandTest {
  private static final String PASSWORD = "Tr0ub4dor&3-cli";
  private static final byte[] CHALLENGE = "an Akeyless challenge".getBytes(StandardCharsets.UTF_8);
  private static final String CHALLENGE_BASE64 = Base64.getEncoder().encodeToString(CHALLENGE);

  @TempDir
  static Path dir;
  private static KeyPair ec;
  private static KeyPair rsa;
  private static Path ecKey;
  private static Path rsaKey;
  private static Path encryptedKey;
  private static Path passwordFile;

  @BeforeAll
  static void keys() throws Exception {
    ec = KeyAlgorithm.EC_P384.generate();
    rsa = KeyAlgorithm.RSA_2048.generate();
    ecKey = Files.writeString(dir.resolve("ec.pem"), Pem.encode("PRIVATE KEY", ec.getPrivate().getEncoded()));
    rsaKey = Files.writeString(dir.resolve("rsa.pem"), Pem.encode("PRIVATE KEY", rsa.getPrivate().getEncoded()));
    encryptedKey = dir.resolve("ec.encrypted.pem");
    openssl("pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", ecKey.toString(), "-passout", "pass:" + PASSWORD,
        "-out", encryptedKey.toString());
    passwordFile = Files.writeString(dir.resolve("password.txt"), PASSWORD + "\n");
  }

  @Test
  void printsASignatureTheCertificateKeyVerifies() throws Exception {
    CliRunner ecRun = CliRunner.run("akeyless", "challenge-sign", "--key", ecKey.toString(),
        "--challenge", CHALLENGE_BASE64);
    assertEquals(0, ecRun.exitCode, ecRun.err);
    assertEquals(1, ecRun.lines().size());
    assertTrue(verifies("SHA256withECDSA", ec.getPublic(), Base64.getDecoder().decode(ecRun.out.strip())));

    CliRunner rsaRun = CliRunner.run("akeyless", "challenge-sign", "--key", rsaKey.toString(),
        "--challenge", CHALLENGE_BASE64);
    assertEquals(0, rsaRun.exitCode, rsaRun.err);
    assertTrue(verifies("SHA256withRSA", rsa.getPublic(), Base64.getDecoder().decode(rsaRun.out.strip())));
  }

  @Test
  void decryptsWithThePasswordFile() throws Exception {
    CliRunner run = CliRunner.run("akeyless", "challenge-sign", "--key", encryptedKey.toString(),
        "--key-password-file", passwordFile.toString(), "--challenge", CHALLENGE_BASE64);
    assertEquals(0, run.exitCode, run.err);
    assertTrue(verifies("SHA256withECDSA", ec.getPublic(), Base64.getDecoder().decode(run.out.strip())));
  }

  @Test
  void wrongOrMissingPasswordExitsOneAndNeverEchoesIt() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong.txt"), PASSWORD + "-wrong\r\n");
    CliRunner run = CliRunner.run("akeyless", "challenge-sign", "--key", encryptedKey.toString(),
        "--key-password-file", wrong.toString(), "--challenge", CHALLENGE_BASE64);
    assertEquals(1, run.exitCode);
    assertEquals("spiffe4j: key file " + encryptedKey + ": cannot decrypt the private key: wrong password, or the"
        + " encrypted key is corrupted", run.err.strip());
    assertFalse(run.err.contains(PASSWORD));
    assertEquals("", run.out);

    CliRunner missing = CliRunner.run("akeyless", "challenge-sign", "--key", encryptedKey.toString(),
        "--challenge", CHALLENGE_BASE64);
    assertEquals(1, missing.exitCode);
    assertTrue(missing.err.contains("a password is required"), missing.err);
  }

  @Test
  void unusableKeysExitOne() throws Exception {
    KeyPair ed25519 = KeyAlgorithm.ED25519.generate();
    Path edKey = Files.writeString(dir.resolve("ed.pem"), Pem.encode("PRIVATE KEY", ed25519.getPrivate().getEncoded()));
    CliRunner run = CliRunner.run("akeyless", "challenge-sign", "--key", edKey.toString(), "--challenge", "AAAA");
    assertEquals(1, run.exitCode);
    assertTrue(run.err.contains("Ed25519 keys cannot sign Akeyless certificate challenges"), run.err);

    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
    assertEquals(1, CliRunner.run("akeyless", "challenge-sign", "--key", garbage.toString(), "--challenge", "AAAA")
        .exitCode);
  }

  @Test
  void unreadableFilesExitThree() {
    CliRunner missingKey = CliRunner.run("akeyless", "challenge-sign", "--key", dir.resolve("absent.pem").toString(),
        "--challenge", CHALLENGE_BASE64);
    assertEquals(3, missingKey.exitCode);
    assertEquals("spiffe4j: cannot read key file " + dir.resolve("absent.pem") + ": no such file",
        missingKey.err.strip());
    CliRunner missingPassword = CliRunner.run("akeyless", "challenge-sign", "--key", encryptedKey.toString(),
        "--key-password-file", dir.resolve("absent.txt").toString(), "--challenge", CHALLENGE_BASE64);
    assertEquals(3, missingPassword.exitCode);
  }

  @Test
  void usageErrorsExitTwo() {
    CliRunner badChallenge = CliRunner.run("akeyless", "challenge-sign", "--key", ecKey.toString(),
        "--challenge", "not base64!");
    assertEquals(2, badChallenge.exitCode);
    assertTrue(badChallenge.err.contains("--challenge: the challenge is not standard base64"), badChallenge.err);
    assertEquals(2, CliRunner.run("akeyless", "challenge-sign", "--key", ecKey.toString(), "--challenge", "")
        .exitCode);
    assertEquals(2, CliRunner.run("akeyless", "challenge-sign", "--key", ecKey.toString()).exitCode);
    assertEquals(2, CliRunner.run("akeyless", "challenge-sign", "--challenge", CHALLENGE_BASE64).exitCode);
    assertEquals(2, CliRunner.run("akeyless", "challenge-sign", "--key", encryptedKey.toString(),
        "--key-password-file", passwordFile.toString(), "--key-password-env", "X", "--challenge", CHALLENGE_BASE64)
        .exitCode);
    CliRunner unset = CliRunner.run("akeyless", "challenge-sign", "--key", encryptedKey.toString(),
        "--key-password-env", "SPIFFE4J_TEST_SURELY_UNSET_VARIABLE", "--challenge", CHALLENGE_BASE64);
    assertEquals(2, unset.exitCode);
    assertTrue(unset.err.contains("SPIFFE4J_TEST_SURELY_UNSET_VARIABLE is not set"), unset.err);
  }

  private static boolean verifies(String algorithm, PublicKey key, byte[] signature) throws Exception {
    Signature verifier = Signature.getInstance(algorithm);
    verifier.initVerify(key);
    verifier.update(CHALLENGE);
    return verifier.verify(signature);
  }

  private static void openssl(String... args) throws IOException, InterruptedException {
    String[] command = new String[args.length + 1];
    command[0] = "openssl";
    System.arraycopy(args, 0, command, 1, args.length);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError("openssl is required by this test (it encrypts the key) but cannot be run: "
          + e.getMessage(), e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, process.exitValue(), output);
  }
}
