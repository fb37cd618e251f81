package io.spiffe4j.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/** JWS algorithm names (RFC 7518) mapped to JCA, for the algorithms JWT-SVID allows (JWT-03). */
final class JwsAlgorithms {
  private JwsAlgorithms() {}

  static Signature jcaSignature(String alg) throws GeneralSecurityException {
    switch (alg) {
      case "RS256": return Signature.getInstance("SHA256withRSA");
      case "RS384": return Signature.getInstance("SHA384withRSA");
      case "RS512": return Signature.getInstance("SHA512withRSA");
      case "ES256": return Signature.getInstance("SHA256withECDSA");
      case "ES384": return Signature.getInstance("SHA384withECDSA");
      case "ES512": return Signature.getInstance("SHA512withECDSA");
      case "PS256": return pss("SHA-256", MGF1ParameterSpec.SHA256, 32);
      case "PS384": return pss("SHA-384", MGF1ParameterSpec.SHA384, 48);
      case "PS512": return pss("SHA-512", MGF1ParameterSpec.SHA512, 64);
      default: throw new GeneralSecurityException("algorithm not allowed: " + alg);
    }
  }

  private static Signature pss(String digest, MGF1ParameterSpec mgf, int saltLength) throws GeneralSecurityException {
    Signature signature = Signature.getInstance("RSASSA-PSS");
    signature.setParameter(new PSSParameterSpec(digest, "MGF1", mgf, saltLength, 1));
    return signature;
  }

  /** R||S of the algorithm's exact length to ASN.1 DER; rejects any other length. */
  static byte[] p1363ToDer(byte[] rs, String alg) throws GeneralSecurityException {
    int half = "ES256".equals(alg) ? 32 : "ES384".equals(alg) ? 48 : 66;
    if (rs.length != 2 * half) {
      throw new GeneralSecurityException("bad ECDSA signature length");
    }
    ASN1EncodableVector v = new ASN1EncodableVector();
    v.add(new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(rs, 0, half))));
    v.add(new ASN1Integer(new BigInteger(1, java.util.Arrays.copyOfRange(rs, half, rs.length))));
    try {
      return new DERSequence(v).getEncoded();
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
  }
}
