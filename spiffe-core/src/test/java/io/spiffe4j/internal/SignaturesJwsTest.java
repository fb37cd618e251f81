package io.spiffe4j.internal;

import static io.spiffe4j.internal.SignatureFixtures.concat;
import static io.spiffe4j.internal.SignatureFixtures.concatenated;
import static io.spiffe4j.internal.SignatureFixtures.der;
import static io.spiffe4j.internal.SignatureFixtures.jdkVerifyJws;
import static io.spiffe4j.internal.SignatureFixtures.jwsSign;
import static io.spiffe4j.internal.SignatureFixtures.key;
import static io.spiffe4j.internal.SignatureFixtures.order;
import static io.spiffe4j.internal.SignatureFixtures.randomMessage;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** verifyJws against the JDK as an independent oracle, on genuine and on deliberately broken signatures. */
class SignaturesJwsTest {
  private static final byte[] INPUT = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzcGlmZmU6Ly9leGFtcGxlLm9yZy93In0"
      .getBytes(StandardCharsets.US_ASCII);

  static Stream<Arguments> allowedAlgorithms() {
    return Stream.of(
        Arguments.of("ES256", KeyAlgorithm.EC_P256), Arguments.of("ES384", KeyAlgorithm.EC_P384),
        Arguments.of("ES512", KeyAlgorithm.EC_P521), Arguments.of("RS256", KeyAlgorithm.RSA_2048),
        Arguments.of("RS384", KeyAlgorithm.RSA_2048), Arguments.of("RS512", KeyAlgorithm.RSA_2048),
        Arguments.of("PS256", KeyAlgorithm.RSA_2048), Arguments.of("PS384", KeyAlgorithm.RSA_2048),
        Arguments.of("PS512", KeyAlgorithm.RSA_2048));
  }

  static Stream<Arguments> ecdsaAlgorithms() {
    return allowedAlgorithms().limit(3);
  }

  @ParameterizedTest
  @MethodSource("allowedAlgorithms")
  void JWT_03_jdkSignaturesOnRandomMessagesVerifyAndTamperedOnesDoNot(String alg, KeyAlgorithm keyType) {
    Random random = new Random(alg.hashCode());
    for (int i = 0; i < 12; i++) {
      KeyPair pair = key(keyType, i % 2);
      byte[] message = randomMessage(random);
      byte[] signature = jwsSign(alg, pair.getPrivate(), message);
      assertTrue(Signatures.verifyJws(alg, pair.getPublic(), message, signature), alg + " genuine signature");
      assertFalse(Signatures.verifyJws(alg, key(keyType, 1 - i % 2).getPublic(), message, signature), "other key");

      byte[] flipped = signature.clone();
      int bit = random.nextInt(flipped.length * 8);
      flipped[bit / 8] ^= (byte) (1 << (bit % 8));
      byte[] otherMessage = concat(message, new byte[] {1});
      assertAll(
          () -> assertEquals(jdkVerifyJws(alg, pair.getPublic(), message, flipped),
              Signatures.verifyJws(alg, pair.getPublic(), message, flipped), "bit " + bit + " flipped"),
          () -> assertFalse(Signatures.verifyJws(alg, pair.getPublic(), message, flipped), "bit " + bit + " flipped"),
          () -> assertFalse(Signatures.verifyJws(alg, pair.getPublic(), otherMessage, signature), "other message"),
          () -> assertFalse(Signatures.verifyJws(alg, pair.getPublic(), message,
              Arrays.copyOf(signature, signature.length - 1)), "truncated"),
          () -> assertFalse(Signatures.verifyJws(alg, pair.getPublic(), message,
              Arrays.copyOf(signature, signature.length + 1)), "extended"));
    }
  }

  /**
   * An R||S rewrite of a genuine signature (null where it does not apply), the verdict it must get, and whether the
   * JDK gives the same verdict (it is laxer than JWS about lengths).
   */
  private static final class Mutation {
    final String name;
    final boolean verifies;
    final boolean jdkAgrees;
    final BiFunction<BigInteger[], BigInteger, byte[]> apply;

