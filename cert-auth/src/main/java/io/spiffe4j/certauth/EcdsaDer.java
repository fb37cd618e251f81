package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.io.IOException;
import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERSequence;

/** {@code ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }} (RFC 5480 §2.2.3) in DER. */
final class EcdsaDer {
  private EcdsaDer() {}

  static byte[] encode(BigInteger r, BigInteger s) {
    if (r.signum() == 0 || s.signum() == 0) {
      throw new CertAuthException(Kind.SIGNING_FAILED, "an ECDSA signature cannot have a zero R or S");
    }
    try {
      return new DERSequence(new ASN1Integer[] {new ASN1Integer(r), new ASN1Integer(s)}).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new CertAuthException(Kind.SIGNING_FAILED, "cannot encode an ECDSA signature", e);
    }
  }
}
