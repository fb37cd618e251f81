package io.spiffe4j.internal;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;

/**
 * The NIST curves spiffe4j verifies ECDSA signatures on, with BouncyCastle's optimised arithmetic for each. One
 * domain-parameter object per curve for the whole JVM, so the precomputed multiples of its generator, which
 * BouncyCastle caches on the point, are computed once. Thread-safe.
 */
enum EcCurve {
  P256(SECObjectIdentifiers.secp256r1, "P-256", 32),
  P384(SECObjectIdentifiers.secp384r1, "P-384", 48),
  P521(SECObjectIdentifiers.secp521r1, "P-521", 66);

  private final ASN1ObjectIdentifier oid;
  private final ECDomainParameters domain;
  private final int fieldLength;

  EcCurve(ASN1ObjectIdentifier oid, String name, int fieldLength) {
    this.oid = oid;
    this.domain = new ECDomainParameters(CustomNamedCurves.getByName(name));
    this.fieldLength = fieldLength;
  }

  /** The curve named by this SubjectPublicKeyInfo parameter OID, or null for any other curve. */
  static EcCurve forOid(ASN1ObjectIdentifier oid) {
    for (EcCurve curve : values()) {
      if (curve.oid.equals(oid)) {
        return curve;
      }
    }
    return null;
  }

  ECDomainParameters domain() {
    return domain;
  }

  /** Octets of a field element, and so of R and of S in a JOSE signature (RFC 7518 §3.4). */
  int fieldLength() {
    return fieldLength;
  }
}
