package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The HCL v1 subset SPIRE sends. The fixtures are what SPIRE v1.13.3 really passed in {@code hcl_configuration}
 * (captured from a running server): its printer re-prints {@code plugin_data}'s body without braces, one blank line
 * between items, alignment dropped, comments, quoting, escapes and heredocs kept as written.
 */
class HclTest {
  /** SPIRE v1.13.3's rendering of an aligned plugin_data block. */
  static final String SPIRE_PRINTED = ""
      + "akeyless_gateway_url = \"https://gateway.example:8000/api/v2\"\n"
      + "\n"
      + "access_type = \"access_key\"\n"
      + "\n"
      + "access_id = \"p-test\"\n"
      + "\n"
      + "access_key = \"test-secret-access-key-4711\"\n"
      + "\n"
      + "pki_cert_issuer_name = \"test-issuer\"";

  /** SPIRE v1.13.3's rendering of a plugin_data block using every construct of HCL v1. */
  static final String SPIRE_PRINTED_EVERYTHING = ""
      + "# a comment\n"
      + "\"quoted_key\" = \"a \\\"quoted\\\" \\\\ back\\tslash \\u00e9 ${x}\" // trailing\n"
      + "\n"
      + "n = 42\n"
      + "\n"
      + "neg = -7\n"
      + "\n"
      + "f = 1.5\n"
      + "\n"
      + "b = true\n"
      + "\n"
      + "l = [\"a\", \"b\", 3]\n"
      + "\n"
      + "nested {\n"
      + "  inner = \"v\"\n"
      + "}\n"
      + "\n"
      + "lbl \"name\" {\n"
      + "  x = 1\n"
      + "}\n"
      + "\n"
      + "obj = {\n"
      + "  k = \"v\"\n"
      + "}\n"
      + "\n"
      + "h = <<EOT\n"
      + "line one\n"
      + "  line two\n"
      + "EOT";

  @Test
  void spirePrinterOutput_parsesToItsKeysAndStrings() {
    assertEquals(Map.of(
        "akeyless_gateway_url", "https://gateway.example:8000/api/v2",
        "access_type", "access_key",
        "access_id", "p-test",
        "access_key", "test-secret-access-key-4711",
        "pki_cert_issuer_name", "test-issuer"), Hcl.parse(SPIRE_PRINTED));
  }

  @Test
  void spirePrinterOutput_everyConstruct() {
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("quoted_key", "a \"quoted\" \\ back\tslash \u00e9 ${x}");
    expected.put("n", 42L);
    expected.put("neg", -7L);
    expected.put("f", new BigDecimal("1.5"));
    expected.put("b", true);
    expected.put("l", List.of("a", "b", 3L));
    expected.put("nested", Map.of("inner", "v"));
    expected.put("lbl", Map.of("name", Map.of("x", 1L)));
    expected.put("obj", Map.of("k", "v"));
    expected.put("h", "line one\n  line two\n");

    Map<String, Object> parsed = Hcl.parse(SPIRE_PRINTED_EVERYTHING);

    assertEquals(expected, parsed);
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(parsed.keySet()), "keys keep their order");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   \n\t\n", "# only a comment", "// only a comment", "/* only\na comment */"})
  void emptyConfiguration_isAnEmptyMap(String text) {
    assertEquals(Map.of(), Hcl.parse(text));
  }

  @Test
  void goEscapes_decode() {
    assertEquals("\u0007\b\f\n\r\t\u000b\\\"A\u00e9\uD83D\uDE00\u0041",
        Hcl.parse("k = \"\\a\\b\\f\\n\\r\\t\\v\\\\\\\"\\x41\\u00e9\\U0001F600\\101\"").get("k"));
  }

  @Test
  void numbers_decimalHexOctalAndExponents() {
    Map<String, Object> parsed = Hcl.parse("a = 0x1F\nb = 017\nc = 1e3\nd = -2.5E-1\ne = 0\nf = +3");

    assertEquals(31L, parsed.get("a"));
    assertEquals(15L, parsed.get("b"));
    assertEquals(new BigDecimal("1e3"), parsed.get("c"));
    assertEquals(new BigDecimal("-2.5E-1"), parsed.get("d"));
    assertEquals(0L, parsed.get("e"));
    assertEquals(3L, parsed.get("f"));
  }

  @Test
  void itemsOnOneLine_commasAndCrlf_areAccepted() {
    assertEquals(Map.of("a", 1L, "b", "x", "c", List.of(1L, 2L), "d", Map.of("e", true, "f", false)),
        Hcl.parse("a = 1 b = \"x\",\r\nc = [1, 2,]\r\nd = { e = true, f = false }"));
  }

  @Test
  void indentedHeredoc_dropsTheCommonIndentation() {
    assertEquals("one\n  two\n", Hcl.parse("k = <<-EOT\n    one\n      two\n    EOT\n").get("k"));
  }

  @Test
  void json_whenTheTextStartsWithABrace() {
    Map<String, Object> parsed = Hcl.parse("\n  {\"access_type\": \"cert\", \"n\": 3, \"x\": 1.5, \"l\": [1, \"a\"],"
        + " \"o\": {\"k\": true}}\n");

    assertEquals(Map.of("access_type", "cert", "n", 3L, "x", new BigDecimal("1.5"), "l", List.of(1L, "a"),
        "o", Map.of("k", true)), parsed);
  }

  static Stream<Arguments> syntaxErrors() {
    return Stream.of(
        arguments("k = \"unterminated", "line 1, column 5: the string is not closed on its line"),
        arguments("k = 's3cr3t'", "line 1, column 5: HCL has no single-quoted strings"),
        arguments("k = s3cr3t", "line 1, column 5: expected a value"),
        arguments("a = 1\nk {\n  x = 1", "line 3, column 8: the block is not closed"),
        arguments("k = [1, 2", "line 1, column 10: the list is not closed"),
        arguments("k = [1 2]", "line 1, column 8: expected ',' or ']'"),
        arguments("/* s3cr3t", "line 1, column 1: the comment is not closed"),
        arguments("k = \"\\q s3cr3t\"", "line 1, column 7: invalid escape"),
        arguments("k = \"\\ud800\"", "line 1, column 7: invalid escape"),
        arguments("k = <<EOT\ns3cr3t\n", "line 1, column 5: the heredoc is not closed"),
        arguments("\"s3cr3t\"", "line 1, column 9: expected '=' or '{' after a key"),
        arguments("k = 99999999999999999999", "line 1, column 5: invalid number"),
        arguments("k = 1.2.3", "line 1, column 5: invalid number"),
        arguments("= 1", "line 1, column 1: expected a key"),
        arguments("k = \"${s3cr3t\"", "the ${...} in a string is not closed"),
        arguments("k = 1\nk = 2", "line 2, column 1: a key is given twice"),
        arguments("{\"k\": 1, \"k\": 2}", "a key is given twice at line 1"),
        arguments("{\"k\": \"s3cr3t\",}", "invalid JSON at line 1"),
        arguments("{\"k\": null}", "plugin_data.k: null is not a value in HCL"));
  }

  @ParameterizedTest
  @MethodSource("syntaxErrors")
  void syntaxErrors_namePositionAndProblem_neverTheText(String text, String expected) {
    PluginConfigException e = assertThrows(PluginConfigException.class,
        () -> Hcl.parse(text));

    assertTrue(e.getMessage().contains(expected), e.getMessage());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
  }
}
