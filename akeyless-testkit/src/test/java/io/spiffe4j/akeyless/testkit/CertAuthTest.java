package io.spiffe4j.akeyless.testkit;

import static io.spiffe4j.akeyless.testkit.GatewayHttp.body;
import static io.spiffe4j.akeyless.testkit.GatewayHttp.certData;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import io.spiffe4j.mint.CertificateMinter;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Certificate authentication: the challenge flow, key mode, and the chain checks. */
class CertAuthTest {
  private static final MutableClock CLOCK = MutableClock.at(Fixtures.START);
  private static final Fixtures.ClientPki PKI = new Fixtures.ClientPki();
  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static String accessId;
  private static String otherAccessId;

  @BeforeAll
  static void start() {
    gateway = AkeylessGateway.builder().clock(CLOCK).start();
    http = new GatewayHttp(gateway);
    accessId = gateway.createCertAuthMethod(CertAuthSettings.builder("spire", PKI.root).build());
    otherAccessId = gateway.createCertAuthMethod(CertAuthSettings.builder("other", PKI.root).build());
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @BeforeEach
  void resetClock() {
    CLOCK.set(Fixtures.START);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"RSA_2048", "EC_P256", "EC_P384"})
  void challengeFlowSucceedsWithRsaAndEcKeys(KeyAlgorithm algorithm) {
    KeyPair key = Fixtures.key(algorithm, 0);
    http.certAuth(accessId, key.getPrivate(), PKI.leaf(key), PKI.intermediate).assertOk();
  }

