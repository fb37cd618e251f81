package io.spiffe4j.internal;

import static io.spiffe4j.internal.SignatureFixtures.key;
import static io.spiffe4j.internal.SignatureFixtures.randomMessage;
import static io.spiffe4j.internal.SignatureFixtures.sign;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** verifySignature: detached signatures (signed challenges, CSRs) under the JCA names it accepts. */
class SignaturesRawTest {

  @ParameterizedTest
  @CsvSource({
      "SHA256withRSA, RSA_2048", "SHA384withRSA, RSA_2048", "SHA512withRSA, RSA_2048",
      "SHA256withECDSA, EC_P256", "SHA256withECDSA, EC_P384", "SHA384withECDSA, EC_P384",
      "SHA512withECDSA, EC_P521", "Ed25519, ED25519"})
  void genuineSignaturesVerifyAndTamperedOrForeignOnesDoNot(String algorithm, KeyAlgorithm keyType)
      throws GeneralSecurityException {
    Random random = new Random(algorithm.hashCode());
    KeyPair pair = key(keyType, 0);
    byte[] message = randomMessage(random);
    byte[] signature = sign(algorithm, pair.getPrivate(), message);
    assertTrue(Signatures.verifySignature(algorithm, pair.getPublic(), message, signature), "genuine");
    assertFalse(Signatures.verifySignature(algorithm, key(keyType, 1).getPublic(), message, signature), "other key");
    byte[] tampered = signature.clone();
    tampered[tampered.length / 2] ^= 0x01;
    assertFalse(Signatures.verifySignature(algorithm, pair.getPublic(), message, tampered), "tampered");
  }

  @ParameterizedTest
  @CsvSource({"SHA256withECDSAinP1363Format, EC_P256", "SHA384withECDSAinP1363Format, EC_P384"})
  void ecdsaP1363SignaturesNeverVerify(String p1363, KeyAlgorithm keyType) throws GeneralSecurityException {
    KeyPair pair = key(keyType, 0);
    byte[] message = {1, 2, 3};
    byte[] signature = sign(p1363, pair.getPrivate(), message);
    String derName = p1363.replace("inP1363Format", "");
    assertFalse(Signatures.verifySignature(derName, pair.getPublic(), message, signature));
    assertFalse(Signatures.verifySignature(p1363, pair.getPublic(), message, signature));
  }

  @ParameterizedTest
  @CsvSource({"SHA1withRSA, RSA_2048", "SHA1withECDSA, EC_P256", "SHA224withECDSA, EC_P256"})
  void genuineSignaturesUnderUnlistedAlgorithmsNeverVerify(String algorithm, KeyAlgorithm keyType)
      throws GeneralSecurityException {
    KeyPair pair = key(keyType, 0);
    byte[] message = {4, 5, 6};
    byte[] signature = sign(algorithm, pair.getPrivate(), message);
    assertFalse(Signatures.verifySignature(algorithm, pair.getPublic(), message, signature));
  }

  @ParameterizedTest
  @CsvSource({"SHA256withECDSA, RSA_2048", "SHA256withRSA, EC_P256", "Ed25519, EC_P256"})
  void aKeyOfAnotherFamilyNeverVerifies(String claimed, KeyAlgorithm keyType) throws GeneralSecurityException {
    KeyPair pair = key(keyType, 0);
    byte[] message = {7, 8, 9};
    byte[] signature = sign(keyType.signatureAlgorithm(), pair.getPrivate(), message);
    assertFalse(Signatures.verifySignature(claimed, pair.getPublic(), message, signature));
  }
}