    Mutation(String name, boolean verifies, BiFunction<BigInteger[], BigInteger, byte[]> apply) {
      this(name, verifies, true, apply);
    }

    Mutation(String name, boolean verifies, boolean jdkAgrees, BiFunction<BigInteger[], BigInteger, byte[]> apply) {
      this.name = name;
      this.verifies = verifies;
      this.jdkAgrees = jdkAgrees;
      this.apply = apply;
    }
  }

  private static List<Mutation> concatenatedMutations(int fieldLength) {
    List<Mutation> mutations = new ArrayList<>();
    mutations.add(new Mutation("unchanged", true, (rs, n) -> concatenated(rs[0], rs[1], fieldLength)));
    // ECDSA is malleable: (r, n - s) is the other valid signature of the same message; JOSE does not forbid it.
    mutations.add(new Mutation("s replaced by n - s", true, (rs, n) -> concatenated(rs[0], n.subtract(rs[1]), fieldLength)));
    mutations.add(new Mutation("r and s swapped", false, (rs, n) -> concatenated(rs[1], rs[0], fieldLength)));
    mutations.add(new Mutation("r = 0", false, (rs, n) -> concatenated(BigInteger.ZERO, rs[1], fieldLength)));
    mutations.add(new Mutation("s = 0", false, (rs, n) -> concatenated(rs[0], BigInteger.ZERO, fieldLength)));
    mutations.add(new Mutation("r = s = 0", false, (rs, n) -> new byte[2 * fieldLength]));
    mutations.add(new Mutation("r = n", false, (rs, n) -> concatenated(n, rs[1], fieldLength)));
    mutations.add(new Mutation("s = n", false, (rs, n) -> concatenated(rs[0], n, fieldLength)));
    mutations.add(new Mutation("r = s = n - 1", false,
        (rs, n) -> concatenated(n.subtract(BigInteger.ONE), n.subtract(BigInteger.ONE), fieldLength)));
    mutations.add(new Mutation("r = s = 1", false, (rs, n) -> concatenated(BigInteger.ONE, BigInteger.ONE, fieldLength)));
    // Only P-521 leaves room in its field length for r + n or s + n (66 octets, a 521-bit order).
    mutations.add(new Mutation("r = r + n", false, (rs, n) -> fits(rs[0].add(n), fieldLength)
        ? concatenated(rs[0].add(n), rs[1], fieldLength) : null));
    mutations.add(new Mutation("s = s + n", false, (rs, n) -> fits(rs[1].add(n), fieldLength)
        ? concatenated(rs[0], rs[1].add(n), fieldLength) : null));
    mutations.add(new Mutation("top bit of r flipped", false,
        (rs, n) -> concatenated(rs[0].flipBit(8 * fieldLength - 1), rs[1], fieldLength)));
    mutations.add(new Mutation("each half padded with a leading zero", false,
        (rs, n) -> concat(new byte[1], SignatureFixtures.fixed(rs[0], fieldLength),
            new byte[1], SignatureFixtures.fixed(rs[1], fieldLength))));
    // The JDK splits any even length in two halves; JWT-03 demands the exact length.
    mutations.add(new Mutation("leading octet dropped from each half where zero", false, false,
        (rs, n) -> rs[0].bitLength() > 8 * fieldLength - 8 || rs[1].bitLength() > 8 * fieldLength - 8 ? null : concat(Arrays.copyOfRange(SignatureFixtures.fixed(rs[0], fieldLength), 1, fieldLength),
            Arrays.copyOfRange(SignatureFixtures.fixed(rs[1], fieldLength), 1, fieldLength))));
    mutations.add(new Mutation("DER instead of R||S", false, (rs, n) -> der(rs[0], rs[1])));
    mutations.add(new Mutation("empty", false, (rs, n) -> new byte[0]));
    return mutations;
  }

  private static boolean fits(BigInteger value, int length) {
    return value.bitLength() <= 8 * length;
  }

