package io.spiffe4j.benchmarks;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;

/**
 * The floors: one signature check with nothing around it, the least any verifier of the same signature must spend.
 * Each verifier is set up once for its key and reused, the message and signature are decoded before measuring, and
 * nothing is cached between checks (every check is a full verification). Not thread-safe: one per benchmark state.
 */
final class FloorVerifiers {
  private FloorVerifiers() {}

  /** A check of one prepared message against one prepared signature. */
  interface Check {
    boolean verify() throws GeneralSecurityException;
  }

  /** The JDK's {@link Signature}, initialised once: per check only {@code update} and {@code verify}. */
  static final class Jdk {
    private final Signature signature;

    Jdk(String jcaAlgorithm, PublicKey key) throws GeneralSecurityException {
      signature = Signature.getInstance(jcaAlgorithm);
      signature.initVerify(key);
    }

    /** {@code signature} in the JCA encoding: DER for ECDSA. */
    Check check(byte[] message, byte[] signatureBytes) {
      return () -> {
        signature.update(message);
        return signature.verify(signatureBytes);
      };
    }
  }

  /**
   * BouncyCastle's lightweight {@link ECDSASigner} on P-256 with its optimised curve arithmetic and the public point
   * decoded once, so the point's precomputed multiples are reused: the fastest ECDSA verifier on the JVM. SHA-256 is
   * the JDK's, which uses the CPU's SHA instructions where it has them.
   */
  static final class BcEcdsaP256 {
    private final ECDSASigner signer = new ECDSASigner();
    private final MessageDigest sha256;

    BcEcdsaP256(PublicKey key) throws GeneralSecurityException {
      ECDomainParameters domain = new ECDomainParameters(CustomNamedCurves.getByName("P-256"));
      java.security.spec.ECPoint w = ((ECPublicKey) key).getW();
      signer.init(false, new ECPublicKeyParameters(
          domain.getCurve().createPoint(w.getAffineX(), w.getAffineY()), domain));
      sha256 = MessageDigest.getInstance("SHA-256");
    }

    Check check(byte[] message, BigInteger[] rs) {
      return () -> signer.verifySignature(sha256.digest(message), rs[0], rs[1]);
    }
  }

  /** BouncyCastle's lightweight RSASSA-PKCS1-v1_5 verifier with SHA-256, set up once for the key. */
  static final class BcRsaSha256 {
    private final RSADigestSigner signer = new RSADigestSigner(new SHA256Digest());

    BcRsaSha256(PublicKey key) {
      RSAPublicKey rsa = (RSAPublicKey) key;
      signer.init(false, new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent()));
    }

    Check check(byte[] message, byte[] signature) {
      return () -> {
        signer.update(message, 0, message.length);
        return signer.verifySignature(signature);
      };
    }
  }

  /** All checks in turn; true only if every one verifies. */
  static Check all(Check... checks) {
    return () -> {
      boolean ok = true;
      for (Check check : checks) {
        ok &= check.verify();
      }
      return ok;
    };
  }

  /** (r, s) from a DER {@code ECDSA-Sig-Value}. */
  static BigInteger[] rsFromDer(byte[] der) {
    ASN1Sequence sequence = ASN1Sequence.getInstance(der);
    return new BigInteger[] {
        ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue(),
        ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue()};
  }

  /** (r, s) from a JOSE R||S signature. */
  static BigInteger[] rsFromConcatenated(byte[] signature) {
    int half = signature.length / 2;
    return new BigInteger[] {
        new BigInteger(1, java.util.Arrays.copyOfRange(signature, 0, half)),
        new BigInteger(1, java.util.Arrays.copyOfRange(signature, half, signature.length))};
  }

  /** The DER {@code ECDSA-Sig-Value} the JDK's ECDSA verifier takes. */
  static byte[] der(BigInteger[] rs) {
    try {
      return new DERSequence(new ASN1Encodable[] {new ASN1Integer(rs[0]), new ASN1Integer(rs[1])})
          .getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
