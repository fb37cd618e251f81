package io.spiffe4j.internal;

import static io.spiffe4j.internal.SignatureFixtures.jdkVerifyCertificate;
import static io.spiffe4j.internal.SignatureFixtures.jwsSign;
import static io.spiffe4j.internal.SignatureFixtures.key;
import static io.spiffe4j.internal.SignatureFixtures.leafIssuedBy;
import static io.spiffe4j.internal.SignatureFixtures.rawKey;
import static io.spiffe4j.internal.SignatureFixtures.withSignature;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.Size;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/** Arbitrary and mutated input: a verdict of false, never an exception, and only canonical DER accepted. */
@Tag("property")
class SignaturesProperties {
  private static final byte[] INPUT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9leGFtcGxlLm9yZy93In0"
      .getBytes(StandardCharsets.US_ASCII);
  private static final BigInteger MAX_P521_INTEGER = BigInteger.ONE.shiftLeft(528);
  private static final Map<KeyAlgorithm, X509Certificate> LEAVES = new ConcurrentHashMap<>();

  private static X509Certificate leaf(KeyAlgorithm issuer) {
    return LEAVES.computeIfAbsent(issuer, type -> leafIssuedBy(key(type, 0)));
  }

  private static KeyAlgorithm keyTypeFor(String alg) {
    switch (alg) {
      case "ES256": return KeyAlgorithm.EC_P256;
      case "ES384": return KeyAlgorithm.EC_P384;
      case "ES512": return KeyAlgorithm.EC_P521;
      default: return KeyAlgorithm.RSA_2048;
    }
  }

  @Provide
  Arbitrary<String> algorithms() {
    return Arbitraries.of("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512");
  }

  @Provide
  Arbitrary<byte[]> fixedLengthEcdsaSignatures() {
    return Arbitraries.of(64, 96, 132).flatMap(length -> Arbitraries.bytes().array(byte[].class).ofSize(length));
  }