  @ParameterizedTest
  @MethodSource("ecdsaAlgorithms")
  void JWT_03_ecdsaEdgeCasesMatchTheJdk(String alg, KeyAlgorithm keyType) {
    Random random = new Random(7);
    int fieldLength = JwsAlgorithms.ecdsa(alg).curve().fieldLength();
    int applied = 0;
    for (int k = 0; k < 2; k++) {
      KeyPair pair = key(keyType, k);
      byte[] message = randomMessage(random);
      byte[] genuine = jwsSign(alg, pair.getPrivate(), message);
      BigInteger[] rs = EcdsaSignatureEncoding.fromConcatenated(genuine, fieldLength);
      for (Mutation mutation : concatenatedMutations(fieldLength)) {
        byte[] signature = mutation.apply.apply(rs, order(pair.getPublic()));
        if (signature == null) {
          continue;
        }
        applied++;
        String what = alg + ": " + mutation.name;
        assertEquals(mutation.verifies, Signatures.verifyJws(alg, pair.getPublic(), message, signature), what);
        if (mutation.jdkAgrees) {
          assertEquals(mutation.verifies, jdkVerifyJws(alg, pair.getPublic(), message, signature), "JDK, " + what);
        }
      }
    }
    assertTrue(applied >= 2 * 14, "mutations applied: " + applied);
  }

  @Test
  void JWT_03_eachEsAlgorithmAcceptsOnlyItsOwnCurve() throws Exception {
    byte[] message = INPUT;
    KeyPair p256 = key(KeyAlgorithm.EC_P256, 0);
    KeyPair p384 = key(KeyAlgorithm.EC_P384, 0);
    KeyPair p521 = key(KeyAlgorithm.EC_P521, 0);
    // SHA-256 over a P-384 key is valid ECDSA, and the JDK accepts it; JWS ties ES256 to P-256 alone (RFC 7518 §3.4).
    byte[] sha256OnP384 = SignatureFixtures.sign("SHA256withECDSAinP1363Format", p384.getPrivate(), message);
    assertTrue(SignatureFixtures.jdkVerify("SHA256withECDSAinP1363Format", p384.getPublic(), message, sha256OnP384));
    // A genuine SHA-384 signature by a P-256 key, each half widened to ES384's 48 octets: length, digest and
    // arithmetic all fit ES384; only the curve binding refuses it.
    byte[] sha384OnP256 = SignatureFixtures.sign("SHA384withECDSAinP1363Format", p256.getPrivate(), message);
    assertTrue(SignatureFixtures.jdkVerify("SHA384withECDSAinP1363Format", p256.getPublic(), message, sha384OnP256));
    BigInteger[] p256Rs = EcdsaSignatureEncoding.fromConcatenated(sha384OnP256, 32);
    byte[] es384OnP256 = concatenated(p256Rs[0], p256Rs[1], 48);
    BigInteger[] p384Rs = EcdsaSignatureEncoding.fromConcatenated(
        SignatureFixtures.sign("SHA512withECDSAinP1363Format", p384.getPrivate(), message), 48);
    byte[] es512OnP384 = concatenated(p384Rs[0], p384Rs[1], 66);
    assertAll(
        () -> assertFalse(Signatures.verifyJws("ES384", p256.getPublic(), message, es384OnP256)),
        () -> assertFalse(Signatures.verifyJws("ES512", p384.getPublic(), message, es512OnP384)),
        () -> assertFalse(Signatures.verifyJws("ES256", p384.getPublic(), message, sha256OnP384)),
        () -> assertFalse(Signatures.verifyJws("ES384", p384.getPublic(), message, sha256OnP384)),
        () -> assertFalse(Signatures.verifyJws("ES384", p256.getPublic(), message, jwsSign("ES256", p256.getPrivate(), message))),
        () -> assertFalse(Signatures.verifyJws("ES512", p384.getPublic(), message, jwsSign("ES384", p384.getPrivate(), message))),
        () -> assertFalse(Signatures.verifyJws("ES256", p521.getPublic(), message, jwsSign("ES512", p521.getPrivate(), message))),
        () -> assertTrue(Signatures.verifyJws("ES512", p521.getPublic(), message, jwsSign("ES512", p521.getPrivate(), message))));
  }

