package io.spiffe4j.certauth;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.security.auth.x500.X500Principal;

/**
 * Key files in every supported format, written by the real tools ({@code openssl}, {@code ssh-keygen}), never by
 * the code under test; generated once per test run in a temporary directory (RSA-4096 generation is slow). Each file
 * comes with its public key as the tool exported it, and a leaf certificate for that key issued by a test CA. Every
 * file's contents, the password and every key's private numbers are registered with {@link SuiteSecrets}.
 */
final class ToolKeys {
  /** Distinctive, so that tests can prove it never appears in a message. */
  static final String PASSWORD = "Tr0ub4dor&3-kX9q";

  enum KeyType {
    RSA_2048("RSA", "rsa", "2048"),
    RSA_4096("RSA", "rsa", "4096"),
    EC_P256("EC", "ecdsa", "256"),
    EC_P384("EC", "ecdsa", "384"),
    EC_P521("EC", "ecdsa", "521"),
    ED25519("Ed25519", "ed25519", null);

    final String jcaName;
    final String sshType;
    final String size;

    KeyType(String jcaName, String sshType, String size) {
      this.jcaName = jcaName;
      this.sshType = sshType;
      this.size = size;
    }

    boolean signsChallenges() {
      return this != ED25519;
    }

    String[] genpkey(String out) {
      switch (this) {
        case ED25519:
          return new String[] {"openssl", "genpkey", "-algorithm", "ed25519", "-out", out};
        case RSA_2048:
        case RSA_4096:
          return new String[] {"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:" + size,
              "-out", out};
        default:
          return new String[] {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
              "ec_paramgen_curve:P-" + size, "-out", out};
      }
    }

    String opensslCurve() {
      return "256".equals(size) ? "prime256v1" : "secp" + size + "r1";
    }
  }

  enum Format {
    /** {@code openssl genpkey}: PEM PKCS#8. */
    PKCS8,
    /** {@code openssl pkey -traditional}: PKCS#1 for RSA, SEC1 for EC. */
    TRADITIONAL,
    /** {@code openssl ecparam -genkey}: an EC PARAMETERS block, then SEC1. */
    EC_WITH_PARAMETERS,
    /** {@code openssl pkcs8 -topk8 -v2 aes-256-cbc}. */
    ENCRYPTED_PKCS8,
    /** The same, DER. */
    ENCRYPTED_PKCS8_DER,
    /** {@code openssl pkey -traditional -aes256}: Proc-Type: 4,ENCRYPTED. */
    LEGACY_ENCRYPTED,
    /** {@code openssl pkey -outform DER}. */
    PKCS8_DER,
    /** {@code ssh-keygen -N ''}: openssh-key-v1. */
    OPENSSH,
    /** {@code ssh-keygen -p -N PASSWORD}: openssh-key-v1 with aes256-ctr and bcrypt. */
    OPENSSH_ENCRYPTED;

    boolean encrypted() {
      return this == ENCRYPTED_PKCS8 || this == ENCRYPTED_PKCS8_DER || this == LEGACY_ENCRYPTED
          || this == OPENSSH_ENCRYPTED;
    }

    boolean appliesTo(KeyType type) {
      switch (this) {
        case OPENSSH:
        case OPENSSH_ENCRYPTED:
        case PKCS8:
          return true;
        case EC_WITH_PARAMETERS:
          return "EC".equals(type.jcaName);
        default:
          return type != KeyType.ED25519;
      }
    }
  }

  /** One key file with its independently exported public key and a certificate for it. */
  static final class KeyFile {
    final Format format;
    final KeyType type;
    final Path path;
    /** PEM SubjectPublicKeyInfo as the tool exported it (null for Ed25519 from ssh-keygen). */
    final Path publicKeyPem;
    final PublicKey publicKey;
    final X509Certificate leaf;
    final Path leafPem;

    KeyFile(Format format, KeyType type, Path path, Path publicKeyPem, PublicKey publicKey, X509Certificate leaf,
        Path leafPem) {
      this.format = format;
      this.type = type;
      this.path = path;
      this.publicKeyPem = publicKeyPem;
      this.publicKey = publicKey;
      this.leaf = leaf;
      this.leafPem = leafPem;
    }

    char[] password() {
      return format.encrypted() ? PASSWORD.toCharArray() : null;
    }

