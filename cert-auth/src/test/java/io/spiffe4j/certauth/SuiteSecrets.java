package io.spiffe4j.certauth;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.function.Executable;
import org.slf4j.LoggerFactory;

/**
 * The cert-auth test suite's secret ledger: tests register the secrets they use (access keys, private keys,
 * passwords, tokens the gateway issued, cloud identity tokens, signed challenges) and the exception messages and
 * {@code toString()}s they observe; {@link SecretScanTest}, the suite's last test, then scans every observed text and
 * every line SLF4J wrote during the run (all loggers, DEBUG included, into {@link #logFile()}) for every registered
 * secret.
 *
 * <p>Failure tests use {@link #assertThrows} in place of JUnit's, which records the exception's messages, causes and
 * suppressed exceptions. Thread-safe.
 */
public final class SuiteSecrets {
  private static final String LOG_FILE_PROPERTY = "org.slf4j.simpleLogger.logFile";

  private static final SecretScanner SCANNER = new SecretScanner();
  /** What a test observed: where (the calling test's frame) and the text. */
  private static final List<String[]> OBSERVED = Collections.synchronizedList(new ArrayList<>());
  private static final StackWalker STACK = StackWalker.getInstance();
  private static final Map<String, AtomicInteger> REGISTERED = new ConcurrentHashMap<>();

  private SuiteSecrets() {}

  /** Registers a secret of the given category (for the summary), such as {@code "access key"}; returns it. */
  public static String secret(String category, String value) {
    SCANNER.addSecret(label(category), value);
    return value;
  }

  /** Registers binary secret material, such as a signature. */
  public static void secretBytes(String category, byte[] value) {
    SCANNER.addBytes(label(category), value);
  }

  /** Registers a private key's material in every form a leak could take. */
  public static void privateKey(String category, PrivateKey key) {
    SCANNER.addPrivateKey(label(category), key);
  }

  /**
   * Registers a key file's contents: where they encode {@code key}'s private numbers, or for an encrypted file
   * ({@code key} null), its ciphertext.
   */
  public static void keyFile(String category, Path file, PrivateKey key) {
    try {
      SCANNER.addKeyFile(label(category) + " (" + file.getFileName() + ")", Files.readAllBytes(file), key);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Registers a JWT or similar bearer token as sent: itself and its base64 (the wire form of cloud tokens). */
  public static String bearerToken(String category, String token) {
    String label = label(category);
    SCANNER.addSecret(label, token);
    SCANNER.addSecret(label, Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
    return token;
  }

  /** A signer that registers every signature it makes (and its base64, the {@code signed-cert-challenge}). */
  public static ChallengeSigner recording(ChallengeSigner signer) {
    Objects.requireNonNull(signer, "signer");
    return challenge -> {
      byte[] signature = signer.sign(challenge);
      secretBytes("signed challenge", signature);
      return signature;
    };
  }

  private static String label(String category) {
    return category + " #" + REGISTERED.computeIfAbsent(category, ignored -> new AtomicInteger()).incrementAndGet();
  }

  /** {@link Assertions#assertThrows(Class, Executable)}, recording what was thrown. */
  public static <T extends Throwable> T assertThrows(Class<T> type, Executable action) {
    return observe(Assertions.assertThrows(type, action));
  }

  /** {@link Assertions#assertThrows(Class, Executable, String)}, recording what was thrown. */
  public static <T extends Throwable> T assertThrows(Class<T> type, Executable action, String message) {
    return observe(Assertions.assertThrows(type, action, message));
  }

  /** {@link Assertions#assertThrows(Class, Executable, Supplier)}, recording what was thrown. */
  public static <T extends Throwable> T assertThrows(Class<T> type, Executable action, Supplier<String> message) {
    return observe(Assertions.assertThrows(type, action, message));
  }

  /** Records the message and {@code toString()} of the throwable, its causes and its suppressed exceptions. */
  public static <T extends Throwable> T observe(T thrown) {
    String where = caller();
    texts(thrown).forEach(text -> OBSERVED.add(new String[] {where, text}));
    return thrown;
  }

  /** The messages and {@code toString()}s of a throwable and everything it carries; each throwable once. */
  public static List<String> texts(Throwable thrown) {
    List<String> texts = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    List<Throwable> pending = new ArrayList<>(List.of(thrown));
    while (!pending.isEmpty()) {
      Throwable t = pending.remove(pending.size() - 1);
      if (t == null || !seen.add(t)) {
        continue;
      }
      texts.add(String.valueOf(t.getMessage()));
      texts.add(t.toString());
      pending.add(t.getCause());
      pending.addAll(List.of(t.getSuppressed()));
    }
    return texts;
  }

  /** Records the {@code toString()} of something a caller may print (a client, a token, a certificate holder). */
  public static <T> T observeToString(T value) {
    OBSERVED.add(new String[] {caller(), String.valueOf(value)});
    return value;
  }

  /** The first frame outside this class and the test fixtures: the test that observed. */
  private static String caller() {
    return STACK.walk(frames -> frames
        .filter(frame -> !frame.getClassName().equals(SuiteSecrets.class.getName())
            && !frame.getClassName().endsWith(".TestGateway"))
        .findFirst()
        .map(frame -> frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1) + "."
            + frame.getMethodName() + ":" + frame.getLineNumber())
        .orElse("?"));
  }

  public static SecretScanner scanner() {
    return SCANNER;
  }

  /** Everything observed so far, each as {where, text}. */
  public static List<String[]> observed() {
    synchronized (OBSERVED) {
      return List.copyOf(OBSERVED);
    }
  }

  /** How many secrets of each category were registered. */
  public static Map<String, Integer> registeredByCategory() {
    Map<String, Integer> counts = new TreeMap<>();
    REGISTERED.forEach((category, count) -> counts.put(category, count.get()));
    return counts;
  }

  /**
   * The file slf4j-simple writes every log line of this test JVM to, as {@code simplelogger.properties} (or the
   * system property overriding it) names it. SLF4J is initialised first, so the file belongs to this run: the logger
   * truncates it when it starts.
   */
  public static Path logFile() {
    LoggerFactory.getILoggerFactory();
    String configured = System.getProperty(LOG_FILE_PROPERTY);
    if (configured == null) {
      Properties properties = new Properties();
      try (InputStream in = SuiteSecrets.class.getResourceAsStream("/simplelogger.properties")) {
        if (in == null) {
          throw new AssertionError("simplelogger.properties is missing from the test class path");
        }
        properties.load(in);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      configured = properties.getProperty(LOG_FILE_PROPERTY);
    }
    if (configured == null || configured.startsWith("System.")) {
      throw new AssertionError("SLF4J must log to a file for the secret scan, but " + LOG_FILE_PROPERTY + " is "
          + configured);
    }
    return Path.of(configured).toAbsolutePath();
  }

  /** The log file's size now: pass it to {@link #logSince(long)} to read what a test logged. */
  public static long logMark() {
    try {
      Path file = logFile();
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What was logged after {@code mark}. */
  public static String logSince(long mark) {
    String log = readLog();
    return log.length() < mark ? log : log.substring((int) mark);
  }

  /** Everything logged so far in this run. */
  public static String readLog() {
    try {
      return Files.readString(logFile(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
