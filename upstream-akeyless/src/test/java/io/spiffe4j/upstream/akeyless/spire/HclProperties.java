package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Random and mutated HCL ends in a map or a {@link PluginConfigException}, never anything else; values survive being
 * printed as HCL v1 (with Go's escapes) or JSON and parsed back.
 */
@Tag("property")
class HclProperties {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Property(tries = 500)
  void arbitraryText_endsInAMapOrAConfigError(@ForAll("hclish") String text) {
    try {
      Hcl.parse(text);
    } catch (PluginConfigException expected) {
      // The only failure allowed.
    }
  }

  @Property(tries = 300)
  void printedAsHcl_parsesBackToTheSameValues(@ForAll("configurations") Map<String, Object> values) {
    StringBuilder hcl = new StringBuilder();
    values.forEach((key, value) -> hcl.append(key).append(" = ").append(hcl(value)).append("\n\n"));

    assertEquals(values, Hcl.parse(hcl.toString()));
  }

  @Property(tries = 300)
  void printedAsJson_parsesBackToTheSameValues(@ForAll("configurations") Map<String, Object> values) throws Exception {
    assertEquals(values, Hcl.parse(JSON.writeValueAsString(values)));
  }

  @Provide
  Arbitrary<String> hclish() {
    Arbitrary<String> fragments = Arbitraries.of("k", " = ", "\"v\"", "\"", "\\", "\\u", "\\U0010FFFF", "{", "}", "[",
        "]", ",", "\n", "#", "//", "/*", "*/", "<<EOT\n", "<<-EOT\n", "EOT", "${", "0x", "1e", "-", "true", "'",
        "\u00e9", "\uD800", "\t", "\r");
    Arbitrary<String> mutated = fragments.list().ofMaxSize(25).map(parts -> String.join("", parts));
    return Arbitraries.oneOf(mutated, Arbitraries.strings().ofMaxLength(60),
        mutated.map(text -> "{" + text), Arbitraries.of(HclTest.SPIRE_PRINTED_EVERYTHING).map(text -> text.substring(0,
            Math.max(0, text.length() - 7))));
  }

  @Provide
  Arbitrary<Map<String, Object>> configurations() {
    Arbitrary<String> keys = Arbitraries.strings().withCharRange('a', 'z').withChars('_').ofMinLength(1).ofMaxLength(12);
    Arbitrary<String> strings = Arbitraries.strings().all().ofMaxLength(30)
        .filter(s -> s.indexOf('$') < 0 && s.codePoints().noneMatch(c -> c >= 0xD800 && c <= 0xDFFF));
    Arbitrary<Object> scalars = Arbitraries.oneOf(strings, Arbitraries.longs(), Arbitraries.of(true, false));
    Arbitrary<Object> values = Arbitraries.oneOf(scalars, scalars.list().ofMaxSize(4).map(List::copyOf));
    return Arbitraries.maps(keys, values).ofMaxSize(8).map(LinkedHashMap::new);
  }

  private static String hcl(Object value) {
    if (value instanceof String) {
      return quote((String) value);
    }
    if (value instanceof List) {
      StringBuilder list = new StringBuilder("[");
      for (Object element : (List<?>) value) {
        list.append(hcl(element)).append(", ");
      }
      return list.append(']').toString();
    }
    return value.toString();
  }

  /** As Go's strconv.Quote escapes. */
  private static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    value.codePoints().forEach(c -> {
      if (c == '"' || c == '\\') {
        out.append('\\').appendCodePoint(c);
      } else if (c == '\n') {
        out.append("\\n");
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format("\\x%02x", c));
      } else if (c > 0xFFFF) {
        out.append(String.format("\\U%08x", c));
      } else if (c > 0x7e && !Character.isLetterOrDigit(c)) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.append('"').toString();
  }
}