  @Test
  void challengeIsThirtyTwoRandomBytesInStandardBase64() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String first = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    String second = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    assertEquals(32, Base64.getDecoder().decode(first).length);
    assertNotEquals(first, second);
  }

  @Test
  void aLeafDirectlyUnderTheTrustedCaNeedsNoIntermediate() {
    String underIntermediate = gateway.createCertAuthMethod(
        CertAuthSettings.builder("under-intermediate", PKI.intermediate).build());
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    http.certAuth(underIntermediate, key.getPrivate(), PKI.leaf(key)).assertOk();
  }

  @Test
  void tamperedSignatureIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.RSA_2048, 0);
    X509Certificate leaf = PKI.leaf(key);
    String challenge = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    byte[] signature = Fixtures.sign("SHA256withRSA", key.getPrivate(), Base64.getDecoder().decode(challenge));
    signature[10] ^= 0x01;
    http.answerChallenge(accessId, challenge, Fixtures.b64(signature), leaf, PKI.intermediate)
        .assertError(401, "challenge signature does not verify");
  }

  @Test
  void ieeeP1363EcdsaSignatureIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String challenge = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    byte[] p1363 = Fixtures.sign("SHA256withECDSAinP1363Format", key.getPrivate(),
        Base64.getDecoder().decode(challenge));
    http.answerChallenge(accessId, challenge, Fixtures.b64(p1363), leaf, PKI.intermediate)
        .assertError(401, "challenge signature does not verify");
  }

  @Test
  void signatureOverTheBase64TextInsteadOfTheDecodedBytesIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String challenge = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    byte[] signature = Fixtures.sign("SHA256withECDSA", key.getPrivate(), challenge.getBytes());
    http.answerChallenge(accessId, challenge, Fixtures.b64(signature), leaf, PKI.intermediate)
        .assertError(401, "challenge signature does not verify");
  }

  @Test
  void signatureByAnotherKeyIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String challenge = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    byte[] signature = Fixtures.sign("SHA256withECDSA", Fixtures.key(KeyAlgorithm.EC_P256, 1).getPrivate(),
        Base64.getDecoder().decode(challenge));
    http.answerChallenge(accessId, challenge, Fixtures.b64(signature), leaf, PKI.intermediate)
        .assertError(401, "challenge signature does not verify");
  }

  @Test
  void challengeExpiresAfterSixtySecondsByTheGatewayClock() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String late = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    String inTime = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    CLOCK.advance(Duration.ofSeconds(59));
    http.answerChallenge(accessId, inTime, signed(key.getPrivate(), inTime), leaf, PKI.intermediate).assertOk();
    CLOCK.advance(Duration.ofSeconds(2));
    http.answerChallenge(accessId, late, signed(key.getPrivate(), late), leaf, PKI.intermediate)
        .assertError(401, "challenge has expired");
  }

  @Test
  void challengeIsSingleUse() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String challenge = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    String signature = signed(key.getPrivate(), challenge);
    http.answerChallenge(accessId, challenge, signature, leaf, PKI.intermediate).assertOk();
    http.answerChallenge(accessId, challenge, signature, leaf, PKI.intermediate)
        .assertError(401, "unknown or already used challenge");
  }

  @Test
  void challengeIsBoundToItsAccessId() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    String challenge = http.challenge(accessId, leaf, PKI.intermediate).assertOk().text("challenge");
    http.answerChallenge(otherAccessId, challenge, signed(key.getPrivate(), challenge), leaf, PKI.intermediate)
        .assertError(401, "challenge was issued for another access id");
  }

  @Test
  void challengeIsBoundToItsCertificate() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    KeyPair otherKey = Fixtures.key(KeyAlgorithm.EC_P256, 1);
    String challenge = http.challenge(accessId, PKI.leaf(key), PKI.intermediate).assertOk().text("challenge");
    http.answerChallenge(accessId, challenge, signed(otherKey.getPrivate(), challenge), PKI.leaf(otherKey),
        PKI.intermediate).assertError(401, "challenge was issued for another certificate");
  }

  @Test
  void aChallengeTheGatewayNeverIssuedIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    String forged = Fixtures.b64(new byte[32]);
    http.answerChallenge(accessId, forged, signed(key.getPrivate(), forged), PKI.leaf(key), PKI.intermediate)
        .assertError(401, "unknown or already used challenge");
  }

  @Test
  void getCertChallengeAnswers400ToUnknownOrMalformedRequests() {
    X509Certificate leaf = PKI.leaf(Fixtures.key(KeyAlgorithm.EC_P256, 0));
    String accessKeyMethod = gateway.createAccessKeyAuthMethod("not-cert").accessId();
    http.challenge("p-unknown", leaf).assertError(400, "does not name a certificate auth method");
    http.challenge(accessKeyMethod, leaf).assertError(400, "does not name a certificate auth method");
    http.post("get-cert-challenge", body("access-id", accessId)).assertError(400, "cert-data is required");
    http.post("get-cert-challenge", body("access-id", accessId, "cert-data", "%%%"))
        .assertError(400, "cert-data not valid standard base64");
    http.post("get-cert-challenge", body("access-id", accessId, "cert-data", Fixtures.b64("not a certificate")))
        .assertError(400, "cert-data does not hold parseable X.509 certificates");
    String keyPem = Pem.encode("PRIVATE KEY", Fixtures.key(KeyAlgorithm.EC_P256, 0).getPrivate().getEncoded());
    http.post("get-cert-challenge", body("access-id", accessId, "cert-data", Fixtures.b64(keyPem)))
        .assertError(400, "not a certificate");
  }

  @Test
  void derCertDataIsAcceptedToo() throws Exception {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    byte[] der = concat(leaf.getEncoded(), PKI.intermediate.getEncoded());
    String certData = Fixtures.b64(der);
    String challenge = http.post("get-cert-challenge", body("access-id", accessId, "cert-data", certData))
        .assertOk().text("challenge");
    http.post("auth", body("access-type", "cert", "access-id", accessId, "cert-data", certData,
        "cert-challenge", challenge, "signed-cert-challenge", signed(key.getPrivate(), challenge))).assertOk();
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"RSA_2048", "EC_P256"})
  void keyModeAcceptsPkcs8AndTraditionalKeyFiles(KeyAlgorithm algorithm) throws IOException {
    KeyPair key = Fixtures.key(algorithm, 0);
    X509Certificate leaf = PKI.leaf(key);
    byte[] pkcs8 = key.getPrivate().getEncoded();
    String traditionalLabel = algorithm == KeyAlgorithm.RSA_2048 ? "RSA PRIVATE KEY" : "EC PRIVATE KEY";
    PrivateKeyInfo info = PrivateKeyInfo.getInstance(pkcs8);
    // OpenSSL writes SEC1 keys with the curve inside; the JDK's PKCS#8 keeps it in the algorithm identifier only.
    byte[] traditional = algorithm == KeyAlgorithm.RSA_2048
        ? info.parsePrivateKey().toASN1Primitive().getEncoded(ASN1Encoding.DER)
        : new org.bouncycastle.asn1.sec.ECPrivateKey(256,
            org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey()).getKey(),
            info.getPrivateKeyAlgorithm().getParameters()).getEncoded(ASN1Encoding.DER);
    for (String keyPem : new String[] {Pem.encode("PRIVATE KEY", pkcs8), Pem.encode(traditionalLabel, traditional)}) {
      http.post("auth", body("access-type", "cert", "access-id", accessId,
          "cert-data", certData(leaf, PKI.intermediate), "key-data", Fixtures.b64(keyPem))).assertOk();
    }
  }

  /** A throwaway key written by {@code ssh-keygen -t ecdsa -b 256}: the openssh-key-v1 format, not PEM-in-ASN.1. */
  private static final String OPENSSH_EC_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
      + "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAaAAAABNlY2RzYS\n"
      + "1zaGEyLW5pc3RwMjU2AAAACG5pc3RwMjU2AAAAQQQssv4EvXgvxL8HB2oPvHeuk2fxSgbr\n"
      + "L37MEBSXKxcf6+/KQaUDwbvrMDvCtEZywBf0Bix7SyKK5054xU7jYoM5AAAAmDgKUnc4Cl\n"
      + "J3AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBCyy/gS9eC/EvwcH\n"
      + "ag+8d66TZ/FKBusvfswQFJcrFx/r78pBpQPBu+swO8K0RnLAF/QGLHtLIornTnjFTuNigz\n"
      + "kAAAAgEp54MYC3eiNUJHTc853KdKrtZxfqU62LT5vHKKky/MwAAAAA\n"
      + "-----END OPENSSH PRIVATE KEY-----\n";

  @Test
  void keyModeAcceptsOpenSshKeys() {
    PrivateKey key = Encodings.privateKey(OPENSSH_EC_KEY.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    X509Certificate leaf = PKI.leaf(new KeyPair(Encodings.publicKeyOf(key), key));
    http.post("auth", body("access-type", "cert", "access-id", accessId, "cert-data",
        certData(leaf, PKI.intermediate), "key-data", Fixtures.b64(OPENSSH_EC_KEY))).assertOk();
    http.certAuth(accessId, key, leaf, PKI.intermediate).assertOk();
  }

  @Test
  void keyModeWithAnotherKeyIsRefused() {
    X509Certificate leaf = PKI.leaf(Fixtures.key(KeyAlgorithm.EC_P256, 0));
    String otherKey = Pem.encode("PRIVATE KEY", Fixtures.key(KeyAlgorithm.EC_P256, 1).getPrivate().getEncoded());
    http.post("auth", body("access-type", "cert", "access-id", accessId, "cert-data",
        certData(leaf, PKI.intermediate), "key-data", Fixtures.b64(otherKey)))
        .assertError(401, "key-data is not the certificate's private key");
    http.post("auth", body("access-type", "cert", "access-id", accessId, "cert-data",
        certData(leaf, PKI.intermediate), "key-data", Fixtures.b64("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
            + "-----END ENCRYPTED PRIVATE KEY-----\n")))
        .assertError(401, "encrypted private keys are not supported");
  }

  @Test
  void certificateNotChainingToTheCaIsRefused() {
    KeyPair strangerKey = Fixtures.key(KeyAlgorithm.EC_P384, 2);
    X509Certificate strangerCa = Fixtures.ca(strangerKey, "CN=Client Intermediate CA, O=Example", null, null);
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate forged = PKI.leaf(key, minter -> minter.issuedBy(strangerCa, strangerKey.getPrivate()));
    http.certAuth(accessId, key.getPrivate(), forged, strangerCa)
        .assertError(401, "does not chain to the auth method's CA certificate");
    // The intermediate left out: the leaf alone cannot reach the root.
    http.certAuth(accessId, key.getPrivate(), PKI.leaf(key))
        .assertError(401, "does not chain to the auth method's CA certificate");
  }

  @Test
  void expiredAndNotYetValidCertificatesAreRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.validity(Fixtures.START.minus(Duration.ofHours(2)),
        Fixtures.START.plus(Duration.ofHours(1))));
    http.certAuth(accessId, key.getPrivate(), leaf, PKI.intermediate).assertOk();
    CLOCK.advance(Duration.ofHours(1).plusSeconds(1));
    http.certAuth(accessId, key.getPrivate(), leaf, PKI.intermediate).assertError(401, "has expired");
    CLOCK.set(Fixtures.START.minus(Duration.ofHours(3)));
    http.certAuth(accessId, key.getPrivate(), leaf, PKI.intermediate).assertError(401, "is not yet valid");
  }

  @Test
  void expiredIntermediateIsRefused() {
    KeyPair intermediateKey = Fixtures.key(KeyAlgorithm.EC_P256, 2);
    X509Certificate shortIntermediate = CertificateMinter.bare(intermediateKey.getPublic())
        .subject(new javax.security.auth.x500.X500Principal("CN=Short Intermediate"))
        .ca(true).keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN))
        .validity(Fixtures.START.minus(Duration.ofDays(1)), Fixtures.START.minusSeconds(1))
        .issuedBy(PKI.root, PKI.rootKey.getPrivate()).sign(null);
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.issuedBy(shortIntermediate, intermediateKey.getPrivate()));
    http.certAuth(accessId, key.getPrivate(), leaf, shortIntermediate)
        .assertError(401, CertAuthSettings.certId(shortIntermediate) + " has expired");
  }

  @Test
  void intermediateThatIsNotACaIsRefused() {
    KeyPair fakeCaKey = Fixtures.key(KeyAlgorithm.EC_P256, 2);
    X509Certificate notCa = CertificateMinter.bare(fakeCaKey.getPublic())
        .subject(new javax.security.auth.x500.X500Principal("CN=Not a CA"))
        .ca(false).keyUsage(EnumSet.of(CertificateMinter.KeyUsage.DIGITAL_SIGNATURE))
        .validity(Fixtures.START.minus(Duration.ofDays(1)), Fixtures.START.plus(Duration.ofDays(1)))
        .issuedBy(PKI.root, PKI.rootKey.getPrivate()).sign(null);
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.issuedBy(notCa, fakeCaKey.getPrivate()));
    http.certAuth(accessId, key.getPrivate(), leaf, notCa).assertError(401, "is not a CA");
  }

  @Test
  void pathLengthConstraintOfTheRootIsEnforced() {
    KeyPair rootKey = Fixtures.key(KeyAlgorithm.EC_P384, 0);
    X509Certificate zeroPathRoot = CertificateMinter.bare(rootKey.getPublic())
        .subject(new javax.security.auth.x500.X500Principal("CN=Path Zero Root"))
        .ca(true).pathLength(0).keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN))
        .validity(Fixtures.START.minus(Duration.ofDays(1)), Fixtures.START.plus(Duration.ofDays(1)))
        .sign(rootKey.getPrivate());
    KeyPair intermediateKey = Fixtures.key(KeyAlgorithm.EC_P384, 1);
    X509Certificate intermediate = Fixtures.ca(intermediateKey, "CN=Under Path Zero", zeroPathRoot,
        rootKey.getPrivate());
    String method = gateway.createCertAuthMethod(CertAuthSettings.builder("path-zero", zeroPathRoot).build());
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.issuedBy(intermediate, intermediateKey.getPrivate()));
    http.certAuth(method, key.getPrivate(), leaf, intermediate).assertError(401, "path length constraint exceeded");
  }

  @Test
  void leafWithoutClientAuthUsageIsRefused() throws IOException {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    byte[] serverOnly = new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth).getEncoded(ASN1Encoding.DER);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.serverAndClientAuth(false)
        .extension("2.5.29.37", false, serverOnly));
    http.certAuth(accessId, key.getPrivate(), leaf, PKI.intermediate)
        .assertError(401, "not for client authentication");
    X509Certificate noUsage = PKI.leaf(key, minter -> minter.serverAndClientAuth(false));
    http.certAuth(accessId, key.getPrivate(), noUsage, PKI.intermediate).assertOk();
  }

  @Test
  void unhandledCriticalExtensionIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.extension("1.3.6.1.4.1.99999.1", true,
        new byte[] {0x05, 0x00}));
    http.certAuth(accessId, key.getPrivate(), leaf, PKI.intermediate)
        .assertError(401, "unhandled critical extension");
  }

  @Test
  void revokedLeafIsRefused() {
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key, minter -> minter.serial(new BigInteger("0abcdef012", 16)));
    String method = gateway.createCertAuthMethod(CertAuthSettings.builder("revoked-leaf", PKI.root)
        .revokedCertIds("00:AB:CD:EF:01:2").build());
    assertEquals("abcdef012", CertAuthSettings.certId(leaf));
    http.certAuth(method, key.getPrivate(), leaf, PKI.intermediate).assertError(401, "certificate is revoked");
    http.certAuth(method, key.getPrivate(), PKI.leaf(key), PKI.intermediate).assertOk();
  }

  @Test
  void revokedIntermediateIsRefused() {
    String method = gateway.createCertAuthMethod(CertAuthSettings.builder("revoked-intermediate", PKI.root)
        .revoke(PKI.intermediate).build());
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    http.certAuth(method, key.getPrivate(), PKI.leaf(key), PKI.intermediate)
        .assertError(401, "a certificate of the chain is revoked");
  }

  @Test
  void accessExpiresIsEnforcedByTheGatewayClock() {
    String method = gateway.createCertAuthMethod(CertAuthSettings.builder("expiring", PKI.root)
        .accessExpires(Fixtures.START.plus(Duration.ofMinutes(10))).build());
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    X509Certificate leaf = PKI.leaf(key);
    http.certAuth(method, key.getPrivate(), leaf, PKI.intermediate).assertOk();
    CLOCK.advance(Duration.ofMinutes(10));
    http.certAuth(method, key.getPrivate(), leaf, PKI.intermediate).assertError(401, "access has expired");
  }

  @Test
  void boundIpsAreCheckedAgainstTheClientAddress() {
    String loopbackOnly = gateway.createCertAuthMethod(CertAuthSettings.builder("loopback", PKI.root)
        .boundIps("127.0.0.0/8", "::1/128").build());
    String elsewhere = gateway.createCertAuthMethod(CertAuthSettings.builder("elsewhere", PKI.root)
        .boundIps("10.0.0.0/8").build());
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    http.certAuth(loopbackOnly, key.getPrivate(), PKI.leaf(key), PKI.intermediate).assertOk();
    http.certAuth(elsewhere, key.getPrivate(), PKI.leaf(key), PKI.intermediate)
        .assertError(401, "client address is not in bound-ips");
  }

  private static String signed(PrivateKey key, String challenge) {
    return Fixtures.b64(Fixtures.sign(Fixtures.challengeAlgorithm(key), key, Base64.getDecoder().decode(challenge)));
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] both = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, both, a.length, b.length);
    return both;
  }
}
