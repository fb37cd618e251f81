package io.spiffe4j.svid.jwt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Base64UrlTest {
  @Test
  void decodesWhatTheJdkEncodesForEveryLength() {
    Random random = new Random(7);
    for (int length = 0; length < 200; length++) {
      byte[] data = new byte[length];
      random.nextBytes(data);
      String text = "x" + Base64.getUrlEncoder().withoutPadding().encodeToString(data) + "y";
      assertArrayEquals(data, Base64Url.decode(text, 1, text.length() - 1));
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"A", "AAAAA", "AA==", "AAA=", "AB+/", "AB c", "AB\nc", "ABC\u00c4", "AB.C", "AB%3D",
      "AB", "AAB", "AAAAAB"})
  void rejectsPaddingForeignCharactersAndNonCanonicalTails(String text) {
    // "AB" decodes 0x00 with the unused bits set; the canonical form is "AA". Likewise "AAB" vs "AAA".
    assertNull(Base64Url.decode(text, 0, text.length()), text);
  }

  @Test
  void canonicalTailsAccepted() {
    assertArrayEquals(new byte[] {0}, Base64Url.decode("AA", 0, 2));
    assertArrayEquals(new byte[] {0, 0}, Base64Url.decode("AAA", 0, 3));
    assertArrayEquals(new byte[] {(byte) 0xFB, (byte) 0xFF}, Base64Url.decode("-_8", 0, 3));
  }
}
