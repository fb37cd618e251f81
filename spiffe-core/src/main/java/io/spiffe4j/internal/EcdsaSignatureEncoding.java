package io.spiffe4j.internal;

import java.math.BigInteger;

/**
 * Decodes ECDSA signatures into (r, s) and refuses every encoding but the one canonical form, so that no signature
 * has two accepted spellings. Range checks against the curve order are left to the verifier. Thread-safe.
 */
final class EcdsaSignatureEncoding {
  private static final byte SEQUENCE = 0x30;
  private static final byte INTEGER = 0x02;
  private static final int LONG_FORM_ONE_OCTET = 0x81;
  private static final int FIRST_LONG_LENGTH = 0x80;

  private EcdsaSignatureEncoding() {}

  /**
   * {@code ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }} (RFC 5480 §2.2.3) in DER: definite minimal lengths,
   * minimal positive integers, nothing after the sequence. Null for anything else, including zero or negative
   * integers, which BER-lenient decoders (the JDK's among them) may still accept.
   */
  static BigInteger[] fromDer(byte[] der) {
    if (der.length < 2 || der[0] != SEQUENCE) {
      return null;
    }
    int contentLength = der[1] & 0xff;
    int contentStart = 2;
    if (contentLength == LONG_FORM_ONE_OCTET && der.length > 2 && (der[2] & 0xff) >= FIRST_LONG_LENGTH) {
      // P-521 signatures are the only ones over 127 octets; none reaches 256, so one length octet always suffices.
      contentLength = der[2] & 0xff;
      contentStart = 3;
    } else if (contentLength >= FIRST_LONG_LENGTH) {
      return null;
    }
    if (contentStart + contentLength != der.length) {
      return null;
    }
    int rEnd = positiveIntegerEnd(der, contentStart);
    if (rEnd < 0 || positiveIntegerEnd(der, rEnd) != der.length) {
      return null;
    }
    return new BigInteger[] {integerValue(der, contentStart), integerValue(der, rEnd)};
  }

  /** JOSE's R||S (RFC 7518 §3.4): exactly two big-endian field elements, or null for any other length. */
  static BigInteger[] fromConcatenated(byte[] rs, int fieldLength) {
    if (rs.length != 2 * fieldLength) {
      return null;
    }
    return new BigInteger[] {
        new BigInteger(1, rs, 0, fieldLength), new BigInteger(1, rs, fieldLength, fieldLength)};
  }

  /** The offset after a minimally encoded, strictly positive INTEGER starting at {@code offset}, or -1. */
  private static int positiveIntegerEnd(byte[] der, int offset) {
    if (offset + 2 > der.length || der[offset] != INTEGER) {
      return -1;
    }
    // A signed byte: long-form lengths (never needed, the largest P-521 integer has 67 octets) read as negative.
    int length = der[offset + 1];
    int start = offset + 2;
    if (length <= 0 || start + length > der.length) {
      return -1;
    }
    byte lead = der[start];
    boolean negative = lead < 0;
    boolean zeroOrPadded = lead == 0 && (length == 1 || der[start + 1] >= 0);
    return negative || zeroOrPadded ? -1 : start + length;
  }

  private static BigInteger integerValue(byte[] der, int offset) {
    return new BigInteger(1, der, offset + 2, der[offset + 1]);
  }
}
