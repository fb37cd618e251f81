package io.spiffe4j.internal;

import static io.spiffe4j.internal.SignatureFixtures.concat;
import static io.spiffe4j.internal.SignatureFixtures.concatenated;
import static io.spiffe4j.internal.SignatureFixtures.decodeDer;
import static io.spiffe4j.internal.SignatureFixtures.der;
import static io.spiffe4j.internal.SignatureFixtures.integer;
import static io.spiffe4j.internal.SignatureFixtures.jdkVerifyCertificate;
import static io.spiffe4j.internal.SignatureFixtures.key;
import static io.spiffe4j.internal.SignatureFixtures.leafIssuedBy;
import static io.spiffe4j.internal.SignatureFixtures.order;
import static io.spiffe4j.internal.SignatureFixtures.signTbs;
import static io.spiffe4j.internal.SignatureFixtures.tlv;
import static io.spiffe4j.internal.SignatureFixtures.tlvLongForm;
import static io.spiffe4j.internal.SignatureFixtures.withSignature;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** verifyCertificate against the JDK's own X509Certificate.verify as the oracle. */
class SignaturesCertificateTest {
  /** The order of Ed25519's base point (RFC 8032 §5.1). */
  private static final BigInteger ED25519_ORDER =
      BigInteger.ONE.shiftLeft(252).add(new BigInteger("27742317777372353535851937790883648493"));

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "EC_P521", "RSA_2048", "ED25519"})
  void genuineCertificatesVerifyAndTamperedOnesMatchTheJdk(KeyAlgorithm issuerType) {
    KeyPair issuer = key(issuerType, 0);
    X509Certificate leaf = leafIssuedBy(issuer);
    assertTrue(Signatures.verifyCertificate(leaf, issuer.getPublic()), "genuine");
    assertFalse(Signatures.verifyCertificate(leaf, key(issuerType, 1).getPublic()), "other key of the same type");
    assertFalse(Signatures.verifyCertificate(leaf, leaf.getPublicKey()), "the leaf's own key");

    Random random = new Random(issuerType.ordinal());
    byte[] signature = leaf.getSignature();
    for (int i = 0; i < 24; i++) {
      byte[] flipped = signature.clone();
      int bit = random.nextInt(flipped.length * 8);
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      X509Certificate tampered = withSignature(leaf, flipped);
      assertFalse(Signatures.verifyCertificate(tampered, issuer.getPublic()), "bit " + bit + " flipped");
      assertFalse(jdkVerifyCertificate(tampered, issuer.getPublic()), "JDK, bit " + bit + " flipped");
    }
    assertFalse(Signatures.verifyCertificate(
        withSignature(leaf, Arrays.copyOf(signature, signature.length - 1)), issuer.getPublic()), "truncated");
  }

  @Test
  void keyOfAnotherTypeThanTheSignatureAlgorithmNeverVerifies() {
    KeyPair ec = key(KeyAlgorithm.EC_P256, 0);
    KeyPair rsa = key(KeyAlgorithm.RSA_2048, 0);
    KeyPair ed = key(KeyAlgorithm.ED25519, 0);
    X509Certificate byEc = leafIssuedBy(ec);
    X509Certificate byRsa = leafIssuedBy(rsa);
    X509Certificate byEd = leafIssuedBy(ed);
    assertAll(
        () -> assertFalse(Signatures.verifyCertificate(byEc, rsa.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(byEc, ed.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(byRsa, ec.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(byRsa, ed.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(byEd, ec.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(byEd, rsa.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(byEc, key(KeyAlgorithm.EC_P384, 0).getPublic()), "other curve"),
        () -> assertFalse(Signatures.verifyCertificate(byEc, null)),
        () -> assertFalse(Signatures.verifyCertificate(null, ec.getPublic())));
  }

  @Test
  void signatureAlgorithmIsTheCertificatesOwn() {
    KeyPair p256 = key(KeyAlgorithm.EC_P256, 0);
    KeyPair p384 = key(KeyAlgorithm.EC_P384, 0);
    KeyPair rsa = key(KeyAlgorithm.RSA_2048, 0);
    // X.509 does not tie the digest to the curve: a P-256 issuer may sign with SHA-384 and a P-384 one with SHA-256.
    X509Certificate sha384ByP256 = leafIssuedBy(p256, "SHA384withECDSA");
    X509Certificate sha256ByP384 = leafIssuedBy(p384, "SHA256withECDSA");
    X509Certificate sha512ByP256 = leafIssuedBy(p256, "SHA512withECDSA");
    X509Certificate pss = SignatureFixtures.resignedWithPss(leafIssuedBy(rsa), rsa.getPrivate());
    X509Certificate sha512WithRsa = leafIssuedBy(rsa, "SHA512withRSA");
    assertEquals("1.2.840.113549.1.1.10", pss.getSigAlgOID());
    // A signature by the right key over the right bytes, but with another digest than the certificate declares.
    X509Certificate wrongDigest = withSignature(sha384ByP256, signTbs(sha384ByP256, "SHA256withECDSA", p256.getPrivate()));
    X509Certificate pkcs1AsPss = withSignature(pss, signTbs(pss, "SHA256withRSA", rsa.getPrivate()));
    X509Certificate pssAsPkcs1 = withSignature(sha512WithRsa, pss.getSignature());
    assertAll(
        () -> assertTrue(Signatures.verifyCertificate(sha384ByP256, p256.getPublic())),
        () -> assertTrue(Signatures.verifyCertificate(sha256ByP384, p384.getPublic())),
        () -> assertTrue(Signatures.verifyCertificate(sha512ByP256, p256.getPublic())),
        () -> assertTrue(Signatures.verifyCertificate(pss, rsa.getPublic()), "RSASSA-PSS with its parameters"),
        () -> assertTrue(Signatures.verifyCertificate(sha512WithRsa, rsa.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(wrongDigest, p256.getPublic())),
        () -> assertFalse(jdkVerifyCertificate(wrongDigest, p256.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(pkcs1AsPss, rsa.getPublic())),
        () -> assertFalse(jdkVerifyCertificate(pkcs1AsPss, rsa.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(pssAsPkcs1, rsa.getPublic())));
  }

  /** A rewrite of a genuine DER signature (null where it does not apply) and the verdict it must get. */
  private interface DerMutation {
    byte[] apply(BigInteger r, BigInteger s, BigInteger n);
  }

  private static final class Case {
    final String name;
    final boolean verifies;
    final boolean jdkAgrees;
    final DerMutation mutation;

    Case(String name, boolean verifies, boolean jdkAgrees, DerMutation mutation) {
      this.name = name;
      this.verifies = verifies;
      this.jdkAgrees = jdkAgrees;
      this.mutation = mutation;
    }
  }

  /** Wycheproof-style encodings of a signature; the JDK is laxer than DER in the two cases marked so. */
  private static List<Case> derCases(int fieldLength) {
    List<Case> cases = new ArrayList<>();
    cases.add(new Case("unchanged", true, true, (r, s, n) -> der(r, s)));
    cases.add(new Case("s replaced by n - s", true, true, (r, s, n) -> der(r, n.subtract(s))));
    cases.add(new Case("r and s swapped", false, true, (r, s, n) -> der(s, r)));
    cases.add(new Case("r = 0", false, true, (r, s, n) -> der(BigInteger.ZERO, s)));
    cases.add(new Case("s = 0", false, true, (r, s, n) -> der(r, BigInteger.ZERO)));
    cases.add(new Case("r = n", false, true, (r, s, n) -> der(n, s)));
    cases.add(new Case("s = n", false, true, (r, s, n) -> der(r, n)));
    cases.add(new Case("r = r + n", false, true, (r, s, n) -> der(r.add(n), s)));
    cases.add(new Case("s = s + n", false, true, (r, s, n) -> der(r, s.add(n))));
    cases.add(new Case("r negated", false, true, (r, s, n) -> der(r.negate(), s)));
    cases.add(new Case("s = -(n - s)", false, true, (r, s, n) -> der(r, s.subtract(n))));
    // Without its zero octet a high-bit integer reads as negative; the JDK takes its magnitude anyway.
    cases.add(new Case("zero octet dropped from a high-bit r", false, false, (r, s, n) -> r.toByteArray()[0] != 0
        ? null : sequence(tlv(0x02, Arrays.copyOfRange(r.toByteArray(), 1, r.toByteArray().length)), integer(s))));
    cases.add(new Case("r with a redundant leading zero", false, true,
        (r, s, n) -> sequence(tlv(0x02, new byte[1], r.toByteArray()), integer(s))));
    cases.add(new Case("s with two redundant leading zeros", false, true,
        (r, s, n) -> sequence(integer(r), tlv(0x02, new byte[2], s.toByteArray()))));
    cases.add(new Case("r padded with 0xff (negative)", false, true,
        (r, s, n) -> sequence(tlv(0x02, new byte[] {(byte) 0xff}, r.toByteArray()), integer(s))));
    cases.add(new Case("empty r", false, true, (r, s, n) -> sequence(tlv(0x02), integer(s))));
    cases.add(new Case("sequence length in long form though short", false, true,
        (r, s, n) -> concat(integer(r), integer(s)).length >= 128 ? null : tlvLongForm(0x30, integer(r), integer(s))));
    cases.add(new Case("sequence length in two octets", false, true, (r, s, n) -> {
      byte[] content = concat(integer(r), integer(s));
      return concat(new byte[] {0x30, (byte) 0x82, 0, (byte) content.length}, content);
    }));
    cases.add(new Case("integer length in long form", false, true,
        (r, s, n) -> sequence(tlvLongForm(0x02, r.toByteArray()), integer(s))));
    cases.add(new Case("indefinite sequence length", false, true,
        (r, s, n) -> concat(new byte[] {0x30, (byte) 0x80}, integer(r), integer(s), new byte[2])));
    cases.add(new Case("sequence length one too long", false, true, (r, s, n) -> {
      byte[] der = der(r, s);
      der[der.length < 130 ? 1 : 2]++;
      return der;
    }));
    cases.add(new Case("trailing zero octet", false, true, (r, s, n) -> concat(der(r, s), new byte[1])));
    cases.add(new Case("trailing NULL", false, true, (r, s, n) -> concat(der(r, s), new byte[] {0x05, 0x00})));
    cases.add(new Case("third integer", false, true, (r, s, n) -> sequence(integer(r), integer(s), integer(s))));
    cases.add(new Case("only r", false, true, (r, s, n) -> sequence(integer(r))));
    cases.add(new Case("SET instead of SEQUENCE", false, true, (r, s, n) -> {
      byte[] der = der(r, s);
      der[0] = 0x31;
      return der;
    }));
    cases.add(new Case("OCTET STRING instead of INTEGER", false, true,
        (r, s, n) -> sequence(tlv(0x04, r.toByteArray()), integer(s))));
    cases.add(new Case("R||S instead of DER", false, true, (r, s, n) -> concatenated(r, s, fieldLength)));
    cases.add(new Case("empty", false, true, (r, s, n) -> new byte[0]));
    return cases;
  }

  private static byte[] sequence(byte[]... contents) {
    byte[] content = concat(contents);
    return content.length < 128 ? tlv(0x30, content) : tlvLongForm(0x30, content);
  }

  @ParameterizedTest
  @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "EC_P521"})
  void ecdsaSignatureEncodingsMustBeStrictDer(KeyAlgorithm issuerType) {
    int fieldLength = (order(key(issuerType, 0).getPublic()).bitLength() + 7) / 8;
    int applied = 0;
    for (int k = 0; k < 2; k++) {
      KeyPair issuer = key(issuerType, k);
      X509Certificate leaf = leafIssuedBy(issuer);
      BigInteger[] rs = decodeDer(leaf.getSignature());
      for (Case c : derCases(fieldLength)) {
        byte[] signature = c.mutation.apply(rs[0], rs[1], order(issuer.getPublic()));
        if (signature == null) {
          continue;
        }
        applied++;
        X509Certificate certificate = withSignature(leaf, signature);
        String what = issuerType + ": " + c.name;
        assertEquals(c.verifies, Signatures.verifyCertificate(certificate, issuer.getPublic()), what);
        if (c.jdkAgrees) {
          assertEquals(c.verifies, jdkVerifyCertificate(certificate, issuer.getPublic()), "JDK, " + what);
        }
      }
    }
    assertTrue(applied >= 2 * 27, "cases applied: " + applied);
  }

  @Test
  void ed25519SignaturesMustBeCanonical() {
    KeyPair issuer = key(KeyAlgorithm.ED25519, 0);
    X509Certificate leaf = leafIssuedBy(issuer);
    byte[] signature = leaf.getSignature();
    // S + L is the same scalar modulo L; RFC 8032 §5.1.7 requires S < L so that a signature has one encoding.
    byte[] sPlusOrder = signature.clone();
    byte[] s = Arrays.copyOfRange(signature, 32, 64);
    byte[] sum = littleEndian(new BigInteger(1, reverse(s)).add(ED25519_ORDER));
    System.arraycopy(sum, 0, sPlusOrder, 32, 32);
    X509Certificate malleated = withSignature(leaf, sPlusOrder);
    X509Certificate extended = withSignature(leaf, concat(signature, new byte[1]));
    assertAll(
        () -> assertFalse(Signatures.verifyCertificate(malleated, issuer.getPublic())),
        () -> assertFalse(jdkVerifyCertificate(malleated, issuer.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(extended, issuer.getPublic())),
        () -> assertFalse(Signatures.verifyCertificate(withSignature(leaf, new byte[64]), issuer.getPublic())));
  }

  private static byte[] reverse(byte[] bytes) {
    byte[] out = new byte[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = bytes[bytes.length - 1 - i];
    }
    return out;
  }

  private static byte[] littleEndian(BigInteger value) {
    return reverse(SignatureFixtures.fixed(value, 32));
  }
}
