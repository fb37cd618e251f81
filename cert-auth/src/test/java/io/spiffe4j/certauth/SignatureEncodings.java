package io.spiffe4j.certauth;

import java.math.BigInteger;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;

/** Test-side ECDSA encoding conversions, written apart from the code under test. */
final class SignatureEncodings {
  private SignatureEncodings() {}

  /** DER ECDSA-Sig-Value to IEEE P1363 R||S with {@code fieldLength}-byte halves. */
  static byte[] derToP1363(byte[] der, int fieldLength) {
    ASN1Sequence sequence = ASN1Sequence.getInstance(der);
    byte[] rs = new byte[2 * fieldLength];
    copyUnsigned(ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue(), rs, 0, fieldLength);
    copyUnsigned(ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue(), rs, fieldLength, fieldLength);
    return rs;
  }

  private static void copyUnsigned(BigInteger value, byte[] out, int offset, int length) {
    byte[] bytes = value.toByteArray();
    int skip = bytes.length > length ? bytes.length - length : 0;
    System.arraycopy(bytes, skip, out, offset + length - (bytes.length - skip), bytes.length - skip);
  }
}
