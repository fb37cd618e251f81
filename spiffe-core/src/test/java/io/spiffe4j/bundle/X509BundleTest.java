package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.JwtBundleTest.rejected;
import static io.spiffe4j.bundle.TestAuthorities.OTHER_TD;
import static io.spiffe4j.bundle.TestAuthorities.TD;
import static io.spiffe4j.bundle.TestAuthorities.ca;
import static io.spiffe4j.bundle.TestAuthorities.text;
import static io.spiffe4j.bundle.TestAuthorities.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.internal.Pem;
import java.io.ByteArrayOutputStream;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class X509BundleTest {

  static byte[] der(X509Certificate... certificates) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate certificate : certificates) {
      out.write(certificate.getEncoded());
    }
    return out.toByteArray();
  }

  @Test
  void X509_21_concatenatedDerParsesInOrder() throws Exception {
    X509Bundle bundle = X509Bundle.parseDer(TD, der(ca(2), ca(0), ca(5), ca(7)));
    assertEquals(List.of(ca(2), ca(0), ca(5), ca(7)), bundle.x509Authorities());
    assertEquals(TD, bundle.trustDomain());
  }

  @Test
  void X509_21_marshalDerIsTheConcatenation() throws Exception {
    X509Bundle bundle = X509Bundle.of(TD, List.of(ca(1), ca(6)));
    assertArrayEquals(der(ca(1), ca(6)), bundle.marshalDer());
  }

  @Test
  void X509_21_everyTruncationRejected() throws Exception {
    byte[] der = der(ca(0), ca(1));
    int first = ca(0).getEncoded().length;
    for (int length = 1; length < der.length; length++) {
      if (length == first) {
        continue; // exactly the first certificate: a valid one-certificate bundle
      }
      byte[] truncated = Arrays.copyOf(der, length);
      assertThrows(BundleException.class, () -> X509Bundle.parseDer(TD, truncated), "length " + length);
    }
  }

  @Test
  void X509_21_trailingBytesRejected() throws Exception {
    byte[] der = der(ca(0));
    byte[] trailing = Arrays.copyOf(der, der.length + 2);
    rejected("X509-21", () -> X509Bundle.parseDer(TD, trailing));
  }

  @Test
  void X509_21_nonMinimalOrIndefiniteLengthRejected() throws Exception {
    byte[] der = der(ca(0));
    assertEquals((byte) 0x82, der[1]); // a CA certificate is between 256 and 65535 bytes
    byte[] longForm = new byte[der.length + 1];
    longForm[0] = 0x30;
    longForm[1] = (byte) 0x83;
    longForm[2] = 0;
    System.arraycopy(der, 2, longForm, 3, der.length - 2);
    rejected("X509-21", () -> X509Bundle.parseDer(TD, longForm));
    byte[] shortAsLong = {0x30, (byte) 0x81, 0x03, 0x02, 0x01, 0x00};
    rejected("X509-21", () -> X509Bundle.parseDer(TD, shortAsLong));
    byte[] indefinite = {0x30, (byte) 0x80, 0x02, 0x01, 0x00, 0x00, 0x00};
    rejected("X509-21", () -> X509Bundle.parseDer(TD, indefinite));
  }

  @Test
  void X509_21_wellFramedGarbageIsABundleExceptionWithCause() {
    BundleException e = rejected("X509-21", () -> X509Bundle.parseDer(TD, new byte[] {0x30, 0x03, 0x02, 0x01, 0x05}));
    assertTrue(e.getMessage().contains("certificate 1"), e.getMessage());
    assertTrue(e.getCause() instanceof java.security.cert.CertificateException, String.valueOf(e.getCause()));
  }

  @Test
  void X509_21_base64TextIsNotDer() throws Exception {
    // The JDK's CertificateFactory would accept this; the Workload API form is binary DER only.
    byte[] base64 = utf8(Base64.getEncoder().encodeToString(ca(0).getEncoded()));
    rejected("X509-21", () -> X509Bundle.parseDer(TD, base64));
  }

  @Test
  void parsePemReadsEveryBlockIgnoringTextOutside() throws Exception {
    String pem = "Subject: example\n" + Pem.encode("CERTIFICATE", ca(0).getEncoded()) + "\nsome note\r\n"
        + Pem.encode("CERTIFICATE", ca(5).getEncoded()) + "trailer";
    assertEquals(List.of(ca(0), ca(5)), X509Bundle.parsePem(TD, utf8(pem)).x509Authorities());
  }

  @Test
  void parsePemRejectsOtherBlockTypesWithoutEchoingThem() throws Exception {
    String key = Pem.encode("PRIVATE KEY", TestAuthorities.jwtKeyPairs().get(0).getPrivate().getEncoded());
    String pem = Pem.encode("CERTIFICATE", ca(0).getEncoded()) + key;
    BundleException e = rejected(null, () -> X509Bundle.parsePem(TD, utf8(pem)));
    assertTrue(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
    String body = key.split("\n")[1];
    assertFalse(e.getMessage().contains(body.substring(0, 16)), e.getMessage());
    rejected(null, () -> X509Bundle.parsePem(TD, utf8(Pem.encode("CERTIFICATE REQUEST", new byte[] {1}))));
  }

  @Test
  void parsePemRejectsTextWithoutBlocks() {
    BundleException e = rejected(null, () -> X509Bundle.parsePem(TD, utf8("not a bundle\n")));
    assertTrue(e.getMessage().contains("no PEM blocks"), e.getMessage());
    rejected(null, () -> X509Bundle.parsePem(TD, utf8(" \n")));
  }

  @Test
  void parsePemRejectsMalformedBlocks() throws Exception {
    String good = Pem.encode("CERTIFICATE", ca(0).getEncoded());
    rejected(null, () -> X509Bundle.parsePem(TD, utf8(good.replace("-----END CERTIFICATE-----", ""))));
    rejected(null, () -> X509Bundle.parsePem(TD, utf8(good.replaceFirst("\n", "\n*"))));
    String twoInOne = Pem.encode("CERTIFICATE", der(ca(0), ca(1)));
    rejected(null, () -> X509Bundle.parsePem(TD, utf8(twoInOne)));
    String garbage = Pem.encode("CERTIFICATE", new byte[] {0x30, 0x03, 0x02, 0x01, 0x05});
    rejected(null, () -> X509Bundle.parsePem(TD, utf8(garbage)));
  }

  @Test
  void BUN_06_zeroBytesAreAnEmptyBundleInEveryFormat() {
    assertTrue(X509Bundle.parse(TD, new byte[0]).isEmpty());
    assertTrue(X509Bundle.parsePem(TD, new byte[0]).isEmpty());
    assertTrue(X509Bundle.parseDer(TD, new byte[0]).isEmpty());
    X509Bundle empty = X509Bundle.of(TD, List.of());
    assertEquals(0, empty.marshalPem().length);
    assertEquals(0, empty.marshalDer().length);
  }

  @Test
  void parseTellsPemFromDerByContent() throws Exception {
    X509Bundle expected = X509Bundle.of(TD, List.of(ca(3), ca(4)));
    assertEquals(expected, X509Bundle.parse(TD, expected.marshalPem()));
    assertEquals(expected, X509Bundle.parse(TD, expected.marshalDer()));
    rejected(null, () -> X509Bundle.parse(TD, utf8("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")));
    rejected("X509-21", () -> X509Bundle.parse(TD, utf8("garbage")));
  }

  @Test
  void marshalPemWritesCertificateBlocksInOrder() {
    String pem = text(X509Bundle.of(TD, List.of(ca(7), ca(0))).marshalPem());
    List<Pem.Block> blocks = Pem.decode(pem);
    assertEquals(2, blocks.size());
    assertEquals("CERTIFICATE", blocks.get(0).type());
    assertArrayEquals(CertificateCodec.encoded(ca(7)), blocks.get(0).der());
    assertArrayEquals(CertificateCodec.encoded(ca(0)), blocks.get(1).der());
  }

  @Test
  void duplicatesAreDroppedKeepingFirstSeenOrder() throws Exception {
    X509Bundle bundle = X509Bundle.parseDer(TD, der(ca(1), ca(0), ca(1)));
    assertEquals(List.of(ca(1), ca(0)), bundle.x509Authorities());
  }

  @Test
  void equalityCoversTrustDomainAndOrderedAuthorities() {
    X509Bundle bundle = X509Bundle.of(TD, List.of(ca(0), ca(1)));
    assertEquals(bundle, X509Bundle.parsePem(TD, bundle.marshalPem()));
    assertEquals(bundle.hashCode(), X509Bundle.parsePem(TD, bundle.marshalPem()).hashCode());
    assertNotEquals(bundle, X509Bundle.of(OTHER_TD, List.of(ca(0), ca(1))));
    assertNotEquals(bundle, X509Bundle.of(TD, List.of(ca(1), ca(0))));
    assertNotEquals(bundle, X509Bundle.of(TD, List.of(ca(0))));
  }

  @Test
  void BUN_01_bundleAnswersOnlyForItsTrustDomain() {
    X509Bundle bundle = X509Bundle.of(TD, List.of(ca(0)));
    assertEquals(bundle, bundle.x509BundleFor(TD));
    assertThrows(BundleNotFoundException.class, () -> bundle.x509BundleFor(OTHER_TD));
  }

  @Test
  void nullArgumentsAreNamed() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> X509Bundle.parse(TD, null));
    assertEquals("certificates", e.getMessage());
    assertThrows(NullPointerException.class, () -> X509Bundle.parseDer(null, new byte[0]));
  }
}
