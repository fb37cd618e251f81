package io.spiffe4j.certauth;

import java.math.BigInteger;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * The curves whose ECDSA signatures Akeyless's certificate authentication verifies (Go's {@code crypto/x509} parses
 * no others for ECDSA keys, P-224 aside). Thread-safe.
 */
enum NamedCurve {
  P256("P-256", SECObjectIdentifiers.secp256r1),
  P384("P-384", SECObjectIdentifiers.secp384r1),
  P521("P-521", SECObjectIdentifiers.secp521r1);

  private final String displayName;
  private final ASN1ObjectIdentifier oid;
  private final X9ECParameters parameters;

  NamedCurve(String displayName, ASN1ObjectIdentifier oid) {
    this.displayName = displayName;
    this.oid = oid;
    this.parameters = CustomNamedCurves.getByOID(oid);
  }

  /** The supported curve named by {@code oid}, or null. */
  static NamedCurve forOid(ASN1ObjectIdentifier oid) {
    for (NamedCurve curve : values()) {
      if (curve.oid.equals(oid)) {
        return curve;
      }
    }
    return null;
  }

  /** The supported curve with these JCA parameters (compared by field size and order), or null. */
  static NamedCurve forParameters(ECParameterSpec spec) {
    for (NamedCurve curve : values()) {
      if (curve.parameters.getN().equals(spec.getOrder())
          && curve.parameters.getCurve().getFieldSize() == spec.getCurve().getField().getFieldSize()) {
        return curve;
      }
    }
    return null;
  }

  /** A readable name for any curve OID, supported or not, for error messages. */
  static String describe(ASN1ObjectIdentifier oid) {
    NamedCurve supported = forOid(oid);
    if (supported != null) {
      return supported.displayName;
    }
    String name = ECNamedCurveTable.getName(oid);
    return name != null ? name + " (" + oid.getId() + ")" : oid.getId();
  }

  ASN1ObjectIdentifier oid() {
    return oid;
  }

  /** Whether {@code publicPoint} is {@code scalar}·G on this curve: the public half of that private scalar. */
  boolean isPublicPointOf(BigInteger scalar, ECPoint publicPoint) {
    if (scalar.signum() <= 0 || scalar.compareTo(parameters.getN()) >= 0) {
      return false;
    }
    // The multiplier BouncyCastle's key generator uses for secret scalars: its running time does not depend on them.
    org.bouncycastle.math.ec.ECPoint derived =
        new FixedPointCombMultiplier().multiply(parameters.getG(), scalar).normalize();
    return derived.getAffineXCoord().toBigInteger().equals(publicPoint.getAffineX())
        && derived.getAffineYCoord().toBigInteger().equals(publicPoint.getAffineY());
  }

  @Override
  public String toString() {
    return displayName;
  }
}
