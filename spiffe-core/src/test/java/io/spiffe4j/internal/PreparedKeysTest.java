package io.spiffe4j.internal;

import static io.spiffe4j.internal.SignatureFixtures.jwsSign;
import static io.spiffe4j.internal.SignatureFixtures.key;
import static io.spiffe4j.internal.SignatureFixtures.leafIssuedBy;
import static io.spiffe4j.internal.SignatureFixtures.rawKey;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.math.ec.ECPoint;
import org.junit.jupiter.api.Test;

/** Key decoding (what is and is not a usable key), the bounded cache and concurrent use. */
class PreparedKeysTest {
  private static final byte[] INPUT = "header.payload".getBytes(StandardCharsets.US_ASCII);
  private static final X9ECParameters P256 = CustomNamedCurves.getByName("P-256");

  private static byte[] spki(ASN1ObjectIdentifier algorithm, ASN1Encodable parameters, byte[] keyBits) {
    try {
      AlgorithmIdentifier id = parameters == null
          ? new AlgorithmIdentifier(algorithm)
          : new AlgorithmIdentifier(algorithm, parameters);
      return new SubjectPublicKeyInfo(id, keyBits).getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** ECDSA with SHA-256 over {@link #INPUT} by BouncyCastle, for curves and keys the JDK cannot sign with. */
  private static BigInteger[] bouncyCastleSign(X9ECParameters curve, BigInteger d) {
    ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
    signer.init(true, new ECPrivateKeyParameters(d, new ECDomainParameters(curve)));
    return signer.generateSignature(sha256(INPUT));
  }

  private static byte[] sha256(byte[] message) {
    byte[] digest = new byte[32];
    SHA256Digest sha256 = new SHA256Digest();
    sha256.update(message, 0, message.length);
    sha256.doFinal(digest, 0);
    return digest;
  }

  private static byte[] p256Spki(byte[] point) {
    return spki(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1, point);
  }

  private static byte[] pointOf(PublicKey key) {
    return SubjectPublicKeyInfo.getInstance(key.getEncoded()).getPublicKeyData().getOctets();
  }

  @Test
  void compressedPointsAreTheSameKey() {
    KeyPair pair = key(KeyAlgorithm.EC_P256, 0);
    byte[] compressed = P256.getCurve().decodePoint(pointOf(pair.getPublic())).getEncoded(true);
    PublicKey key = rawKey("EC", p256Spki(compressed));
    assertTrue(Signatures.verifyJws("ES256", key, INPUT, jwsSign("ES256", pair.getPrivate(), INPUT)));
    assertTrue(Signatures.verifyCertificate(leafIssuedBy(pair), key));
  }

  @Test
  void keysThatAreNotPointsOnASupportedNamedCurveNeverVerify() {
    KeyPair pair = key(KeyAlgorithm.EC_P256, 0);
    byte[] signature = jwsSign("ES256", pair.getPrivate(), INPUT);
    X509Certificate certificate = leafIssuedBy(pair);
    byte[] point = pointOf(pair.getPublic());
    byte[] offCurve = point.clone();
    offCurve[offCurve.length - 1] ^= 1;
    byte[] hybrid = point.clone();
    hybrid[0] = (byte) (point[point.length - 1] % 2 == 0 ? 0x06 : 0x07);
    byte[] genuine = pair.getPublic().getEncoded();
    byte[] withTrailingOctet = Arrays.copyOf(genuine, genuine.length + 1);
    List<byte[]> bogus = List.of(
        p256Spki(offCurve),
        p256Spki(new byte[] {0}),
        p256Spki(hybrid),
        p256Spki(Arrays.copyOf(point, point.length - 1)),
        p256Spki(new byte[0]),
        spki(X9ObjectIdentifiers.id_ecPublicKey, new X962Parameters(P256), point),
        spki(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp384r1, point),
        spki(X9ObjectIdentifiers.id_ecPublicKey, null, point),
        spki(EdECObjectIdentifiers.id_Ed25519, null, point),
        withTrailingOctet,
        Arrays.copyOf(genuine, genuine.length - 1),
        new byte[] {0x30, 0});
    for (byte[] encoded : bogus) {
      PublicKey key = rawKey("EC", encoded);
      assertAll(
          () -> assertNull(PreparedKeys.ecdsa(key)),
          () -> assertFalse(Signatures.verifyJws("ES256", key, INPUT, signature)),
          () -> assertFalse(Signatures.verifyCertificate(certificate, key)));
    }
  }

  @Test
  void otherNamedCurvesAreRefusedEvenWithValidSignatures() {
    // secp256k1 (ES256K) is a sound curve that JWT-03 does not allow; a real signature on it must still fail.
    X9ECParameters k1 = CustomNamedCurves.getByName("secp256k1");
    BigInteger d = new BigInteger("1234567890abcdef1234567890abcdef1234567890abcdef", 16);
    ECPoint q = k1.getG().multiply(d).normalize();
    BigInteger[] rs = bouncyCastleSign(k1, d);
    ECDSASigner verifier = new ECDSASigner();
    verifier.init(false, new ECPublicKeyParameters(q, new ECDomainParameters(k1)));
    assertTrue(verifier.verifySignature(sha256(INPUT), rs[0], rs[1]), "the signature itself is valid");
    PublicKey key = rawKey("EC", spki(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256k1,
        q.getEncoded(false)));
    assertFalse(Signatures.verifyJws("ES256", key, INPUT, SignatureFixtures.concatenated(rs[0], rs[1], 32)));
  }

  @Test
  void invalidEd25519KeysAreRefused() {
    byte[] notAPoint = new byte[32];
    notAPoint[0] = 2; // y = 2 has no x on edwards25519
    byte[] nonCanonical = new byte[32];
    Arrays.fill(nonCanonical, (byte) 0xff);
    nonCanonical[31] = 0x7f; // y = 2^255 - 1 >= p
    X509Certificate certificate = leafIssuedBy(key(KeyAlgorithm.ED25519, 0));
    for (byte[] encoded : List.of(notAPoint, nonCanonical, new byte[31])) {
      PublicKey key = rawKey("Ed25519", spki(EdECObjectIdentifiers.id_Ed25519, null, encoded));
      assertNull(PreparedKeys.ed25519(key));
      assertFalse(Signatures.verifyCertificate(certificate, key));
    }
  }

  @Test
  void cacheStaysBoundedAndEvictedKeysStillVerify() {
    KeyPair pair = key(KeyAlgorithm.EC_P256, 1);
    byte[] signature = jwsSign("ES256", pair.getPrivate(), INPUT);
    assertTrue(Signatures.verifyJws("ES256", pair.getPublic(), INPUT, signature));
    // Consecutive multiples of the generator: distinct valid keys at a point addition each.
    ECPoint g = P256.getG();
    ECPoint q = g;
    for (int i = 0; i < PreparedKeys.MAX_ENTRIES + 64; i++) {
      q = q.add(g).normalize();
      assertNotNull(PreparedKeys.ecdsa(rawKey("EC", p256Spki(q.getEncoded(false)))));
      assertTrue(PreparedKeys.size() <= PreparedKeys.MAX_ENTRIES, "size after " + i);
    }
    assertEquals(PreparedKeys.MAX_ENTRIES, PreparedKeys.size());
    assertTrue(Signatures.verifyJws("ES256", pair.getPublic(), INPUT, signature));
    assertFalse(Signatures.verifyJws("ES256", rawKey("EC", p256Spki(q.getEncoded(false))), INPUT, signature));
  }

  @Test
  void concurrentFirstUseOfAKeyVerifiesEverywhere() throws Exception {
    // A key no other test has seen, so that the threads race to decode it and build its precomputation.
    BigInteger d = BigInteger.valueOf(0xC0FFEE);
    ECPoint fresh = P256.getG().multiply(d).normalize();
    BigInteger[] rs = bouncyCastleSign(P256, d);
    byte[] signature = SignatureFixtures.concatenated(rs[0], rs[1], 32);
    PublicKey key = rawKey("EC", p256Spki(fresh.getEncoded(false)));
    KeyPair pooled = key(KeyAlgorithm.EC_P384, 1);
    byte[] pooledSignature = jwsSign("ES384", pooled.getPrivate(), INPUT);

    int threads = 4;
    ExecutorService executor = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(executor.submit(() -> {
          start.await();
          boolean all = true;
          for (int i = 0; i < 50; i++) {
            all &= Signatures.verifyJws("ES256", key, INPUT, signature);
            all &= Signatures.verifyJws("ES384", pooled.getPublic(), INPUT, pooledSignature);
            all &= !Signatures.verifyJws("ES256", key, INPUT, pooledSignature);
          }
          return all;
        }));
      }
      start.countDown();
      for (Future<Boolean> result : results) {
        assertTrue(result.get(60, TimeUnit.SECONDS));
      }
    } finally {
      executor.shutdownNow();
    }
  }
}
