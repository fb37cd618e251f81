package io.spiffe4j.internal;

import static io.spiffe4j.internal.SignatureFixtures.concat;
import static io.spiffe4j.internal.SignatureFixtures.der;
import static io.spiffe4j.internal.SignatureFixtures.integer;
import static io.spiffe4j.internal.SignatureFixtures.tlv;
import static io.spiffe4j.internal.SignatureFixtures.tlvLongForm;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class EcdsaSignatureEncodingTest {
  private static final BigInteger HIGH_BIT = new BigInteger("80", 16);
  private static final BigInteger SMALL = BigInteger.valueOf(0x7f);

  @Test
  void minimalPositiveIntegersDecode() {
    assertArrayEquals(new BigInteger[] {BigInteger.ONE, SMALL}, EcdsaSignatureEncoding.fromDer(der(BigInteger.ONE, SMALL)));
    // 0x80 needs its zero octet to stay positive: 02 02 00 80.
    assertArrayEquals(new BigInteger[] {HIGH_BIT, HIGH_BIT}, EcdsaSignatureEncoding.fromDer(der(HIGH_BIT, HIGH_BIT)));
  }

  @Test
  void p521SizedSignaturesUseOneOctetLongFormLengths() {
    BigInteger r = BigInteger.ONE.shiftLeft(520).add(BigInteger.TEN);
    BigInteger s = BigInteger.ONE.shiftLeft(519);
    byte[] der = der(r, s);
    assertArrayEquals(new byte[] {0x30, (byte) 0x81, (byte) 0x88}, Arrays.copyOf(der, 3));
    assertArrayEquals(new BigInteger[] {r, s}, EcdsaSignatureEncoding.fromDer(der));
    byte[] content = Arrays.copyOfRange(der, 3, der.length);
    assertNull(EcdsaSignatureEncoding.fromDer(concat(new byte[] {0x30, (byte) 0x82, 0, (byte) 0x88}, content)));
  }

  @Test
  void contentOfExactly128OctetsNeedsTheLongForm() {
    // Integers of 66 and 58 octets make 128 octets of content: 0x80 must be written 81 80, never as a bare 80
    // (the indefinite-length marker).
    byte[] content = concat(integer(BigInteger.ONE.shiftLeft(519)), integer(BigInteger.ONE.shiftLeft(455)));
    assertArrayEquals(new BigInteger[] {BigInteger.ONE.shiftLeft(519), BigInteger.ONE.shiftLeft(455)},
        EcdsaSignatureEncoding.fromDer(concat(new byte[] {0x30, (byte) 0x81, (byte) 0x80}, content)));
    assertNull(EcdsaSignatureEncoding.fromDer(concat(new byte[] {0x30, (byte) 0x80}, content)));
  }

  @Test
  void everyNonCanonicalSpellingIsRefused() {
    byte[] one = integer(BigInteger.ONE);
    assertNull(EcdsaSignatureEncoding.fromDer(tlvLongForm(0x30, one, one)), "long form for a short length");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, tlvLongForm(0x02, new byte[] {1}), one)), "long integer length");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, tlv(0x02, new byte[] {0, 1}), one)), "redundant zero");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, tlv(0x02, new byte[] {(byte) 0x80}), one)), "negative");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, tlv(0x02, new byte[] {(byte) 0xff, 1}), one)), "negative");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, tlv(0x02, new byte[] {0}), one)), "zero");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, tlv(0x02), one)), "empty integer");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, one)), "one integer");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x30, one, one, one)), "three integers");
    assertNull(EcdsaSignatureEncoding.fromDer(concat(tlv(0x30, one, one), new byte[1])), "trailing octet");
    assertNull(EcdsaSignatureEncoding.fromDer(concat(new byte[] {0x30, (byte) 0x80}, one, one, new byte[2])),
        "indefinite length");
    assertNull(EcdsaSignatureEncoding.fromDer(tlv(0x31, one, one)), "SET");
    assertNull(EcdsaSignatureEncoding.fromDer(new byte[] {0x30}), "no length");
    assertNull(EcdsaSignatureEncoding.fromDer(new byte[] {0x30, (byte) 0x81}), "no long length");
    assertNull(EcdsaSignatureEncoding.fromDer(new byte[] {0x30, 3, 0x02, 0x05, 1}), "integer overruns");
    assertNull(EcdsaSignatureEncoding.fromDer(new byte[0]), "empty");
  }

  @Test
  void concatenatedFormHasExactlyTwoFieldLengths() {
    byte[] rs = new byte[64];
    rs[31] = 1;
    rs[63] = 2;
    assertArrayEquals(new BigInteger[] {BigInteger.ONE, BigInteger.TWO}, EcdsaSignatureEncoding.fromConcatenated(rs, 32));
    assertNull(EcdsaSignatureEncoding.fromConcatenated(rs, 48));
    assertNull(EcdsaSignatureEncoding.fromConcatenated(new byte[63], 32));
    assertNull(EcdsaSignatureEncoding.fromConcatenated(new byte[65], 32));
  }
}
