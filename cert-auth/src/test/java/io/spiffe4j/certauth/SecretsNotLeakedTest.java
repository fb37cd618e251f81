package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.ToolKeys.KeyFile;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Passwords, PEM bodies and key bytes never reach an exception message or a {@code toString()}: checked over every
 * failure {@link KeyErrorsTest} provokes (with each exception's causes) and over the objects that load successfully.
 */
class SecretsNotLeakedTest {
  private static Set<String> secrets;

  @Test
  void failureMessagesNeverShowPasswordsPemBodiesOrKeyBytes() {
    Set<String> secrets = secrets();
    int checked = 0;
    for (KeyErrorsTest.Scenario scenario : KeyErrorsTest.scenarios()) {
      Throwable failure = assertThrows(Throwable.class, scenario.action);
      for (Throwable t = failure; t != null; t = t.getCause()) {
        assertNoSecret(secrets, scenario + ": message", t.getMessage());
        assertNoSecret(secrets, scenario + ": toString", t.toString());
        checked++;
      }
    }
    assertTrue(checked > KeyErrorsTest.scenarios().size(), "causes were checked too");
  }

  @Test
  void toStringsNeverShowKeyMaterial() {
    Set<String> secrets = secrets();
    // Unencrypted files only: the encrypted ones hold the same keys, and toString() does not depend on the format.
    for (KeyFile file : unencryptedSigningKeys()) {
      ClientCertificate client = ClientCertificate.fromFiles(file.leafPem, file.path, file.password());
      assertNoSecret(secrets, file + ": ClientCertificate", client.toString());
      assertNoSecret(secrets, file + ": signer", client.signer().toString());
    }
  }

  /** The detector detects: a message quoting a PEM line or a key's private exponent would fail. */
  @Test
  void detectorFindsPlantedSecrets() {
    Set<String> secrets = secrets();
    KeyFile file = KeyFormatsTest.signingKeys().get(0);
    String pemLine = file.text().lines().filter(line -> line.length() == 64).findFirst().orElseThrow();
    assertTrue(leaks(secrets, "bad key near " + pemLine.substring(10, 40)));
    RSAPrivateCrtKey key = (RSAPrivateCrtKey) PrivateKeys.load(
        ToolKeys.file(ToolKeys.Format.PKCS8, ToolKeys.KeyType.RSA_2048).path);
    assertTrue(leaks(secrets, "d=" + key.getPrivateExponent()));
    assertTrue(leaks(secrets, "p=" + key.getPrimeP().toString(16)));
    assertTrue(leaks(secrets, "der " + HexFormat.of().formatHex(key.getEncoded()).substring(100, 180)));
    assertTrue(leaks(secrets, "password " + ToolKeys.PASSWORD));
    assertFalse(leaks(secrets, "key file /tmp/x.pem: malformed PKCS#8 private key"));
  }

  private static void assertNoSecret(Set<String> secrets, String where, String text) {
    if (text != null && leaks(secrets, text)) {
      throw new AssertionError(where + " shows secret material: " + text);
    }
  }

  private static boolean leaks(Set<String> secrets, String text) {
    for (String secret : secrets) {
      if (text.contains(secret)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The password; every 24-character window of every base64 body in every key file; hex of every 16-byte window of
   * every key's DER; the leading digits of every private number in decimal and hex.
   */
  private static synchronized Set<String> secrets() {
    if (secrets == null) {
      secrets = collectSecrets();
    }
    return secrets;
  }

  private static Set<String> collectSecrets() {
    Set<String> secrets = new LinkedHashSet<>();
    secrets.add(ToolKeys.PASSWORD);
    List<Path> files = new ArrayList<>();
    ToolKeys.all().forEach(file -> files.add(file.path));
    OddKeys odd = OddKeys.get();
    files.addAll(List.of(odd.secp256k1Pkcs8, odd.secp256k1Sec1, odd.explicitCurveParameters, odd.ed448, odd.x25519,
        odd.rsaPss, odd.camellia));
    files.addAll(odd.otherEncryptions);
    for (Path file : files) {
      byte[] bytes = readBytes(file);
      String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
      String base64 = text.contains("-----BEGIN") ? bodyOf(text) : Base64.getEncoder().encodeToString(bytes);
      addWindows(secrets, base64, 24, 4);
      addWindows(secrets, HexFormat.of().formatHex(bytes), 32, 16);
    }
    for (KeyFile file : unencryptedSigningKeys()) { // the encrypted files hold the same keys
      PrivateKey key = PrivateKeys.load(file.path);
      if (key instanceof RSAPrivateCrtKey) {
        RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
        for (BigInteger secret : List.of(rsa.getPrivateExponent(), rsa.getPrimeP(), rsa.getPrimeQ())) {
          addNumber(secrets, secret);
        }
      } else {
        addNumber(secrets, ((ECPrivateKey) key).getS());
      }
      addWindows(secrets, HexFormat.of().formatHex(key.getEncoded()), 32, 16);
    }
    return secrets;
  }

  private static List<KeyFile> unencryptedSigningKeys() {
    return KeyFormatsTest.signingKeys().stream().filter(file -> !file.format.encrypted())
        .collect(java.util.stream.Collectors.toList());
  }

  private static String bodyOf(String pem) {
    StringBuilder body = new StringBuilder();
    for (String line : pem.split("\n")) {
      if (!line.startsWith("-----") && !line.contains(":") && !line.isBlank()) {
        body.append(line.strip());
      }
    }
    return body.toString();
  }

  private static void addWindows(Set<String> secrets, String text, int width, int stride) {
    for (int i = 0; i + width <= text.length(); i += stride) {
      secrets.add(text.substring(i, i + width));
      secrets.add(text.substring(i, i + width).toUpperCase(java.util.Locale.ROOT));
    }
  }

  private static void addNumber(Set<String> secrets, BigInteger number) {
    secrets.add(number.toString().substring(0, 24));
    secrets.add(number.toString(16).substring(0, 24));
  }

  private static byte[] readBytes(Path file) {
    try {
      return java.nio.file.Files.readAllBytes(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
