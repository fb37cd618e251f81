package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.ToolKeys.Format;
import io.spiffe4j.certauth.ToolKeys.KeyFile;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/** Arbitrary and mutated key and certificate input: a typed CertAuthException or a valid value, nothing else. */
class PrivateKeysProperties {
  private static final Set<String> ALGORITHMS = Set.of("RSA", "EC", "EdDSA");

  /** One edit: insert, delete or replace a character, or cut the text there. */
  private static String mutate(String text, int position, char c, int operation) {
    int i = position % (text.length() + 1);
    switch (operation) {
      case 0:
        return text.substring(0, i) + c + text.substring(i);
      case 1:
        return i < text.length() ? text.substring(0, i) + text.substring(i + 1) : text;
      case 2:
        return i < text.length() ? text.substring(0, i) + c + text.substring(i + 1) : text + c;
      default:
        return text.substring(0, i);
    }
  }

  @Provide
  Arbitrary<KeyFile> pemKeyFiles() {
    return Arbitraries.of(ToolKeys.all().stream().filter(f -> !f.path.toString().endsWith(".der"))
        .collect(Collectors.toList()));
  }

  @Provide
  Arbitrary<KeyFile> derKeyFiles() {
    return Arbitraries.of(ToolKeys.all().stream().filter(f -> f.path.toString().endsWith(".der"))
        .collect(Collectors.toList()));
  }

  /** A character that keeps base64 plausible half of the time, anything else otherwise. */
  @Provide
  Arbitrary<Character> edits() {
    return Arbitraries.oneOf(Arbitraries.chars().with("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n-:"),
        Arbitraries.chars());
  }

  @Property(tries = 300)
  void mutatedPemEndsInKeyOrTypedError(@ForAll("pemKeyFiles") KeyFile file, @ForAll int position,
      @ForAll("edits") char c, @ForAll("operations") int operation) {
    String mutated = mutate(file.text(), Math.abs(position % 100_000), c, operation);
    // Encrypted OpenSSH keys are parsed without a password: a mutated bcrypt round count may otherwise cost seconds.
    char[] password = file.format == Format.OPENSSH_ENCRYPTED ? null : file.password();
    assertKeyOrTypedError(() -> PrivateKeys.parse(mutated, password));
  }

  @Property(tries = 200)
  void mutatedDerEndsInKeyOrTypedError(@ForAll("derKeyFiles") KeyFile file, @ForAll int position,
      @ForAll byte value, @ForAll("operations") int operation) {
    byte[] der = file.bytes();
    int i = Math.abs(position % der.length);
    byte[] mutated;
    switch (operation) {
      case 0:
        mutated = der.clone();
        mutated[i] ^= value == 0 ? 1 : value;
        break;
      case 1:
        mutated = Arrays.copyOf(der, i);
        break;
      default:
        mutated = new byte[der.length + 1];
        System.arraycopy(der, 0, mutated, 0, i);
        mutated[i] = value;
        System.arraycopy(der, i, mutated, i + 1, der.length - i);
    }
    assertKeyOrTypedError(() -> PrivateKeys.parse(mutated, file.password()));
  }

  @Provide
  Arbitrary<Integer> operations() {
    return Arbitraries.integers().between(0, 3);
  }

  @Provide
  Arbitrary<String> framedGarbage() {
    Arbitrary<String> labels = Arbitraries.of("PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "RSA PRIVATE KEY",
        "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "EC PARAMETERS", "CERTIFICATE", "DSA PRIVATE KEY");
    Arbitrary<byte[]> bodies = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300);
    return Combinators.combine(labels, bodies).as((label, body) -> "-----BEGIN " + label + "-----\n"
        + Base64.getMimeEncoder().encodeToString(body) + "\n-----END " + label + "-----\n");
  }

  @Property(tries = 200)
  void framedGarbageEndsInTypedError(@ForAll("framedGarbage") String pem) {
    assertKeyOrTypedError(() -> PrivateKeys.parse(pem, "pw".toCharArray()));
    assertCertificatesOrTypedError(() -> Certificates.parse(pem));
  }

  @Property(tries = 200)
  void arbitraryTextEndsInTypedError(@ForAll String text) {
    assertKeyOrTypedError(() -> PrivateKeys.parse(text));
    assertCertificatesOrTypedError(() -> Certificates.parse(text));
  }

  @Property(tries = 200)
  void mutatedCertificatesEndInChainOrTypedError(@ForAll("pemKeyFiles") KeyFile file, @ForAll int position,
      @ForAll("edits") char c, @ForAll("operations") int operation) {
    String pem = new String(readLeaf(file), StandardCharsets.US_ASCII);
    String mutated = mutate(pem, Math.abs(position % 100_000), c, operation);
    assertCertificatesOrTypedError(() -> Certificates.parse(mutated));
  }

  private static byte[] readLeaf(KeyFile file) {
    try {
      return java.nio.file.Files.readAllBytes(file.leafPem);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Also counts the outcomes (jqwik's report shows them), so a property that only ever fails one way shows. */
  private static void assertKeyOrTypedError(java.util.function.Supplier<PrivateKey> parse) {
    PrivateKey key;
    try {
      key = parse.get();
    } catch (CertAuthException expected) {
      SuiteSecrets.observe(expected);
      assertTrue(expected.getMessage().startsWith("private key"), expected.getMessage());
      Statistics.collect(expected.kind().name());
      return;
    }
    assertTrue(ALGORITHMS.contains(key.getAlgorithm()), key.getAlgorithm());
    Statistics.collect("valid key");
  }

  private static void assertCertificatesOrTypedError(java.util.function.Supplier<List<X509Certificate>> parse) {
    try {
      assertTrue(!parse.get().isEmpty());
    } catch (CertAuthException expected) {
      SuiteSecrets.observe(expected);
      assertTrue(expected.getMessage().startsWith("certificates"), expected.getMessage());
    }
  }
}
