package io.spiffe4j.internal;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;

/**
 * An ECDSA public key already decoded and checked to be a finite point on its curve. BouncyCastle caches the
 * precomputed multiples of the point on the point itself, under its own lock, so every verification after the first
 * reuses them. Immutable and thread-safe.
 */
final class PreparedEcdsaKey {
  private final EcCurve curve;
  private final ECPublicKeyParameters point;

  PreparedEcdsaKey(EcCurve curve, ECPublicKeyParameters point) {
    this.curve = curve;
    this.point = point;
  }

  EcCurve curve() {
    return curve;
  }

  /** Whether (r, s) signs {@code message} hashed with {@code digestAlgorithm}; false unless 1 <= r, s < n. */
  boolean verify(String digestAlgorithm, byte[] message, BigInteger[] rs) throws NoSuchAlgorithmException {
    // The JDK's digests use the CPU's SHA instructions; BouncyCastle's pure-Java ones measured several times slower.
    byte[] digest = MessageDigest.getInstance(digestAlgorithm).digest(message);
    // A signer costs one small allocation, and a shared one would need a lock: the state worth sharing is the point.
    ECDSASigner signer = new ECDSASigner();
    signer.init(false, point);
    return signer.verifySignature(digest, rs[0], rs[1]);
  }
}