  @Provide
  Arbitrary<KeyAlgorithm> issuerTypes() {
    return Arbitraries.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P521, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519);
  }

  @Property(tries = 300)
  void JWT_03_randomBytesNeverVerifyAsJws(@ForAll("algorithms") String alg, @ForAll @Size(max = 300) byte[] signature) {
    assertFalse(Signatures.verifyJws(alg, key(keyTypeFor(alg), 0).getPublic(), INPUT, signature));
  }

  @Property(tries = 300)
  void JWT_03_randomRAndSOfTheRightLengthNeverVerify(@ForAll("fixedLengthEcdsaSignatures") byte[] signature) {
    String alg = signature.length == 64 ? "ES256" : signature.length == 96 ? "ES384" : "ES512";
    assertFalse(Signatures.verifyJws(alg, key(keyTypeFor(alg), 0).getPublic(), INPUT, signature));
  }

  @Property(tries = 200)
  void randomBytesNeverVerifyAsACertificateSignature(
      @ForAll("issuerTypes") KeyAlgorithm issuer, @ForAll @Size(max = 200) byte[] signature) {
    X509Certificate tampered = withSignature(leaf(issuer), signature);
    assertFalse(Signatures.verifyCertificate(tampered, key(issuer, 0).getPublic()));
  }

  @Property(tries = 200)
  void singleOctetEditsOfACertificateSignatureFailLikeTheJdk(
      @ForAll("issuerTypes") KeyAlgorithm issuer, @ForAll int position, @ForAll byte delta) {
    byte[] signature = leaf(issuer).getSignature();
    int index = Math.floorMod(position, signature.length);
    signature[index] += delta == 0 ? 1 : delta;
    X509Certificate tampered = withSignature(leaf(issuer), signature);
    assertFalse(Signatures.verifyCertificate(tampered, key(issuer, 0).getPublic()));
    assertFalse(jdkVerifyCertificate(tampered, key(issuer, 0).getPublic()));
  }

  @Property(tries = 300)
  void randomSubjectPublicKeyInfosAreNeverKeys(@ForAll @Size(max = 200) byte[] encoded) {
    KeyPair genuine = key(KeyAlgorithm.EC_P256, 0);
    byte[] signature = jwsSign("ES256", genuine.getPrivate(), INPUT);
    assertFalse(Signatures.verifyJws("ES256", rawKey("EC", encoded), INPUT, signature));
    assertFalse(Signatures.verifyCertificate(leaf(KeyAlgorithm.EC_P256), rawKey("EC", encoded)));
    assertFalse(Signatures.verifyCertificate(leaf(KeyAlgorithm.ED25519), rawKey("Ed25519", encoded)));
  }

  @Property(tries = 300)
  void singleOctetEditsOfAGenuineKeyNeverVerify(@ForAll int position, @ForAll byte delta) {
    KeyPair genuine = key(KeyAlgorithm.EC_P256, 0);
    byte[] encoded = genuine.getPublic().getEncoded();
    encoded[Math.floorMod(position, encoded.length)] += delta == 0 ? 1 : delta;
    byte[] signature = jwsSign("ES256", genuine.getPrivate(), INPUT);
    assertFalse(Signatures.verifyJws("ES256", rawKey("EC", encoded), INPUT, signature));
  }

  @Provide
  Arbitrary<BigInteger> ecdsaIntegers() {
    return Arbitraries.bigIntegers().between(BigInteger.ONE, MAX_P521_INTEGER);
  }

  @Property(tries = 300)
  void derDecodingInvertsDerEncoding(@ForAll("ecdsaIntegers") BigInteger r, @ForAll("ecdsaIntegers") BigInteger s) {
    assertArrayEquals(new BigInteger[] {r, s}, EcdsaSignatureEncoding.fromDer(bouncyCastleDer(r, s)));
  }

  /** Canonical encodings, and ones with an octet changed, inserted or removed: half of them decodable, most not. */
  @Provide
  Arbitrary<byte[]> derLike() {
    Arbitrary<byte[]> canonical = Combinators.combine(ecdsaIntegers(), ecdsaIntegers()).as(SignaturesProperties::bouncyCastleDer);
    Arbitrary<byte[]> edited = Combinators.combine(canonical, Arbitraries.integers(), Arbitraries.bytes(), Arbitraries.of(0, 1, 2))
        .as((der, position, value, edit) -> {
          int index = Math.floorMod(position, der.length);
          if (edit == 0) {
            der[index] = value;
            return der;
          }
          byte[] out = new byte[der.length + (edit == 1 ? 1 : -1)];
          System.arraycopy(der, 0, out, 0, index);
          if (edit == 1) {
            out[index] = value;
            System.arraycopy(der, index, out, index + 1, der.length - index);
          } else {
            System.arraycopy(der, index + 1, out, index, der.length - index - 1);
          }
          return out;
        });
    return Arbitraries.oneOf(canonical, edited, Arbitraries.bytes().array(byte[].class).ofMaxSize(150));
  }

  @Property(tries = 500)
  void derDecodingAcceptsOnlyCanonicalEncodingsOfPositiveIntegers(@ForAll("derLike") byte[] der) {
    BigInteger[] rs = EcdsaSignatureEncoding.fromDer(der);
    if (rs != null) {
      assertTrue(rs[0].signum() > 0 && rs[1].signum() > 0);
      assertArrayEquals(der, bouncyCastleDer(rs[0], rs[1]), "accepted a non-canonical spelling");
    }
  }

  private static byte[] bouncyCastleDer(BigInteger r, BigInteger s) {
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Property(tries = 100)
  void JWT_03_genuineSignaturesOfArbitraryMessagesVerify(@ForAll("algorithms") String alg, @ForAll @Size(max = 400) byte[] message) {
    KeyPair pair = key(keyTypeFor(alg), 1);
    byte[] signature = jwsSign(alg, pair.getPrivate(), message);
    assertTrue(Signatures.verifyJws(alg, pair.getPublic(), message, signature));
    assertFalse(Signatures.verifyJws(alg, pair.getPublic(), Arrays.copyOf(message, message.length + 1), signature));
  }
}
