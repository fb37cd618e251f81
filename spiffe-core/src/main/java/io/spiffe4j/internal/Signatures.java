package io.spiffe4j.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Map;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The one place where spiffe4j checks signatures, so that a faster verifier can serve every caller (certificate
 * chains and JWS) at once. Both methods answer false for any signature that does not verify, including malformed
 * encodings and algorithm/key mismatches; they never throw for bad input.
 *
 * <p>ECDSA and Ed25519 go through BouncyCastle's lightweight API over keys decoded once and cached
 * ({@link PreparedKeys}): on a two-core machine a P-256 verification takes about 0.08 ms there against 1 ms in
 * JDK 17's SunEC and 0.4-0.5 ms in JDK 25's, P-384 0.25 ms against 2.3 ms, Ed25519 0.08 ms against 0.6-0.7 ms.
 * ECDSA is strict: signatures must be in canonical DER (certificates) or exact-length R||S (JWS) with
 * 1 <= r, s < n, keys must be finite points on P-256, P-384 or P-521, and a JWS algorithm accepts only its own
 * curve. Ed25519 requires S < L (RFC 8032 §5.1.7). RSA and RSASSA-PSS stay with the JDK, which is as fast as
 * BouncyCastle there (0.034 ms for RSA-2048).
 *
 * <p>Thread-safe.
 */
public final class Signatures {
  /** The ECDSA certificate signature algorithms (RFC 5758 §3.2) and the digest each signs with. */
  private static final Map<String, String> ECDSA_CERTIFICATE_DIGESTS = Map.of(
      "1.2.840.10045.4.3.2", "SHA-256",
      "1.2.840.10045.4.3.3", "SHA-384",
      "1.2.840.10045.4.3.4", "SHA-512");
  private static final String ED25519 = "1.3.101.112";
  private static final int ED25519_SIGNATURE_LENGTH = 64;

  private Signatures() {}

  /**
   * Whether {@code certificate} carries a valid signature by {@code issuerKey}, under the certificate's own signature
   * algorithm. ECDSA with SHA-256/384/512 and Ed25519 are checked here; any other algorithm (RSA, RSASSA-PSS with the
   * certificate's parameters, legacy ones) is left to the JDK's {@link X509Certificate#verify(PublicKey)}.
   */
  public static boolean verifyCertificate(X509Certificate certificate, PublicKey issuerKey) {
    try {
      String algorithm = certificate.getSigAlgOID();
      String ecdsaDigest = ECDSA_CERTIFICATE_DIGESTS.get(algorithm);
      if (ecdsaDigest != null) {
        return verifyEcdsaCertificate(certificate, issuerKey, ecdsaDigest);
      }
      if (ED25519.equals(algorithm)) {
        return verifyEd25519Certificate(certificate, issuerKey);
      }
      // Without a provider argument the JDK chooses the first one that accepts the key, so keys from any provider
      // keep working; that choice measured under 1 µs of a 35 µs RSA-2048 verification.
      certificate.verify(issuerKey);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether {@code signature} (JOSE encoding: R||S for ECDSA) is a valid signature of {@code signingInput} under
   * the JWS algorithm {@code alg} (one of RS/PS/ES 256/384/512) by {@code key}.
   */
  public static boolean verifyJws(String alg, PublicKey key, byte[] signingInput, byte[] signature) {
    try {
      JwsAlgorithms.Ecdsa ecdsa = JwsAlgorithms.ecdsa(alg);
      if (ecdsa != null) {
        PreparedEcdsaKey ecKey = PreparedKeys.ecdsa(key);
        BigInteger[] rs = EcdsaSignatureEncoding.fromConcatenated(signature, ecdsa.curve().fieldLength());
        return ecKey != null && ecKey.curve() == ecdsa.curve() && rs != null
            && ecKey.verify(ecdsa.digest(), signingInput, rs);
      }
      Signature verifier = JwsAlgorithms.jcaSignature(alg);
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static boolean verifyEcdsaCertificate(X509Certificate certificate, PublicKey issuerKey, String digest)
      throws GeneralSecurityException {
    // RFC 5758 §3.2: ECDSA algorithm identifiers carry no parameters.
    if (certificate.getSigAlgParams() != null) {
      return false;
    }
    PreparedEcdsaKey key = PreparedKeys.ecdsa(issuerKey);
    BigInteger[] rs = EcdsaSignatureEncoding.fromDer(certificate.getSignature());
    return key != null && rs != null && key.verify(digest, certificate.getTBSCertificate(), rs);
  }

  private static boolean verifyEd25519Certificate(X509Certificate certificate, PublicKey issuerKey)
      throws GeneralSecurityException {
    // RFC 8410 §3: the Ed25519 algorithm identifier has no parameters.
    if (certificate.getSigAlgParams() != null) {
      return false;
    }
    Ed25519PublicKeyParameters key = PreparedKeys.ed25519(issuerKey);
    byte[] signature = certificate.getSignature();
    byte[] tbs = certificate.getTBSCertificate();
    return key != null && signature.length == ED25519_SIGNATURE_LENGTH
        && key.verify(Ed25519.Algorithm.Ed25519, null, tbs, 0, tbs.length, signature, 0);
  }
}
