package io.spiffe4j.akeyless.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Tag;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.StringLength;

/** The glob matcher against a reference that turns the pattern into a regular expression. */
@Tag("property")
class GlobProperties {

  /** {@code *} becomes {@code .*}; every other character is quoted, so {@code ?}, {@code [} and {@code .} are literal. */
  private static boolean reference(String pattern, String value) {
    String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
    return Pattern.compile(regex, Pattern.DOTALL).matcher(value).matches();
  }

  @Property(tries = 500)
  void agreesWithTheRegexReference(
      @ForAll @StringLength(max = 8) @Chars({'a', 'b', '/', '.', '*', '?', '['}) String pattern,
      @ForAll @StringLength(max = 10) @Chars({'a', 'b', '/', '.', '*', '?', '['}) String value) {
    assertEquals(reference(pattern, value), Glob.matches(pattern, value), () -> pattern + " vs " + value);
  }

  @Property(tries = 200)
  void aPatternMatchesTheValuesItWasBuiltFrom(
      @ForAll @StringLength(max = 6) @Chars({'a', 'b', '/', '.'}) String prefix,
      @ForAll @StringLength(max = 6) @Chars({'a', 'b', '/', '.', '*'}) String middle,
      @ForAll @StringLength(max = 6) @Chars({'a', 'b', '/', '.'}) String suffix) {
    assertTrue(Glob.matches(prefix + "*" + suffix, prefix + middle + suffix));
    assertTrue(Glob.matches(prefix + middle + suffix, prefix + middle + suffix) || middle.contains("*"));
  }
}
