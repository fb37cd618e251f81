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

/**
 * verifySignedData on detached signatures, as the Akeyless test gateway checks signed challenges (SHA-256 with
 * RSASSA-PKCS1-v1_5, or with ECDSA in DER on any supported curve) and CSRs.
 */
class SignaturesSignedDataTest {

  @ParameterizedTest
  @CsvSource({
      "1.2.840.113549.1.1.11, SHA256withRSA, RSA_2048", "1.2.840.113549.1.1.12, SHA384withRSA, RSA_2048",
      "1.2.840.113549.1.1.13, SHA512withRSA, RSA_2048", "1.2.840.10045.4.3.2, SHA256withECDSA, EC_P256",
      "1.2.840.10045.4.3.2, SHA256withECDSA, EC_P384", "1.2.840.10045.4.3.3, SHA384withECDSA, EC_P384",
      "1.2.840.10045.4.3.4, SHA512withECDSA, EC_P521", "1.3.101.112, Ed25519, ED25519"})
  void genuineSignaturesVerifyAndTamperedOrForeignOnesDoNot(String oid, String jcaName, KeyAlgorithm keyType)
      throws GeneralSecurityException {
    byte[] message = randomMessage(new Random(oid.hashCode() + keyType.ordinal()));
    KeyPair pair = key(keyType, 0);
    byte[] signature = sign(jcaName, pair.getPrivate(), message);
    assertTrue(Signatures.verifySignedData(oid, null, pair.getPublic(), message, signature), "genuine");
    assertFalse(Signatures.verifySignedData(oid, null, key(keyType, 1).getPublic(), message, signature), "other key");
    byte[] tampered = signature.clone();
    tampered[tampered.length / 2] ^= 0x01;
    assertFalse(Signatures.verifySignedData(oid, null, pair.getPublic(), message, tampered), "tampered");
  }

  @ParameterizedTest
  @CsvSource({"1.2.840.10045.4.3.2, SHA256withECDSAinP1363Format, EC_P256",
      "1.2.840.10045.4.3.3, SHA384withECDSAinP1363Format, EC_P384"})
  void ecdsaP1363SignaturesNeverVerify(String oid, String p1363, KeyAlgorithm keyType)
      throws GeneralSecurityException {
    KeyPair pair = key(keyType, 0);
    byte[] message = {1, 2, 3};
    assertFalse(Signatures.verifySignedData(oid, null, pair.getPublic(), message,
        sign(p1363, pair.getPrivate(), message)));
  }

  @ParameterizedTest
  @CsvSource({"1.2.840.113549.1.1.5, SHA1withRSA, RSA_2048", "1.2.840.10045.4.1, SHA1withECDSA, EC_P256",
      "1.2.840.10045.4.3.1, SHA224withECDSA, EC_P256"})
  void genuineSignaturesUnderWeakAlgorithmsNeverVerify(String oid, String jcaName, KeyAlgorithm keyType)
      throws GeneralSecurityException {
    KeyPair pair = key(keyType, 0);
    byte[] message = {4, 5, 6};
    assertFalse(Signatures.verifySignedData(oid, null, pair.getPublic(), message,
        sign(jcaName, pair.getPrivate(), message)));
  }

  @ParameterizedTest
  @CsvSource({"1.2.840.10045.4.3.2, RSA_2048", "1.2.840.113549.1.1.11, EC_P256", "1.3.101.112, EC_P256"})
  void aKeyOfAnotherFamilyNeverVerifies(String claimedOid, KeyAlgorithm keyType) throws GeneralSecurityException {
    KeyPair pair = key(keyType, 0);
    byte[] message = {7, 8, 9};
    assertFalse(Signatures.verifySignedData(claimedOid, null, pair.getPublic(), message,
        sign(keyType.signatureAlgorithm(), pair.getPrivate(), message)));
  }
}
