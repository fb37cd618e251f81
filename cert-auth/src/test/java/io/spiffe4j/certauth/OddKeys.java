package io.spiffe4j.certauth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Unusual key files, written by openssl once per run next to {@link ToolKeys}' files: curves and algorithms
 * Akeyless does not verify, which this library must refuse, and encryption schemes beyond openssl's defaults. Their
 * contents (keys this library does not read, or ciphertext) are registered with {@link SuiteSecrets} as opaque.
 */
final class OddKeys {
  private static OddKeys instance;

  final Path secp256k1Pkcs8;
  final Path secp256k1Sec1;
  final Path explicitCurveParameters;
  final Path ed448;
  final Path x25519;
  final Path rsaPss;
  /** Encrypted PKCS#8 beyond openssl's default: scrypt, 3DES, AES-128 with HMAC-SHA-512, PKCS#12 PBE-SHA1-3DES. */
  final List<Path> otherEncryptions;
  /** Encrypted PKCS#8 with Camellia, a cipher the JDK lacks. */
  final Path camellia;

  private OddKeys(Path dir) {
    secp256k1Pkcs8 = generate(dir, "secp256k1.pem", "openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
        "ec_paramgen_curve:secp256k1");
    secp256k1Sec1 = generate(dir, "secp256k1.sec1.pem", "openssl", "pkey", "-in", "secp256k1.pem", "-traditional");
    explicitCurveParameters = generate(dir, "explicit.pem", "openssl", "ec", "-in",
        ToolKeys.file(ToolKeys.Format.PKCS8, ToolKeys.KeyType.EC_P256).path.toString(), "-param_enc", "explicit");
    ed448 = generate(dir, "ed448.pem", "openssl", "genpkey", "-algorithm", "ed448");
    x25519 = generate(dir, "x25519.pem", "openssl", "genpkey", "-algorithm", "x25519");
    rsaPss = generate(dir, "rsa-pss.pem", "openssl", "genpkey", "-algorithm", "RSA-PSS", "-pkeyopt",
        "rsa_keygen_bits:2048");
    String p256 = ToolKeys.file(ToolKeys.Format.PKCS8, ToolKeys.KeyType.EC_P256).path.toString();
    otherEncryptions = List.of(
        generate(dir, "scrypt.pem", "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-scrypt", "-in", p256,
            "-passout", "pass:" + ToolKeys.PASSWORD),
        generate(dir, "des3.pem", "openssl", "pkcs8", "-topk8", "-v2", "des3", "-in", p256,
            "-passout", "pass:" + ToolKeys.PASSWORD),
        generate(dir, "aes128-sha512.pem", "openssl", "pkcs8", "-topk8", "-v2", "aes-128-cbc", "-v2prf",
            "hmacWithSHA512", "-in", p256, "-passout", "pass:" + ToolKeys.PASSWORD),
        generate(dir, "pbe-sha1-3des.pem", "openssl", "pkcs8", "-topk8", "-v1", "PBE-SHA1-3DES", "-in", p256,
            "-passout", "pass:" + ToolKeys.PASSWORD));
    camellia = generate(dir, "camellia.pem", "openssl", "pkcs8", "-topk8", "-v2", "camellia-256-cbc", "-in", p256,
        "-passout", "pass:" + ToolKeys.PASSWORD);
    for (Path file : List.of(secp256k1Pkcs8, secp256k1Sec1, explicitCurveParameters, ed448, x25519, rsaPss,
        camellia)) {
      SuiteSecrets.keyFile("odd key file", file, null);
    }
    otherEncryptions.forEach(file -> SuiteSecrets.keyFile("odd key file", file, null));
  }

  static synchronized OddKeys get() {
    if (instance == null) {
      instance = new OddKeys(ToolKeys.dir());
    }
    return instance;
  }

  private static Path generate(Path dir, String out, String... command) {
    String[] full = java.util.Arrays.copyOf(command, command.length + 2);
    full[command.length] = "-out";
    full[command.length + 1] = out;
    Tools.run(dir, full);
    return dir.resolve(out);
  }

  static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
