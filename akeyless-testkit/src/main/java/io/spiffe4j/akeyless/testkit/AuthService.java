package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.internal.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Function;

/**
 * Auth methods, challenges and tokens: {@code /auth}, {@code /get-cert-challenge} and the token checks of every other
 * operation. Thread-safe: all state is in concurrent maps, and a challenge is removed atomically on first use.
 */
final class AuthService {
  private static final int UNAUTHORIZED = 401;
  private static final int BAD_REQUEST = 400;
  private static final int CHALLENGE_BYTES = 32;
  private static final String ACCESS_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final Set<String> ACCESS_KEY_TYPES = Set.of("access_key", "api_key");

  private static final class AuthMethod {
    final String accessId;
    final byte[] accessKeyDigest;
    final CertAuthSettings cert;
    final CloudAuthSettings cloud;

    AuthMethod(String accessId, byte[] accessKeyDigest, CertAuthSettings cert, CloudAuthSettings cloud) {
      this.accessId = accessId;
      this.accessKeyDigest = accessKeyDigest;
      this.cert = cert;
      this.cloud = cloud;
    }

    Instant accessExpires() {
      return cert != null ? cert.accessExpires() : cloud != null ? cloud.accessExpires() : null;
    }
  }

  private static final class Challenge {
    final String accessId;
    final byte[] certificateDigest;
    final byte[] bytes;
    final Instant expiresAt;

    Challenge(String accessId, byte[] certificateDigest, byte[] bytes, Instant expiresAt) {
      this.accessId = accessId;
      this.certificateDigest = certificateDigest;
      this.bytes = bytes;
      this.expiresAt = expiresAt;
    }
  }

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration tokenLifetime;
  private final Duration challengeLifetime;
  private final Set<String> names = ConcurrentHashMap.newKeySet();
  private final Map<String, AuthMethod> methods = new ConcurrentHashMap<>();
  private final Map<String, Challenge> challenges = new ConcurrentHashMap<>();
  private final Map<String, Instant> tokens = new ConcurrentHashMap<>();
  private final Queue<String> issued = new ConcurrentLinkedQueue<>();

  AuthService(Clock clock, Duration tokenLifetime, Duration challengeLifetime) {
    this.clock = clock;
    this.tokenLifetime = tokenLifetime;
    this.challengeLifetime = challengeLifetime;
  }

  AccessKeyCredentials createAccessKey(String name) {
    byte[] key = new byte[32];
    random.nextBytes(key);
    String accessKey = Encodings.base64(key);
    byte[] digest = sha256(accessKey.getBytes(StandardCharsets.UTF_8));
    String accessId = register(name, id -> new AuthMethod(id, digest, null, null));
    return new AccessKeyCredentials(accessId, accessKey);
  }

  String createCert(CertAuthSettings settings) {
    return register(settings.name(), id -> new AuthMethod(id, null, settings, null));
  }

  String createCloud(CloudAuthSettings settings) {
    return register(settings.name(), id -> new AuthMethod(id, null, null, settings));
  }

  private String register(String name, Function<String, AuthMethod> factory) {
    if (!names.add(name)) {
      throw new AkeylessGatewayException("an auth method named \"" + name + "\" already exists");
    }
    String accessId;
    do {
      StringBuilder id = new StringBuilder("p-");
      for (int i = 0; i < 12; i++) {
        id.append(ACCESS_ID_ALPHABET.charAt(random.nextInt(ACCESS_ID_ALPHABET.length())));
      }
      accessId = id.toString();
    } while (methods.putIfAbsent(accessId, factory.apply(accessId)) != null);
    return accessId;
  }

  /** A fresh token, as a successful {@code /auth} would return. */
  Map<String, Object> newToken() {
    Instant now = clock.instant();
    tokens.values().removeIf(expiry -> !now.isBefore(expiry));
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    String token = "t-" + HexFormat.of().formatHex(bytes);
    Instant expiry = now.plus(tokenLifetime).truncatedTo(ChronoUnit.SECONDS);
    tokens.put(token, expiry);
    issued.add(token);
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("token", token);
    answer.put("expiration", DateTimeFormatter.ISO_INSTANT.format(expiry));
    return answer;
  }

  /** Every token issued so far, expired ones included, oldest first. */
  List<String> issuedTokens() {
    return List.copyOf(issued);
  }

  /** Whether the token was issued here and has not expired at the clock's time. */
  boolean isValidToken(String token) {
    if (token == null) {
      return false;
    }
    Instant expiry = tokens.get(token);
    return expiry != null && clock.instant().isBefore(expiry);
  }

  /** {@code /auth}: every failure is a 401. */
  Map<String, Object> auth(RequestBody body, byte[] clientAddress) {
    String accessType = body.text("access-type");
    if (accessType == null || accessType.isEmpty()) {
      accessType = "access_key";
    }
    AuthMethod method = methods.get(body.required("access-id"));
    if (method == null) {
      throw refuse("unknown access id");
    }
    Instant expires = method.accessExpires();
    if (expires != null && !clock.instant().isBefore(expires)) {
      throw refuse("the auth method's access has expired (access-expires)");
    }
    if (ACCESS_KEY_TYPES.contains(accessType) && method.accessKeyDigest != null) {
      checkAccessKey(method, body.text("access-key"));
    } else if (accessType.equals("cert") && method.cert != null) {
      certAuth(method, body, clientAddress);
    } else if (method.cloud != null && accessType.equals(method.cloud.kind().accessType())) {
      CloudChecks.verify(method.cloud, body, clock.instant());
    } else {
      throw refuse("access-type does not match the auth method, or is not supported");
    }
    return newToken();
  }

