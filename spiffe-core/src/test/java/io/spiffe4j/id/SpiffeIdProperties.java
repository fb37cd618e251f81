package io.spiffe4j.id;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SpiffeIdProperties {

  @Provide
  Arbitrary<String> trustDomainNames() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789.-_").ofMinLength(1).ofMaxLength(40);
  }

  @Provide
  Arbitrary<List<String>> segments() {
    return Arbitraries.strings().withChars("abcXYZ0189.-_").ofMinLength(1).ofMaxLength(12)
        .filter(s -> !s.equals(".") && !s.equals(".."))
        .list().ofMaxSize(6);
  }

  @Property(tries = 500)
  void validIdsRoundTrip(@ForAll("trustDomainNames") String td, @ForAll("segments") List<String> segments) {
    SpiffeId built = SpiffeId.fromSegments(TrustDomain.parse(td), segments);
    SpiffeId parsed = SpiffeId.parse(built.toString());
    assertEquals(built, parsed);
    assertEquals(td, parsed.trustDomain().name());
    assertEquals(built.path(), parsed.path());
    assertEquals(parsed, SpiffeId.fromPath(parsed.trustDomain(), parsed.path()));
  }

  @Provide
  Arbitrary<String> mutatedIds() {
    Arbitrary<String> base = Combinators.combine(trustDomainNames(), segments())
        .as((td, segs) -> SpiffeId.fromSegments(TrustDomain.parse(td), segs).toString());
    Arbitrary<Character> anyChar = Arbitraries.chars().range('\u0000', '\u024F');
    return Combinators.combine(base, Arbitraries.integers().between(0, 1000), anyChar, Arbitraries.integers().between(0, 2))
        .as((s, pos, c, op) -> {
          int i = pos % (s.length() + 1);
          switch (op) {
            case 0: return s.substring(0, i) + c + s.substring(i);
            case 1: return i < s.length() ? s.substring(0, i) + s.substring(i + 1) : s;
            default: return i < s.length() ? s.substring(0, i) + c + s.substring(i + 1) : s + c;
          }
        });
  }

  /** Any string: a typed rejection or a valid ID that prints back to the same string, nothing else. */
  @Property(tries = 2000)
  void parseEndsInValidIdOrTypedError(@ForAll("mutatedIds") String input) {
    SpiffeId id;
    try {
      id = SpiffeId.parse(input);
    } catch (InvalidSpiffeIdException e) {
      assertTrue(e.rule().isPresent(), "every rejection names a rule: " + e.getMessage());
      return;
    }
    assertEquals(input, id.toString());
    assertTrue(input.startsWith("spiffe://"));
  }

  @Property(tries = 1000)
  void arbitraryStringsNeverEscapeAsOtherExceptions(@ForAll String input) {
    try {
      assertEquals(input, SpiffeId.parse(input).toString());
    } catch (InvalidSpiffeIdException expected) {
      // typed rejection is the other allowed outcome
    }
    try {
      assertEquals(input, TrustDomain.parse(input).name());
    } catch (InvalidSpiffeIdException expected) {
      // typed rejection is the other allowed outcome
    }
  }
}
