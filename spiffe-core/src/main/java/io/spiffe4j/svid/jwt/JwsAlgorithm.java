package io.spiffe4j.svid.jwt;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;

/**
 * The JWS algorithms a JWT-SVID may use (JWT-03, RFC 7518 §3.3-3.5), with the key each one requires. Looked up by
 * exact, case-sensitive name; every other name ({@code none}, {@code HS256}, {@code EdDSA}, {@code ES256K},
 * {@code es256} ...) has no constant.
 */
enum JwsAlgorithm {
  RS256, RS384, RS512,
  PS256, PS384, PS512,
  ES256("secp256r1", "P-256", 32),
  ES384("secp384r1", "P-384", 48),
  ES512("secp521r1", "P-521", 66);

  /** RFC 7518 §3.3 and §3.5: "A key of size 2048 bits or larger MUST be used with these algorithms." */
  static final int MIN_RSA_BITS = 2048;

  private final String curveName;
  private final ECParameterSpec curve;
  private final int ecdsaScalarBytes;

  JwsAlgorithm() {
    this.curveName = null;
    this.curve = null;
    this.ecdsaScalarBytes = 0;
  }

  JwsAlgorithm(String standardName, String curveName, int ecdsaScalarBytes) {
    this.curveName = curveName;
    this.curve = standardCurve(standardName);
    this.ecdsaScalarBytes = ecdsaScalarBytes;
  }

  /** The algorithm named exactly {@code name}, or null if JWT-SVIDs do not allow it. */
  static JwsAlgorithm forName(String name) {
    switch (name) {
      case "RS256": return RS256;
      case "RS384": return RS384;
      case "RS512": return RS512;
      case "PS256": return PS256;
      case "PS384": return PS384;
      case "PS512": return PS512;
      case "ES256": return ES256;
      case "ES384": return ES384;
      case "ES512": return ES512;
      default: return null;
    }
  }

  /** Whether this is ES256/384/512, whose signatures are R||S (RFC 7518 §3.4), never DER. */
  boolean isEcdsa() {
    return curve != null;
  }

  /**
   * Why {@code key} cannot verify this algorithm, or null if it can: ES256/384/512 need an EC key on exactly
   * P-256/P-384/P-521 (a secp256k1 key has the same field size as P-256, so the whole domain is compared), RS and
   * PS need an RSA key of at least 2048 bits.
   */
  String keyMismatch(PublicKey key) {
    if (curve != null) {
      if (!(key instanceof ECPublicKey)) {
        return name() + " requires an EC key, but the key is " + key.getAlgorithm();
      }
      return sameCurve(((ECPublicKey) key).getParams(), curve)
          ? null : name() + " requires an EC key on " + curveName + ", but the key is on another curve";
    }
    if (!(key instanceof RSAPublicKey)) {
      return name() + " requires an RSA key, but the key is " + key.getAlgorithm();
    }
    int bits = ((RSAPublicKey) key).getModulus().bitLength();
    return bits >= MIN_RSA_BITS
        ? null : name() + " requires an RSA key of at least " + MIN_RSA_BITS + " bits, but the key has " + bits;
  }

  /**
   * The only valid signature length for {@code key}, which {@link #keyMismatch} accepted: R||S with each scalar
   * padded to the curve order's length for ECDSA (RFC 7518 §3.4, so never DER), the modulus length for RSA
   * (RFC 8017 §8.1.2, §8.2.2).
   */
  int signatureLength(PublicKey key) {
    return curve != null ? 2 * ecdsaScalarBytes : (((RSAPublicKey) key).getModulus().bitLength() + 7) / 8;
  }

  private static boolean sameCurve(ECParameterSpec a, ECParameterSpec b) {
    return a.getCurve().equals(b.getCurve())
        && a.getGenerator().equals(b.getGenerator())
        && a.getOrder().equals(b.getOrder())
        && a.getCofactor() == b.getCofactor();
  }

  private static ECParameterSpec standardCurve(String name) {
    try {
      AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
      parameters.init(new ECGenParameterSpec(name));
      return parameters.getParameterSpec(ECParameterSpec.class);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK does not know the standard curve " + name, e);
    }
  }
}
