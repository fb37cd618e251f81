package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.ToolKeys.KeyFile;
import io.spiffe4j.internal.Pem;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Passwords, PEM bodies and key bytes never reach an exception message or a {@code toString()}: checked over every
 * failure {@link KeyErrorsTest} provokes (with each exception's causes) and over the objects that load successfully,
 * against the secrets {@link ToolKeys} and {@link OddKeys} registered with {@link SuiteSecrets}. The same texts are
 * recorded for the suite's final scan.
 */
class SecretsNotLeakedTest {

  @Test
  void failureMessagesNeverShowPasswordsPemBodiesOrKeyBytes() {
    OddKeys.get();
    int checked = 0;
    for (KeyErrorsTest.Scenario scenario : KeyErrorsTest.scenarios()) {
      Throwable failure = SuiteSecrets.assertThrows(Throwable.class, scenario.action);
      for (String text : SuiteSecrets.texts(failure)) {
        assertNoSecret(scenario + ": message", text);
        checked++;
      }
    }
    assertTrue(checked > 2 * KeyErrorsTest.scenarios().size(), "causes were checked too");
  }

  @Test
  void toStringsNeverShowKeyMaterial() {
    // Unencrypted files only: the encrypted ones hold the same keys, and toString() does not depend on the format.
    for (KeyFile file : unencryptedSigningKeys()) {
      ClientCertificate client = ClientCertificate.fromFiles(file.leafPem, file.path, file.password());
      assertNoSecret(file + ": ClientCertificate", SuiteSecrets.observeToString(client).toString());
      assertNoSecret(file + ": signer", SuiteSecrets.observeToString(client.signer()).toString());
    }
  }

  /**
   * The detector detects: a message quoting the private part of a PEM body, a private number, the key's bytes in hex
   * or its key-mode wire form would fail; the structure and public modulus at the start of a PEM body would not,
   * since certificates show them too.
   */
  @Test
  void detectorFindsPlantedSecrets() {
    KeyFile file = ToolKeys.file(ToolKeys.Format.PKCS8, ToolKeys.KeyType.RSA_2048);
    List<String> lines = file.text().lines().filter(line -> line.length() == 64).collect(Collectors.toList());
    assertTrue(leaks("bad key near " + lines.get(lines.size() - 2).substring(10, 40)));
    assertFalse(leaks("key header " + lines.get(0).substring(10, 40)));
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) PrivateKeys.load(file.path);
    assertTrue(leaks("d=" + key.getPrivateExponent()));
    assertTrue(leaks("p=" + key.getPrimeP().toString(16)));
    String hex = HexFormat.of().formatHex(key.getEncoded());
    assertTrue(leaks("der " + hex.substring(hex.length() - 200, hex.length() - 120)));
    assertTrue(leaks("DER " + hex.toUpperCase(java.util.Locale.ROOT).substring(hex.length() - 100,
        hex.length() - 70)));
    assertTrue(leaks("password " + ToolKeys.PASSWORD));
    String keyData = Base64.getEncoder().encodeToString(
        Pem.encode("PRIVATE KEY", key.getEncoded()).getBytes(StandardCharsets.US_ASCII));
    assertTrue(leaks("key-data " + keyData.substring(keyData.length() - 200, keyData.length() - 170)));
    String encrypted = ToolKeys.file(ToolKeys.Format.LEGACY_ENCRYPTED, ToolKeys.KeyType.EC_P384).text();
    assertTrue(leaks("ciphertext " + encrypted.lines().filter(line -> line.length() == 64)
        .reduce((first, second) -> second).orElseThrow().substring(20, 50)));
    assertFalse(leaks("key file /tmp/x.pem: malformed PKCS#8 private key"));
  }

  private static void assertNoSecret(String where, String text) {
    List<String> findings = SuiteSecrets.scanner().findings(where, text);
    if (!findings.isEmpty()) {
      throw new AssertionError(where + " shows secret material: " + findings);
    }
  }

  private static boolean leaks(String text) {
    ToolKeys.get();
    return !SuiteSecrets.scanner().findings("planted", text).isEmpty();
  }

  private static List<KeyFile> unencryptedSigningKeys() {
    return KeyFormatsTest.signingKeys().stream().filter(file -> !file.format.encrypted())
        .collect(Collectors.toList());
  }
}
