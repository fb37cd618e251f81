package io.spiffe4j.svid.x509;

import static io.spiffe4j.svid.x509.TestPki.WORKLOAD;
import static io.spiffe4j.svid.x509.TestPki.ec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPrivateKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and building one's own X509-SVID: one test per rule the constructor enforces, and the encodings. */
class X509SvidTest {
  private static final KeyPair CA_KEY = ec(0);
  private static final X509Certificate CA = TestPki.root(CA_KEY);

  private static X509Certificate leaf(CertificateMinter minter) {
    return minter.sign(null);
  }

  private static CertificateMinter leafMinter(KeyPair key) {
    return TestPki.leafMinter(key, WORKLOAD, CA, CA_KEY);
  }

  private static void assertRule(String rule, Runnable action) {
    X509SvidException e = assertThrows(X509SvidException.class, action::run);
    assertEquals(rule, e.rule().orElse(null), e.getMessage());
  }

  private static byte[] pem(X509Certificate... certificates) throws Exception {
    StringBuilder text = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      text.append(Pem.encode("CERTIFICATE", certificate.getEncoded()));
    }
    return text.toString().getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] der(X509Certificate... certificates) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate certificate : certificates) {
      out.write(certificate.getEncoded());
    }
    return out.toByteArray();
  }

  private static byte[] keyPem(String type, byte[] der) {
    return Pem.encode(type, der).getBytes(StandardCharsets.US_ASCII);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
  void everyAllowedKeyTypeParsesAndRoundTripsThroughPem(KeyAlgorithm algorithm) throws Exception {
    KeyPair key = TestPki.key(algorithm, 1);
    X509Certificate leaf = leaf(leafMinter(key));
    X509Svid svid = X509Svid.parse(pem(leaf, CA), keyPem("PRIVATE KEY", key.getPrivate().getEncoded()));

    assertEquals(WORKLOAD, svid.id());
    assertEquals(List.of(leaf, CA), svid.chain());
    assertSame(svid.chain().get(0), svid.leaf());
    assertEquals(leaf.getNotAfter().toInstant(), svid.expiresAt());

    X509Svid again = X509Svid.parse(svid.marshalChainPem(), svid.marshalKeyPem());
    assertEquals(svid.chain(), again.chain());
    assertArrayEquals(svid.privateKey().getEncoded(), again.privateKey().getEncoded());
    assertSame(svid, svid.x509Svid());
  }

  @Test
  void X509_21_parseRawTakesConcatenatedDerAndPkcs8() throws Exception {
    KeyPair key = ec(3);
    X509Certificate leaf = leaf(leafMinter(key));
    X509Certificate intermediate = TestPki.intermediate(ec(4), "Intermediate", CA, CA_KEY);
    X509Certificate leafUnderIntermediate = TestPki.leaf(key, intermediate, ec(4));

    X509Svid svid = X509Svid.parseRaw(der(leafUnderIntermediate, intermediate), key.getPrivate().getEncoded());
    assertEquals(List.of(leafUnderIntermediate, intermediate), svid.chain());
    assertEquals(WORKLOAD, X509Svid.parse(der(leaf), key.getPrivate().getEncoded()).id());
  }

  @Test
  void X509_21_parseRawRejectsPemAndMalformedDer() throws Exception {
    KeyPair key = ec(3);
    X509Certificate leaf = leaf(leafMinter(key));
    byte[] chain = der(leaf);
    byte[] pkcs8 = key.getPrivate().getEncoded();
    byte[] pemChain = pem(leaf);

    assertRule("X509-21", () -> X509Svid.parseRaw(pemChain, pkcs8));
    assertRule("X509-21", () -> X509Svid.parseRaw(Arrays.copyOf(chain, chain.length - 1), pkcs8));
    assertRule("X509-21", () -> X509Svid.parseRaw(Arrays.copyOf(chain, chain.length + 1), pkcs8));
    assertRule("X509-21", () -> X509Svid.parseRaw(new byte[0], pkcs8));
    assertRule("X509-21", () -> X509Svid.parseRaw(chain, Arrays.copyOf(pkcs8, pkcs8.length - 3)));
    assertRule("X509-21", () -> X509Svid.parseRaw(chain, new byte[] {0x30, (byte) 0x80, 0, 0}));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
      "-----BEGIN CERTIFICATE-----\nMIIB\n", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"})
  void garbageCertificatesAreTypedErrors(String certificates) {
    byte[] key = keyPem("PRIVATE KEY", ec(1).getPrivate().getEncoded());
    assertThrows(X509SvidException.class,
        () -> X509Svid.parse(certificates.getBytes(StandardCharsets.US_ASCII), key));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
      "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
      "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n",
      "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"})
  void garbageKeysAreTypedErrors(String privateKey) throws Exception {
    byte[] certificates = pem(leaf(leafMinter(ec(1))));
    X509SvidException e = assertThrows(X509SvidException.class,
        () -> X509Svid.parse(certificates, privateKey.getBytes(StandardCharsets.US_ASCII)));
    assertFalse(e.getMessage().contains("AAAA"), e.getMessage());
  }

  @Test
  void encryptedKeysAreRefusedClearly() throws Exception {
    byte[] certificates = pem(leaf(leafMinter(ec(1))));
    byte[] encrypted = keyPem("ENCRYPTED PRIVATE KEY", new byte[] {0x30, 0x00});
    X509SvidException e = assertThrows(X509SvidException.class, () -> X509Svid.parse(certificates, encrypted));
    assertTrue(e.getMessage().contains("encrypted"), e.getMessage());
  }

  @Test
  void legacyEcAndRsaPemKeysAreAccepted() throws Exception {
    KeyPair ec = TestPki.key(KeyAlgorithm.EC_P256, 0);
    byte[] sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
        ((java.security.interfaces.ECPrivateKey) ec.getPrivate()).getS(), SECObjectIdentifiers.secp256r1).getEncoded();
    X509Svid ecSvid = X509Svid.parse(pem(leaf(leafMinter(ec))), keyPem("EC PRIVATE KEY", sec1));
    assertEquals(((java.security.interfaces.ECPrivateKey) ec.getPrivate()).getS(),
        ((java.security.interfaces.ECPrivateKey) ecSvid.privateKey()).getS());

    KeyPair rsa = TestPki.key(KeyAlgorithm.RSA_2048, 0);
    byte[] pkcs1 = PrivateKeyInfo.getInstance(rsa.getPrivate().getEncoded()).parsePrivateKey()
        .toASN1Primitive().getEncoded();
    X509Svid rsaSvid = X509Svid.parse(pem(leaf(leafMinter(rsa))), keyPem("RSA PRIVATE KEY", pkcs1));
    assertArrayEquals(rsa.getPrivate().getEncoded(), rsaSvid.privateKey().getEncoded());

    byte[] noCurve = new org.bouncycastle.asn1.sec.ECPrivateKey(256,
        ((java.security.interfaces.ECPrivateKey) ec.getPrivate()).getS()).getEncoded();
    X509SvidException e = assertThrows(X509SvidException.class,
        () -> X509Svid.parse(pem(leaf(leafMinter(ec))), keyPem("EC PRIVATE KEY", noCurve)));
    assertTrue(e.getMessage().contains("curve"), e.getMessage());
  }

  @Test
  void oneCombinedPemFileServesAsBothInputs() throws Exception {
    KeyPair key = ec(2);
    byte[] combined = (new String(pem(leaf(leafMinter(key)), CA), StandardCharsets.US_ASCII)
        + Pem.encode("PRIVATE KEY", key.getPrivate().getEncoded())).getBytes(StandardCharsets.US_ASCII);
    assertEquals(2, X509Svid.parse(combined, combined).chain().size());
  }

  @Test
  void X509_01_leafWithoutUriSanIsRejected() {
    KeyPair key = ec(1);
    assertRule("X509-01", () -> X509Svid.of(List.of(leaf(leafMinter(key).uriSans())), key.getPrivate()));
    assertRule("X509-01", () -> X509Svid.of(List.of(leaf(leafMinter(key).uriSans().dnsSans("web.example.org"))),
        key.getPrivate()));
  }

  @Test
  void X509_02_twoUriSansAreRejectedEvenWhenIdentical() {
    KeyPair key = ec(1);
    String id = WORKLOAD.toString();
    assertRule("X509-02", () -> X509Svid.of(
        List.of(leaf(leafMinter(key).uriSans(id, "spiffe://example.org/other"))), key.getPrivate()));
    assertRule("X509-02", () -> X509Svid.of(List.of(leaf(leafMinter(key).uriSans(id, id))), key.getPrivate()));
  }

  @Test
  void X509_03_otherSanTypesAreAllowed() {
    KeyPair key = ec(1);
    X509Svid svid = X509Svid.of(List.of(leaf(leafMinter(key).dnsSans("web.example.org"))), key.getPrivate());
    assertEquals(WORKLOAD, svid.id());
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.org/web:SID-01", "spiffe://Example.org/web:SID-07",
      "spiffe://example.org/a/../b:SID-12", "spiffe://example.org/web/:SID-13"})
  void SID_invalidSpiffeIdInUriSanKeepsTheIdRule(String uriAndRule) {
    int split = uriAndRule.lastIndexOf(':');
    String uri = uriAndRule.substring(0, split);
    KeyPair key = ec(1);
    assertRule(uriAndRule.substring(split + 1),
        () -> X509Svid.of(List.of(leaf(leafMinter(key).uriSans(uri))), key.getPrivate()));
  }

  @Test
  void X509_04_rootPathIdIsRejected() {
    KeyPair key = ec(1);
    assertRule("X509-04", () -> X509Svid.of(
        List.of(leaf(leafMinter(key).uriSans("spiffe://example.org"))), key.getPrivate()));
  }

  @Test
  void X509_09_leafMustNotBeCa() {
    KeyPair key = ec(1);
    assertRule("X509-09", () -> X509Svid.of(List.of(leaf(leafMinter(key).ca(true))), key.getPrivate()));
    // Absent basic constraints mean cA=false.
    assertEquals(WORKLOAD, X509Svid.of(List.of(leaf(leafMinter(key).ca(null))), key.getPrivate()).id());
  }

  @Test
  void X509_13_leafKeyUsage() {
    KeyPair key = ec(1);
    PrivateKey privateKey = key.getPrivate();
    assertRule("X509-13", () -> X509Svid.of(
        List.of(leaf(leafMinter(key).keyUsage(EnumSet.of(KeyUsage.KEY_AGREEMENT)))), privateKey));
    assertRule("X509-13", () -> X509Svid.of(List.of(leaf(leafMinter(key).keyUsage(null))), privateKey));
    assertRule("X509-13", () -> X509Svid.of(List.of(leaf(leafMinter(key)
        .keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_CERT_SIGN)))), privateKey));
    assertRule("X509-13", () -> X509Svid.of(List.of(leaf(leafMinter(key)
        .keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.CRL_SIGN)))), privateKey));
    X509Svid allowed = X509Svid.of(List.of(leaf(leafMinter(key).keyUsage(
        EnumSet.of(KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT, KeyUsage.KEY_AGREEMENT)))), privateKey);
    assertEquals(WORKLOAD, allowed.id());
  }

  @Test
  void X509_12_intermediatesMustBeCasWithKeyCertSign() {
    KeyPair key = ec(1);
    KeyPair intermediateKey = ec(2);
    X509Certificate notCa = TestPki.intermediateMinter(intermediateKey, "Not a CA", CA, CA_KEY).ca(false).sign(null);
    X509Certificate noKeyCertSign = TestPki.intermediateMinter(intermediateKey, "No keyCertSign", CA, CA_KEY)
        .keyUsage(EnumSet.of(KeyUsage.CRL_SIGN)).sign(null);
    X509Certificate noKeyUsage = TestPki.intermediateMinter(intermediateKey, "No KU", CA, CA_KEY)
        .keyUsage(null).sign(null);
    for (X509Certificate intermediate : List.of(notCa, noKeyCertSign, noKeyUsage)) {
      X509Certificate leaf = TestPki.leaf(key, intermediate, intermediateKey);
      assertRule("X509-12", () -> X509Svid.of(List.of(leaf, intermediate), key.getPrivate()));
    }
  }

  @Test
  void privateKeyMustMatchTheLeaf() {
    X509Certificate leaf = leaf(leafMinter(ec(1)));
    for (KeyPair other : List.of(ec(2), TestPki.key(KeyAlgorithm.EC_P384, 0), TestPki.key(KeyAlgorithm.RSA_2048, 0),
        TestPki.key(KeyAlgorithm.ED25519, 0))) {
      X509SvidException e = assertThrows(X509SvidException.class, () -> X509Svid.of(List.of(leaf), other.getPrivate()));
      assertTrue(e.getMessage().contains("does not match"), e.getMessage());
    }
    for (KeyAlgorithm algorithm : List.of(KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519, KeyAlgorithm.EC_P384)) {
      X509Certificate typed = leaf(leafMinter(TestPki.key(algorithm, 0)));
      assertThrows(X509SvidException.class, () -> X509Svid.of(List.of(typed), TestPki.key(algorithm, 1).getPrivate()),
          algorithm.name());
    }
  }

  @Test
  void rsaKeyWithoutCrtPartsIsCheckedArithmetically() throws Exception {
    KeyPair key = TestPki.key(KeyAlgorithm.RSA_2048, 0);
    RSAPrivateCrtKey crt = (RSAPrivateCrtKey) key.getPrivate();
    KeyFactory factory = KeyFactory.getInstance("RSA");
    PrivateKey bare = factory.generatePrivate(new RSAPrivateKeySpec(crt.getModulus(), crt.getPrivateExponent()));
    X509Certificate leaf = leaf(leafMinter(key));
    assertEquals(WORKLOAD, X509Svid.of(List.of(leaf), bare).id());

    RSAPrivateCrtKey other = (RSAPrivateCrtKey) TestPki.key(KeyAlgorithm.RSA_2048, 1).getPrivate();
    PrivateKey wrongExponent = factory.generatePrivate(
        new RSAPrivateKeySpec(crt.getModulus(), other.getPrivateExponent()));
    assertThrows(X509SvidException.class, () -> X509Svid.of(List.of(leaf), wrongExponent));
  }

  @Test
  void disallowedKeyTypesAreRejected() throws Exception {
    KeyPair p521 = TestPki.key(KeyAlgorithm.EC_P521, 0);
    X509SvidException curve = assertThrows(X509SvidException.class,
        () -> X509Svid.of(List.of(leaf(leafMinter(p521))), p521.getPrivate()));
    assertTrue(curve.getMessage().contains("curve"), curve.getMessage());

    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    KeyPair rsa1024 = generator.generateKeyPair();
    X509SvidException size = assertThrows(X509SvidException.class,
        () -> X509Svid.of(List.of(leaf(leafMinter(rsa1024))), rsa1024.getPrivate()));
    assertTrue(size.getMessage().contains("2048"), size.getMessage());
  }

  @Test
  void emptyChainAndNullElementsAreTypedErrors() {
    PrivateKey key = ec(1).getPrivate();
    assertThrows(X509SvidException.class, () -> X509Svid.of(List.of(), key));
    List<X509Certificate> withNull = new ArrayList<>();
    withNull.add(null);
    X509SvidException e = assertThrows(X509SvidException.class, () -> X509Svid.of(withNull, key));
    assertTrue(e.getMessage().contains("null"), e.getMessage());
    assertThrows(NullPointerException.class, () -> X509Svid.of(null, key));
  }

  @Test
  void toStringShowsIdAndExpiryButNeverTheKey() {
    KeyPair key = ec(1);
    X509Svid svid = X509Svid.of(List.of(leaf(leafMinter(key))), key.getPrivate()).withHint("internal");
    String text = svid.toString();
    assertTrue(text.contains(WORKLOAD.toString()), text);
    assertTrue(text.contains(svid.expiresAt().toString()), text);
    assertTrue(text.contains("internal"), text);
    assertFalse(text.contains("PRIVATE"), text);
    assertFalse(text.contains(((java.security.interfaces.ECPrivateKey) key.getPrivate()).getS().toString(16)), text);
    assertEquals("internal", svid.hint());
    assertEquals("", X509Svid.of(List.of(svid.leaf()), key.getPrivate()).hint());
  }

  @Test
  void idOfTheLeafIsExposed() {
    KeyPair key = ec(1);
    SpiffeId other = SpiffeId.parse("spiffe://example.org/other");
    assertEquals(other, X509Svid.of(List.of(TestPki.leafMinter(key, other, CA, CA_KEY).sign(null)),
        key.getPrivate()).id());
  }
}
