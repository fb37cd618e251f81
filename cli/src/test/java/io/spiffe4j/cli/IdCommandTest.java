package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class IdCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void jsonLinesFollowInputOrderAndNameTheRule() throws Exception {
    CliRunner run = CliRunner.run("id", "parse", "--json", "spiffe://example.org/a/b", "spiffe://Example.org", "x");
    assertEquals(1, run.exitCode);
    List<String> lines = run.lines();
    assertEquals(3, lines.size());

    JsonNode valid = JSON.readTree(lines.get(0));
    assertEquals("spiffe://example.org/a/b", valid.get("input").asText());
    assertTrue(valid.get("valid").asBoolean());
    assertEquals("spiffe://example.org/a/b", valid.get("spiffe_id").asText());
    assertEquals("example.org", valid.get("trust_domain").asText());
    assertEquals("/a/b", valid.get("path").asText());
    assertFalse(valid.has("reason"));
    assertFalse(valid.has("rule"));

    JsonNode upper = JSON.readTree(lines.get(1));
    assertFalse(upper.get("valid").asBoolean());
    assertEquals("SID-07", upper.get("rule").asText());
    assertEquals("trust domain must be lowercase", upper.get("reason").asText());
    assertFalse(upper.has("spiffe_id"));

    assertEquals("SID-01", JSON.readTree(lines.get(2)).get("rule").asText());
  }

  @Test
  void allValidExitsZeroWithOneHumanLineEach() {
    CliRunner run = CliRunner.run("id", "parse", "spiffe://a/b", "spiffe://c");
    assertEquals(0, run.exitCode);
    assertEquals(List.of("valid    spiffe://a/b", "valid    spiffe://c"), run.lines());
  }

  @Test
  void usageErrorExitsTwo() {
    assertEquals(2, CliRunner.run("id", "parse").exitCode);
    assertEquals(2, CliRunner.run("id", "parse", "--no-such-option", "spiffe://a").exitCode);
    assertEquals(2, CliRunner.run("no-such-command").exitCode);
  }
}
