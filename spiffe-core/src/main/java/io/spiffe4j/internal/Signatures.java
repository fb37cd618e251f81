package io.spiffe4j.internal;

import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

/**
 * The one place where spiffe4j checks signatures, so that a faster verifier can serve every caller (certificate
 * chains and JWS) at once. Both methods answer false for any signature that does not verify, including malformed
 * encodings and algorithm/key mismatches; they never throw for bad input.
 */
public final class Signatures {
  private Signatures() {}

  /** Whether {@code certificate} carries a valid signature by {@code issuerKey}. */
  public static boolean verifyCertificate(X509Certificate certificate, PublicKey issuerKey) {
    try {
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
      Signature verifier = JwsAlgorithms.jcaSignature(alg);
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(alg.startsWith("ES") ? JwsAlgorithms.p1363ToDer(signature, alg) : signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