  private static void checkAccessKey(AuthMethod method, String accessKey) {
    if (accessKey == null || accessKey.isEmpty()) {
      throw refuse("access-key is required");
    }
    if (!MessageDigest.isEqual(method.accessKeyDigest, sha256(accessKey.getBytes(StandardCharsets.UTF_8)))) {
      throw refuse("wrong access key");
    }
  }

  private void certAuth(AuthMethod method, RequestBody body, byte[] clientAddress) {
    List<X509Certificate> presented = certData(body);
    X509Certificate leaf = presented.get(0);
    String algorithm = KeyChecks.challengeAlgorithm(leaf.getPublicKey());
    if (algorithm == null) {
      throw refuse("certificate key type is not supported: RSA or EC only");
    }
    String challenge = body.text("cert-challenge");
    String keyData = body.text("key-data");
    if (challenge != null && !challenge.isEmpty()) {
      checkSignedChallenge(method, leaf, algorithm, challenge, body.text("signed-cert-challenge"));
    } else if (keyData != null && !keyData.isEmpty()) {
      checkKeyData(leaf, algorithm, keyData);
    } else {
      throw refuse("cert-challenge and signed-cert-challenge, or key-data, are required");
    }
    CertChecks.verify(method.cert, presented, clock.instant(), clientAddress);
  }

  /** A challenge is used up by the first {@code /auth} that presents it, whether that succeeds or not. */
  private void checkSignedChallenge(AuthMethod method, X509Certificate leaf, String algorithm, String challenge,
      String signed) {
    if (signed == null || signed.isEmpty()) {
      throw refuse("signed-cert-challenge is required");
    }
    Challenge issued = challenges.remove(challenge);
    if (issued == null) {
      throw refuse("unknown or already used challenge");
    }
    if (!clock.instant().isBefore(issued.expiresAt)) {
      throw refuse("challenge has expired");
    }
    if (!issued.accessId.equals(method.accessId)) {
      throw refuse("challenge was issued for another access id");
    }
    if (!MessageDigest.isEqual(issued.certificateDigest, digest(leaf))) {
      throw refuse("challenge was issued for another certificate");
    }
    byte[] signature;
    try {
      signature = Encodings.base64(signed);
    } catch (IllegalArgumentException e) {
      throw refuse("signed-cert-challenge is not base64");
    }
    if (!Signatures.verifySignedData(algorithm, null, leaf.getPublicKey(), issued.bytes, signature)) {
      throw refuse("challenge signature does not verify with the certificate's key");
    }
  }

  /** Key mode: the gateway runs the challenge itself with the private key it was sent. */
  private void checkKeyData(X509Certificate leaf, String algorithm, String keyData) {
    PrivateKey key;
    try {
      key = Encodings.privateKey(Encodings.base64(keyData));
    } catch (IllegalArgumentException e) {
      throw refuse("key-data " + e.getMessage());
    }
    byte[] probe = new byte[CHALLENGE_BYTES];
    random.nextBytes(probe);
    boolean matches;
    try {
      matches = Signatures.verifySignedData(algorithm, null, leaf.getPublicKey(), probe,
          KeyChecks.sign(algorithm, key, probe));
    } catch (GeneralSecurityException | RuntimeException e) {
      matches = false;
    }
    if (!matches) {
      throw refuse("key-data is not the certificate's private key");
    }
  }

  /** {@code /get-cert-challenge}: every failure is a 400. */
  Map<String, Object> challenge(RequestBody body) {
    AuthMethod method = methods.get(body.required("access-id"));
    if (method == null || method.cert == null) {
      throw new HttpError(BAD_REQUEST, "access-id does not name a certificate auth method");
    }
    X509Certificate leaf = certData(body).get(0);
    Instant now = clock.instant();
    challenges.values().removeIf(old -> !now.isBefore(old.expiresAt));
    byte[] bytes = new byte[CHALLENGE_BYTES];
    random.nextBytes(bytes);
    String text = Encodings.base64(bytes);
    challenges.put(text, new Challenge(method.accessId, digest(leaf), bytes, now.plus(challengeLifetime)));
    return Map.of("challenge", text);
  }

  /** {@code cert-data}: base64 of PEM (or DER) certificates, the client's first, then any intermediates. */
  private static List<X509Certificate> certData(RequestBody body) {
    String certData = body.required("cert-data");
    try {
      return Encodings.certificates(Encodings.base64(certData));
    } catch (IllegalArgumentException e) {
      throw body.bad("cert-data " + e.getMessage());
    }
  }

  private static byte[] digest(X509Certificate certificate) {
    try {
      return sha256(certificate.getEncoded());
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("a parsed certificate cannot be encoded", e);
    }
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  }

  private static HttpError refuse(String reason) {
    return new HttpError(UNAUTHORIZED, reason);
  }
}
