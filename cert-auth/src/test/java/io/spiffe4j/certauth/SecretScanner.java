package io.spiffe4j.certauth;

import io.spiffe4j.internal.Pem;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds secrets in text: registered values, and for long ones (key material, tokens, signatures) every fragment of
 * {@value #WINDOW} characters, so that a message quoting part of a key is caught as well as one quoting all of it.
 *
 * <p>A secret longer than the window is stored as windows taken every {@value #STRIDE} characters; any leaked run of
 * at least {@code WINDOW + STRIDE - 1} of its characters therefore contains a stored window. Shorter secrets (at
 * least {@value #MIN_LENGTH} characters, so that they cannot match ordinary words) are stored whole. Scanning slides
 * over the text once per stored length and looks each slice up, so it costs the text's length times a few lookups,
 * however many secrets there are.
 *
 * <p>For keys only the private parts count, in every encoding a leak could take (the numbers' bytes in base64,
 * base64url and hex, their decimal digits, and the stretches of a PKCS#8, PEM or key file's base64 that encode them):
 * the structure around them (algorithm identifiers, lengths) is the same in every key of a type, and the public parts
 * appear in certificates, so neither may count as a leak.
 *
 * <p>Findings name the secret's label, the source and the line, never the secret. Thread-safe.
 */
public final class SecretScanner {
  static final int WINDOW = 24;
  static final int STRIDE = 4;
  static final int MIN_LENGTH = 8;
  private static final int PEM_LINE = 64;

  /** Stored length, then fragment, then the label of the secret it came from. */
  private final Map<Integer, Map<String, String>> fragments = new ConcurrentHashMap<>();
  private final Map<String, Boolean> labels = new ConcurrentHashMap<>();

  /**
   * A secret as it may appear in text: an access key, a password, a token.
   *
   * @throws IllegalArgumentException if it is shorter than {@value #MIN_LENGTH} characters
   */
  public void addSecret(String label, String secret) {
    Objects.requireNonNull(label, "label");
    Objects.requireNonNull(secret, "secret");
    if (secret.length() < MIN_LENGTH) {
      throw new IllegalArgumentException("a secret of " + secret.length() + " characters cannot be told apart from"
          + " ordinary text: " + label);
    }
    labels.put(label, Boolean.TRUE);
    if (secret.length() <= WINDOW) {
      store(secret.length(), secret, label);
      return;
    }
    for (int i = 0; i + WINDOW <= secret.length(); i += STRIDE) {
      store(WINDOW, secret.substring(i, i + WINDOW), label);
    }
    store(WINDOW, secret.substring(secret.length() - WINDOW), label);
  }

  /** Binary secret material (a signature, a private number): its base64, base64url, and hex in either case. */
  public void addBytes(String label, byte[] bytes) {
    addSecret(label, Base64.getEncoder().encodeToString(bytes));
    addSecret(label, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    String hex = HexFormat.of().formatHex(bytes);
    addSecret(label, hex);
    addSecret(label, hex.toUpperCase(Locale.ROOT));
  }

  /**
   * A private key: its private numbers, and where they sit in its PKCS#8 encoding, in that encoding's PEM (as printed
   * or logged) and in the base64 of that PEM (what certificate auth's key mode sends as {@code key-data}).
   */
  public void addPrivateKey(String label, PrivateKey key) {
    List<byte[]> numbers = privateNumbers(key);
    for (byte[] number : numbers) {
      addBytes(label, number);
      String decimal = new BigInteger(1, number).toString();
      if (decimal.length() >= WINDOW) {
        addSecret(label, decimal);
      }
    }
    byte[] pkcs8 = key.getEncoded();
    if (pkcs8 == null) {
      return;
    }
    List<int[]> regions = regions(pkcs8, numbers, "the PKCS#8 encoding of " + label);
    addBase64Regions(label, pkcs8, regions);
    String pem = Pem.encode("PRIVATE KEY", pkcs8);
    int bodyStart = pem.indexOf('\n') + 1;
    List<int[]> inPem = new ArrayList<>();
    for (int[] region : regions) {
      int[] chars = base64Chars(region);
      // The body wraps every 64 characters: a newline follows each full line.
      inPem.add(new int[] {bodyStart + chars[0] + chars[0] / PEM_LINE, bodyStart + chars[1] + chars[1] / PEM_LINE});
    }
    addBase64Regions(label, pem.getBytes(StandardCharsets.US_ASCII), inPem);
  }

  /**
   * A key file's contents. With the key it holds (unencrypted files), the stretches of each PEM block's base64 body,
   * or of the DER, that encode the key's private numbers; without it (encrypted files, whose contents are
   * ciphertext after a header shared by every file of the kind), the second half of each body.
   *
   * @throws AssertionError if the file holds none of the key's private numbers
   */
  public void addKeyFile(String label, byte[] contents, PrivateKey key) {
    String text = new String(contents, StandardCharsets.ISO_8859_1);
    List<String> bodies = text.contains("-----BEGIN") ? pemBodies(text)
        : List.of(Base64.getEncoder().encodeToString(contents));
    List<byte[]> numbers = key == null ? List.of() : privateNumbers(key);
    boolean found = false;
    for (String body : bodies) {
      if (key == null) {
        addSecret(label, body.substring(body.length() / 2));
        continue;
      }
      byte[] der = Base64.getMimeDecoder().decode(body);
      List<int[]> regions = regions(der, numbers, null);
      for (int[] region : regions) {
        int[] chars = base64Chars(region);
        addSecret(label, body.substring(chars[0], chars[1]));
        found = true;
      }
    }
    if (key != null && !found) {
      throw new AssertionError(label + " holds none of its key's private numbers");
    }
  }

  /** The private numbers of RSA, EC and EdDSA keys, as unsigned big-endian bytes. */
  private static List<byte[]> privateNumbers(PrivateKey key) {
    List<BigInteger> numbers = new ArrayList<>();
    if (key instanceof RSAPrivateCrtKey) {
      RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
      numbers.addAll(List.of(rsa.getPrivateExponent(), rsa.getPrimeP(), rsa.getPrimeQ(), rsa.getPrimeExponentP(),
          rsa.getPrimeExponentQ(), rsa.getCrtCoefficient()));
    } else if (key instanceof RSAPrivateKey) {
      numbers.add(((RSAPrivateKey) key).getPrivateExponent());
    } else if (key instanceof ECPrivateKey) {
      numbers.add(((ECPrivateKey) key).getS());
    } else if (key instanceof EdECPrivateKey) {
      return List.of(((EdECPrivateKey) key).getBytes().orElseThrow());
    } else {
      throw new IllegalArgumentException("no private numbers known for " + key.getAlgorithm() + " keys");
    }
    List<byte[]> bytes = new ArrayList<>();
    for (BigInteger number : numbers) {
      byte[] signed = number.toByteArray();
      bytes.add(signed[0] == 0 ? Arrays.copyOfRange(signed, 1, signed.length) : signed);
    }
    return bytes;
  }

  /** Where each number's bytes sit in {@code container}; numbers it does not hold are left out. */
  private static List<int[]> regions(byte[] container, List<byte[]> numbers, String mustHoldAll) {
    List<int[]> regions = new ArrayList<>();
    for (byte[] number : numbers) {
      int at = indexOf(container, number);
      if (at >= 0) {
        regions.add(new int[] {at, at + number.length});
      } else if (mustHoldAll != null) {
        throw new AssertionError(mustHoldAll + " does not hold one of its private numbers");
      }
    }
    return regions;
  }

  /** The characters of {@code base64(container)} that encode only bytes of the region. */
  private static int[] base64Chars(int[] region) {
    return new int[] {(region[0] + 2) / 3 * 4, region[1] / 3 * 4};
  }

  private void addBase64Regions(String label, byte[] container, List<int[]> regions) {
    String base64 = Base64.getEncoder().encodeToString(container);
    for (int[] region : regions) {
      int[] chars = base64Chars(region);
      if (chars[1] - chars[0] >= MIN_LENGTH) {
        addSecret(label, base64.substring(chars[0], chars[1]));
      }
    }
  }

  private static int indexOf(byte[] data, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= data.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (data[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /** The base64 body of each PEM block, header lines ({@code Proc-Type}, {@code DEK-Info}) left out. */
  private static List<String> pemBodies(String text) {
    List<String> bodies = new ArrayList<>();
    StringBuilder body = null;
    for (String line : text.split("\r?\n")) {
      if (line.startsWith("-----BEGIN")) {
        body = new StringBuilder();
      } else if (line.startsWith("-----END")) {
        if (body != null && body.length() > 0) {
          bodies.add(body.toString());
        }
        body = null;
      } else if (body != null && !line.contains(":") && !line.isBlank()) {
        body.append(line.strip());
      }
    }
    return bodies;
  }

  private void store(int length, String fragment, String label) {
    fragments.computeIfAbsent(length, ignored -> new ConcurrentHashMap<>()).putIfAbsent(fragment, label);
  }

  /** How many secrets (labels) are registered. */
  public int secretCount() {
    return labels.size();
  }

  /** How many fragments are stored. */
  public int fragmentCount() {
    return fragments.values().stream().mapToInt(Map::size).sum();
  }

  /**
   * Where {@code text} shows a registered secret: one finding per secret and line, as
   * {@code "<label> in <source>, line <n>"}; empty if it shows none.
   */
  public List<String> findings(String source, String text) {
    if (text == null) {
      return List.of();
    }
    Map<String, String> found = new TreeMap<>();
    for (Map.Entry<Integer, Map<String, String>> byLength : fragments.entrySet()) {
      int length = byLength.getKey();
      Map<String, String> stored = byLength.getValue();
      int line = 1;
      for (int i = 0; i + length <= text.length(); i++) {
        if (i > 0 && text.charAt(i - 1) == '\n') {
          line++;
        }
        String label = stored.get(text.substring(i, i + length));
        if (label != null) {
          found.putIfAbsent(label + "@" + line, label + " in " + source + ", line " + line);
        }
      }
    }
    return new ArrayList<>(found.values());
  }
}