  @Test
  void JWT_03_es512SignaturesAre132OctetsOfRAndS() {
    KeyPair p521 = key(KeyAlgorithm.EC_P521, 1);
    byte[] signature = jwsSign("ES512", p521.getPrivate(), INPUT);
    assertEquals(132, signature.length);
    BigInteger[] rs = EcdsaSignatureEncoding.fromConcatenated(signature, 66);
    assertTrue(Signatures.verifyJws("ES512", p521.getPublic(), INPUT, signature));
    assertFalse(Signatures.verifyJws("ES512", p521.getPublic(), INPUT, der(rs[0], rs[1])), "DER");
    assertFalse(Signatures.verifyJws("ES512", p521.getPublic(), INPUT, concatenated(rs[0], rs[1], 65)), "130 octets");
  }

  @Test
  void JWT_03_keyOfTheWrongTypeNeverVerifies() {
    KeyPair ec = key(KeyAlgorithm.EC_P256, 0);
    KeyPair rsa = key(KeyAlgorithm.RSA_2048, 0);
    KeyPair ed = key(KeyAlgorithm.ED25519, 0);
    byte[] es256 = jwsSign("ES256", ec.getPrivate(), INPUT);
    byte[] rs256 = jwsSign("RS256", rsa.getPrivate(), INPUT);
    byte[] ps256 = jwsSign("PS256", rsa.getPrivate(), INPUT);
    assertAll(
        () -> assertFalse(Signatures.verifyJws("ES256", rsa.getPublic(), INPUT, es256)),
        () -> assertFalse(Signatures.verifyJws("ES256", ed.getPublic(), INPUT, es256)),
        () -> assertFalse(Signatures.verifyJws("RS256", ec.getPublic(), INPUT, rs256)),
        () -> assertFalse(Signatures.verifyJws("PS256", ed.getPublic(), INPUT, ps256)),
        () -> assertFalse(Signatures.verifyJws("PS256", rsa.getPublic(), INPUT, rs256), "PKCS#1 v1.5 as PSS"),
        () -> assertFalse(Signatures.verifyJws("RS256", rsa.getPublic(), INPUT, ps256), "PSS as PKCS#1 v1.5"),
        () -> assertFalse(Signatures.verifyJws("RS384", rsa.getPublic(), INPUT, rs256), "other digest"),
        () -> assertFalse(Signatures.verifyJws("PS512", rsa.getPublic(), INPUT, ps256), "other digest"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"none", "HS256", "ES256K", "EdDSA", "es256", "ES256 ", "RS1", "PS", ""})
  void JWT_03_otherAlgorithmsNeverVerify(String alg) {
    KeyPair ec = key(KeyAlgorithm.EC_P256, 0);
    KeyPair rsa = key(KeyAlgorithm.RSA_2048, 0);
    assertFalse(Signatures.verifyJws(alg, ec.getPublic(), INPUT, jwsSign("ES256", ec.getPrivate(), INPUT)));
    assertFalse(Signatures.verifyJws(alg, rsa.getPublic(), INPUT, jwsSign("RS256", rsa.getPrivate(), INPUT)));
  }

  @Test
  void missingArgumentsAnswerFalseRatherThanThrow() {
    KeyPair ec = key(KeyAlgorithm.EC_P256, 0);
    byte[] signature = jwsSign("ES256", ec.getPrivate(), INPUT);
    assertAll(
        () -> assertFalse(Signatures.verifyJws(null, ec.getPublic(), INPUT, signature)),
        () -> assertFalse(Signatures.verifyJws("ES256", null, INPUT, signature)),
        () -> assertFalse(Signatures.verifyJws("ES256", ec.getPublic(), null, signature)),
        () -> assertFalse(Signatures.verifyJws("ES256", ec.getPublic(), INPUT, null)),
        () -> assertFalse(Signatures.verifyJws("RS256", null, INPUT, signature)),
        () -> assertFalse(Signatures.verifyJws("ES256", SignatureFixtures.rawKey("EC", null), INPUT, signature)));
  }
}
