package io.spiffe4j.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** One test per SPIFFE-ID rule (SID-xx in the SPIFFE checklist); each asserts the rule ID the parser reports. */
class SpiffeIdTest {

  private static void assertRejected(String input, String rule) {
    InvalidSpiffeIdException e = assertThrows(InvalidSpiffeIdException.class, () -> SpiffeId.parse(input));
    assertEquals(rule, e.rule().orElseThrow(), () -> "rule for " + input + ": " + e.getMessage());
    assertTrue(e.getMessage().endsWith("[" + rule + "]"), e.getMessage());
  }

  @Test
  void validIdExposesParts() {
    SpiffeId id = SpiffeId.parse("spiffe://example.org/ns/prod/sa/web");
    assertEquals("example.org", id.trustDomain().name());
    assertEquals("/ns/prod/sa/web", id.path());
    assertEquals("spiffe://example.org/ns/prod/sa/web", id.toString());
    assertFalse(id.isRootPath());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "http://example.org/a", "spiffe:/example.org/a", "spiffe:example.org", "example.org/a",
      "SPIFFE://example.org/a", "Spiffe://example.org/a", " spiffe://example.org/a"})
  void SID_01_schemeMustBeSpiffe(String input) {
    assertRejected(input, "SID-01");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://", "spiffe:///", "spiffe:///x"})
  void SID_02_trustDomainMustNotBeEmpty(String input) {
    assertRejected(input, "SID-02");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://td/a?", "spiffe://td/a?x=1", "spiffe://td?x", "spiffe://td/?"})
  void SID_03_noQuery(String input) {
    assertRejected(input, "SID-03");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://td/a#", "spiffe://td/a#frag", "spiffe://td#x"})
  void SID_04_noFragment(String input) {
    assertRejected(input, "SID-04");
  }

  @Test
  void SID_05_hostMustNotBeEmpty() {
    assertRejected("spiffe:///path", "SID-02");
    assertThrows(InvalidSpiffeIdException.class, () -> TrustDomain.parse(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://u@td/a", "spiffe://td:443/a", "spiffe://td:/a", "spiffe://user:pw@td"})
  void SID_06_noUserinfoOrPort(String input) {
    assertRejected(input, "SID-06");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://Example.org/a", "spiffe://EXAMPLE.ORG", "spiffe://exAmple.org/a"})
  void SID_07_trustDomainMustBeLowercase(String input) {
    assertRejected(input, "SID-07");
  }

  @Test
  void SID_08_everyNonAllowedByteInTrustDomainIsRejected() {
    for (int c = 0; c < 0x180; c++) {
      String input = "spiffe://a" + (char) c + "b/p";
      boolean allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_';
      if (allowed) {
        assertEquals("a" + (char) c + "b", SpiffeId.parse(input).trustDomain().name());
      } else if (c != '/') {
        assertThrows(InvalidSpiffeIdException.class, () -> SpiffeId.parse(input), () -> "char " + input);
      }
    }
    assertRejected("spiffe://ex~ample.org", "SID-08");
    assertRejected("spiffe://exämple.org", "SID-08");
    assertRejected("spiffe://[::1]/a", "SID-08");
  }

  @Test
  void SID_09_noPercentEncodingInTrustDomain() {
    assertRejected("spiffe://ex%61mple.org/a", "SID-09");
  }

  @Test
  void SID_10_ipv4TrustDomainsAreAllowedAndNotSpecialCased() {
    assertEquals("192.168.1.1", SpiffeId.parse("spiffe://192.168.1.1/a").trustDomain().name());
    assertEquals("999.1.1.1", TrustDomain.parse("999.1.1.1").name());
    String longLabel = "a".repeat(100) + ".org";
    assertEquals(longLabel, TrustDomain.parse(longLabel).name());
  }

  @Test
  void SID_11_noPercentEncodingInPath() {
    assertRejected("spiffe://td/a%2Fb", "SID-11");
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://td//a", "spiffe://td/a//b", "spiffe://td/./a", "spiffe://td/a/..",
      "spiffe://td/a/./b", "spiffe://td/.."})
  void SID_12_noEmptyOrDotSegments(String input) {
    assertRejected(input, "SID-12");
  }

  @Test
  void SID_12_dotPrefixedSegmentsAreLegal() {
    assertEquals("/.x/..x/...", SpiffeId.parse("spiffe://td/.x/..x/...").path());
  }

  @ParameterizedTest
  @ValueSource(strings = {"spiffe://td/", "spiffe://td/a/"})
  void SID_13_noTrailingSlash(String input) {
    assertRejected(input, "SID-13");
  }

  @Test
  void SID_14_pathCharacters() {
    for (int c = 0x21; c < 0x180; c++) {
      String input = "spiffe://td/a" + (char) c + "b";
      boolean allowed = Character.isLetterOrDigit(c) && c < 0x80 || c == '.' || c == '-' || c == '_';
      if (allowed) {
        assertEquals("/a" + (char) c + "b", SpiffeId.parse(input).path());
      } else if (c != '/') {
        assertThrows(InvalidSpiffeIdException.class, () -> SpiffeId.parse(input), () -> "char " + input);
      }
    }
    assertRejected("spiffe://td/a b", "SID-14");
    assertRejected("spiffe://td/a:b", "SID-14");
    assertRejected("spiffe://td/é", "SID-14");
  }

  @Test
  void SID_15_pathIsOptionalAndCaseSensitive() {
    SpiffeId root = SpiffeId.parse("spiffe://example.org");
    assertTrue(root.isRootPath());
    assertEquals("", root.path());
    assertEquals(root, TrustDomain.parse("example.org").id());
    assertFalse(SpiffeId.parse("spiffe://td/A").equals(SpiffeId.parse("spiffe://td/a")));
  }

  @Test
  void SID_16_idsUpTo2048BytesAreAcceptedLongerRejected() {
    String prefix = "spiffe://td/";
    String exact = prefix + "a".repeat(2048 - prefix.length());
    assertEquals(2048, SpiffeId.parse(exact).toString().length());
    assertRejected(exact + "a", "SID-16");
    TrustDomain td = TrustDomain.parse("td");
    assertThrows(InvalidSpiffeIdException.class,
        () -> SpiffeId.fromPath(td, "/" + "a".repeat(2048)));
  }

  @Test
  void SID_17_trustDomainOver255BytesIsRejected() {
    String name255 = "a".repeat(255);
    assertEquals(name255, TrustDomain.parse(name255).name());
    InvalidSpiffeIdException e =
        assertThrows(InvalidSpiffeIdException.class, () -> TrustDomain.parse(name255 + "a"));
    assertEquals("SID-17", e.rule().orElseThrow());
    assertRejected("spiffe://" + name255 + "a/x", "SID-17");
  }

  @Test
  void SID_18_uppercaseIsRejectedNotFolded() {
    // The Kelvin sign folds to 'k' under Unicode case folding; it must be rejected as a non-ASCII byte.
    assertRejected("spiffe://\u212Aexample.org/a", "SID-08");
    assertRejected("spiffe://\u0130example.org/a", "SID-08");
    assertEquals("/MixedCase", SpiffeId.parse("spiffe://td/MixedCase").path());
  }

  @Test
  void SID_19_trustDomainsAreNotHierarchical() {
    SpiffeId id = SpiffeId.parse("spiffe://sub.example.org/x");
    assertFalse(id.memberOf(TrustDomain.parse("example.org")));
    assertTrue(id.memberOf(TrustDomain.parse("sub.example.org")));
    assertFalse(TrustDomain.parse("example.org.").equals(TrustDomain.parse("example.org")));
  }

  @Test
  void SID_20_trustDomainParseAcceptsAnIdAndSegmentHelpersApplyPathRules() {
    assertEquals("example.org", TrustDomain.parse("spiffe://example.org/a/b").name());
    assertThrows(InvalidSpiffeIdException.class, () -> TrustDomain.parse("spiffe://example.org/a/"));
    TrustDomain td = TrustDomain.parse("example.org");
    assertEquals("spiffe://example.org/a/b", SpiffeId.fromSegments(td, "a", "b").toString());
    assertEquals("spiffe://example.org", SpiffeId.fromSegments(td).toString());
    assertEquals("spiffe://example.org/a/b", SpiffeId.fromPath(td, "/a/b").toString());
    assertEquals("spiffe://example.org", SpiffeId.fromPath(td, "").toString());
    for (String bad : List.of("a/b", "", ".", "..", "a%20", "a?b")) {
      assertThrows(InvalidSpiffeIdException.class, () -> SpiffeId.fromSegments(td, bad), bad);
    }
    InvalidSpiffeIdException noSlash =
        assertThrows(InvalidSpiffeIdException.class, () -> SpiffeId.fromPath(td, "a/b"));
    assertEquals("SID-20", noSlash.rule().orElseThrow());
    assertThrows(InvalidSpiffeIdException.class, () -> SpiffeId.fromPath(td, "/a/"));
  }

  @Test
  void nullArgumentsAreNamed() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> SpiffeId.parse(null));
    assertEquals("id", e.getMessage());
  }

  @Test
  void orderingAndEqualityFollowTheIdString() {
    TreeSet<SpiffeId> ids = new TreeSet<>(List.of(
        SpiffeId.parse("spiffe://b/x"), SpiffeId.parse("spiffe://a/y"), SpiffeId.parse("spiffe://a/x")));
    assertEquals("[spiffe://a/x, spiffe://a/y, spiffe://b/x]", ids.toString());
    assertEquals(SpiffeId.parse("spiffe://a/x").hashCode(), SpiffeId.parse("spiffe://a/x").hashCode());
    assertTrue(TrustDomain.parse("a").compareTo(TrustDomain.parse("b")) < 0);
  }
}
