package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** hclog JSON lines as go-plugin parses them: string-only @level, @message, @timestamp (six fractional digits). */
class HclogTest {
  private static final Instant NOW = Instant.parse("2026-11-25T18:08:30.123456789Z");
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final Hclog sink = new Hclog(new PrintStream(out, true, StandardCharsets.UTF_8),
      Clock.fixed(NOW, ZoneOffset.UTC));

  private List<String> lines() throws Exception {
    List<String> lines = out.toString(StandardCharsets.UTF_8).lines().collect(java.util.stream.Collectors.toList());
    PluginProcessTest.assertHclogLines(lines);
    return lines;
  }

  @Test
  void line_hasStringLevelMessageTimestampAndFields() throws Exception {
    sink.log("info", "minted", Map.of("serial", 42), null);

    assertEquals(List.of("{\"@level\":\"info\",\"@message\":\"minted\",\"@timestamp\":\"2026-11-25T18:08:30.123456Z\","
        + "\"serial\":\"42\"}"), lines());
  }

  @Test
  void controlCharactersAndQuotes_areEscaped_soALineNeverBreaks() throws Exception {
    sink.log("warn", "two\nlines \"quoted\" \\ \u0001 \u2028", Map.of("k\"ey", "v\r\n"), null);

    String line = lines().get(0);
    assertTrue(line.contains("\"@message\":\"two\\nlines \\\"quoted\\\" \\\\ \\u0001 \\u2028\""), line);
    assertTrue(line.contains("\"k\\\"ey\":\"v\\r\\n\""), line);
  }

  @Test
  void fieldsNamedLikeHclogKeys_areDropped() throws Exception {
    sink.log("info", "m", Map.of("@level", 3, "@timestamp", 0), null);

    assertEquals(1, lines().size());
    assertFalse(out.toString(StandardCharsets.UTF_8).contains("\"@level\":3"));
  }

  @Test
  void errors_carryTheCauseChain_andAStackOnlyAtErrorLevel() throws Exception {
    Exception failure = new IllegalStateException("outer", new java.io.IOException("inner"));

    sink.log("warn", "retrying", Map.of(), failure);
    sink.log("error", "failed", Map.of(), failure);

    List<String> lines = lines();
    assertTrue(lines.get(0).contains("\"error\":\"java.lang.IllegalStateException: outer; caused by "
        + "java.io.IOException: inner\""), lines.get(0));
    assertFalse(lines.get(0).contains("\"stack\""));
    assertTrue(lines.get(1).contains("\"stack\":\"java.lang.IllegalStateException: outer\\n\\tat "), lines.get(1));
  }

  @Test
  void slf4jLogger_keyValuesBecomeFields_levelsFollowTheLoggerName() throws Exception {
    Logger ours = new HclogLogger("io.spiffe4j.upstream.akeyless.spire.Thing", sink, true);
    Logger theirs = new HclogLogger("io.grpc.Thing", sink, false);

    ours.atInfo().addKeyValue("ttl", 60).log("minted {}", "a CA");
    ours.debug("detail {} and {}", 1, 2);
    ours.trace("never");
    theirs.debug("dropped");
    theirs.warn("kept");

    List<String> lines = lines();
    assertEquals(3, lines.size(), lines::toString);
    assertEquals("{\"@level\":\"info\",\"@message\":\"minted a CA\",\"@timestamp\":\"2026-11-25T18:08:30.123456Z\","
        + "\"logger\":\"Thing\",\"ttl\":\"60\"}", lines.get(0));
    assertTrue(lines.get(1).contains("\"@level\":\"debug\",\"@message\":\"detail 1 and 2\""), lines.get(1));
    assertTrue(lines.get(2).contains("\"@level\":\"warn\",\"@message\":\"kept\""), lines.get(2));
  }

  @Test
  void julRecords_mapTheirLevels() throws Exception {
    Hclog.JulHandler handler = new Hclog.JulHandler(sink);
    for (Level level : List.of(Level.SEVERE, Level.WARNING, Level.INFO, Level.FINE, Level.FINEST)) {
      LogRecord record = new LogRecord(level, "netty says {0}");
      record.setParameters(new Object[] {level.getName()});
      record.setLoggerName("io.grpc.netty.Something");
      handler.publish(record);
    }

    List<String> lines = lines();
    assertEquals(List.of("error", "warn", "info", "debug", "trace"), lines.stream()
        .map(line -> line.substring(11, line.indexOf('"', 11))).collect(java.util.stream.Collectors.toList()));
    assertTrue(lines.get(0).contains("\"@message\":\"netty says SEVERE\"") && lines.get(0)
        .contains("\"logger\":\"io.grpc.netty.Something\""), lines.get(0));
  }
}