    String text() {
      try {
        return Files.readString(path, StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    byte[] bytes() {
      try {
        return Files.readAllBytes(path);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public String toString() {
      return format + " " + type;
    }
  }

  private static ToolKeys instance;
  private static Error failure;

  final Path dir;
  final KeyPair caKeys;
  final X509Certificate ca;
  final List<KeyFile> files;

  private ToolKeys(Path dir, KeyPair caKeys, X509Certificate ca, List<KeyFile> files) {
    this.dir = dir;
    this.caKeys = caKeys;
    this.ca = ca;
    this.files = files;
  }

  /** The files, generated on first use; a failure (a tool missing) is reported again to every caller. */
  static synchronized ToolKeys get() {
    if (failure != null) {
      throw failure;
    }
    if (instance == null) {
      try {
        instance = generate();
        instance.registerSecrets();
      } catch (Error e) {
        failure = e;
        throw e;
      } catch (Exception e) {
        failure = new AssertionError("cannot generate the test key files", e);
        throw failure;
      }
    }
    return instance;
  }

  static List<KeyFile> all() {
    return get().files;
  }

  static KeyFile file(Format format, KeyType type) {
    return all().stream().filter(f -> f.format == format && f.type == type).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no " + format + " file for " + type));
  }

  static Path dir() {
    return get().dir;
  }

  /** A certificate for {@code key} issued by the test CA. */
  static X509Certificate certificateFor(PublicKey key, String commonName) {
    ToolKeys keys = get();
    return mintLeaf(key, commonName, keys.ca, keys.caKeys);
  }

  static X509Certificate ca() {
    return get().ca;
  }

  private static ToolKeys generate() throws Exception {
    Path dir = Files.createTempDirectory("spiffe4j-certauth-keys");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
    Tools.run(dir, "openssl", "version");
    // ssh-keygen has no version flag; its usage text (exit 1) proves it runs.
    Tools.runAllowingFailure(dir, "ssh-keygen", "-?");
    KeyPair caKeys = KeyAlgorithm.EC_P256.generate();
    X509Certificate ca = CertificateMinter.ca(caKeys.getPublic(), SpiffeId.parse("spiffe://certauth.test"))
        .sign(caKeys.getPrivate());
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<List<KeyFile>>> jobs = new ArrayList<>();
      for (KeyType type : KeyType.values()) {
        jobs.add(pool.submit(() -> opensslFiles(dir, type, ca, caKeys)));
        jobs.add(pool.submit(() -> sshFiles(dir, type, ca, caKeys)));
        if (Format.EC_WITH_PARAMETERS.appliesTo(type)) {
          jobs.add(pool.submit(() -> List.of(ecWithParameters(dir, type, ca, caKeys))));
        }
      }
      List<KeyFile> files = new ArrayList<>();
      for (Future<List<KeyFile>> job : jobs) {
        files.addAll(job.get());
      }
      return new ToolKeys(dir, caKeys, ca, List.copyOf(files));
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * Tells the suite's secret scan about the password, every file's contents and every key's private numbers (the
   * encrypted files hold the same keys as the unencrypted ones).
   */
  private void registerSecrets() {
    SuiteSecrets.secret("tool key password", PASSWORD);
    SuiteSecrets.privateKey("tool key CA key", caKeys.getPrivate());
    for (KeyFile file : files) {
      PrivateKey key = file.format.encrypted() ? null : PrivateKeys.load(file.path);
      SuiteSecrets.keyFile("tool key file", file.path, key);
      if (key != null) {
        SuiteSecrets.privateKey("tool key", key);
      }
    }
  }

  /** One key from {@code openssl genpkey}, converted by openssl into every format it applies to. */
  private static List<KeyFile> opensslFiles(Path dir, KeyType type, X509Certificate ca, KeyPair caKeys) {
    String base = "openssl-" + type;
    Tools.run(dir, type.genpkey(base + ".pkcs8.pem"));
    String in = base + ".pkcs8.pem";
    String pub = base + ".pub.pem";
    Tools.run(dir, "openssl", "pkey", "-in", in, "-pubout", "-out", pub);
    Map<Format, String> files = new EnumMap<>(Format.class);
    files.put(Format.PKCS8, in);
    if (type != KeyType.ED25519) {
      files.put(Format.TRADITIONAL, convert(dir, base + ".traditional.pem",
          "openssl", "pkey", "-in", in, "-traditional"));
      files.put(Format.ENCRYPTED_PKCS8, convert(dir, base + ".encrypted.pem",
          "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", in, "-passout", "pass:" + PASSWORD));
      files.put(Format.ENCRYPTED_PKCS8_DER, convert(dir, base + ".encrypted.der",
          "openssl", "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", in, "-passout", "pass:" + PASSWORD,
          "-outform", "DER"));
      files.put(Format.LEGACY_ENCRYPTED, convert(dir, base + ".legacy-encrypted.pem",
          "openssl", "pkey", "-in", in, "-traditional", "-aes256", "-passout", "pass:" + PASSWORD));
      files.put(Format.PKCS8_DER, convert(dir, base + ".pkcs8.der", "openssl", "pkey", "-in", in, "-outform", "DER"));
    }
    PublicKey publicKey = publicKey(type, Pem.decode(read(dir.resolve(pub))).get(0).der());
    X509Certificate leaf = mintLeaf(publicKey, base, ca, caKeys);
    Path leafPem = writeCertificate(dir, base, leaf);
    List<KeyFile> result = new ArrayList<>();
    files.forEach((format, file) -> result.add(
        new KeyFile(format, type, dir.resolve(file), dir.resolve(pub), publicKey, leaf, leafPem)));
    return result;
  }

  private static KeyFile ecWithParameters(Path dir, KeyType type, X509Certificate ca, KeyPair caKeys) {
    String base = "ecparam-" + type;
    Tools.run(dir, "openssl", "ecparam", "-name", type.opensslCurve(), "-genkey", "-out", base + ".pem");
    Tools.run(dir, "openssl", "pkey", "-in", base + ".pem", "-pubout", "-out", base + ".pub.pem");
    PublicKey publicKey = publicKey(type, Pem.decode(read(dir.resolve(base + ".pub.pem"))).get(0).der());
    X509Certificate leaf = mintLeaf(publicKey, base, ca, caKeys);
    return new KeyFile(Format.EC_WITH_PARAMETERS, type, dir.resolve(base + ".pem"), dir.resolve(base + ".pub.pem"),
        publicKey, leaf, writeCertificate(dir, base, leaf));
  }

  /** One key from {@code ssh-keygen}, and a copy that ssh-keygen encrypts with the password. */
  private static List<KeyFile> sshFiles(Path dir, KeyType type, X509Certificate ca, KeyPair caKeys)
      throws IOException {
    String base = "ssh-" + type;
    List<String> keygen = new ArrayList<>(List.of("ssh-keygen", "-q", "-t", type.sshType, "-N", "", "-C", base,
        "-f", base));
    if (type.size != null) {
      keygen.addAll(List.of("-b", type.size));
    }
    Tools.run(dir, keygen.toArray(new String[0]));
    Files.copy(dir.resolve(base), dir.resolve(base + ".encrypted"));
    Tools.run(dir, "ssh-keygen", "-q", "-p", "-P", "", "-N", PASSWORD, "-f", base + ".encrypted");
    PublicKey publicKey;
    Path publicKeyPem = null;
    if (type == KeyType.ED25519) {
      publicKey = ed25519FromOpenSshPublicKey(read(dir.resolve(base + ".pub")));
    } else {
      publicKeyPem = dir.resolve(base + ".pub.pem");
      Files.writeString(publicKeyPem, Tools.run(dir, "ssh-keygen", "-e", "-m", "PKCS8", "-f", base + ".pub"));
      publicKey = publicKey(type, Pem.decode(read(publicKeyPem)).get(0).der());
    }
    X509Certificate leaf = mintLeaf(publicKey, base, ca, caKeys);
    Path leafPem = writeCertificate(dir, base, leaf);
    return List.of(
        new KeyFile(Format.OPENSSH, type, dir.resolve(base), publicKeyPem, publicKey, leaf, leafPem),
        new KeyFile(Format.OPENSSH_ENCRYPTED, type, dir.resolve(base + ".encrypted"), publicKeyPem, publicKey, leaf,
            leafPem));
  }

  /** {@code ssh-keygen -e -m PKCS8} cannot export Ed25519: read the {@code .pub} line's SSH wire blob instead. */
  private static PublicKey ed25519FromOpenSshPublicKey(String line) {
    ByteBuffer blob = ByteBuffer.wrap(Base64.getDecoder().decode(line.split(" ")[1]));
    blob.position(4 + blob.getInt());
    byte[] point = new byte[blob.getInt()];
    blob.get(point);
    byte[] spkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
    byte[] spki = ByteBuffer.allocate(spkiPrefix.length + point.length).put(spkiPrefix).put(point).array();
    return publicKey(KeyType.ED25519, spki);
  }

  private static String convert(Path dir, String out, String... command) {
    List<String> full = new ArrayList<>(List.of(command));
    full.addAll(List.of("-out", out));
    Tools.run(dir, full.toArray(new String[0]));
    return out;
  }

  private static PublicKey publicKey(KeyType type, byte[] spki) {
    try {
      return KeyFactory.getInstance(type.jcaName).generatePublic(new X509EncodedKeySpec(spki));
    } catch (GeneralSecurityException e) {
      throw new AssertionError("the JDK cannot read the " + type + " public key the tool exported", e);
    }
  }

  private static X509Certificate mintLeaf(PublicKey key, String name, X509Certificate ca, KeyPair caKeys) {
    return CertificateMinter.bare(key).subject(new X500Principal("CN=" + name + ", O=spiffe4j tests"))
        .ca(false).serverAndClientAuth(true).issuedBy(ca, caKeys.getPrivate()).sign(null);
  }

  private static Path writeCertificate(Path dir, String base, X509Certificate leaf) {
    try {
      Path file = dir.resolve(base + ".crt.pem");
      Files.writeString(file, Pem.encode("CERTIFICATE", leaf.getEncoded()));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (CertificateEncodingException e) {
      throw new AssertionError(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException e) {
      // Best effort at JVM exit: a leftover temporary directory harms nothing.
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
