package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DemoCommandTest {

  @Test
  void demoShowsMtlsRotationImpostorAndJwtOutcomes() {
    CliRunner run = CliRunner.run("demo");
    assertEquals(0, run.exitCode, run.out + run.err);
    List<String> lines = run.lines();
    assertEquals(8, lines.size(), run.out);
    assertTrue(lines.get(3).contains("server said \"hello spiffe://demo.spiffe4j.io/checkout/web\""), lines.get(3));
    String rotatedSerial = lines.get(4).replaceAll(".*rotated the server's SVID to serial (\\w+);.*", "$1");
    assertTrue(lines.get(4).contains("(serial " + rotatedSerial + ")"), "the next handshake used the new SVID: "
        + lines.get(4));
    assertTrue(lines.get(5).contains("impostor") && lines.get(5).contains("refused"), lines.get(5));
    assertTrue(lines.get(6).contains("valid, subject spiffe://demo.spiffe4j.io/checkout/web"), lines.get(6));
    assertTrue(lines.get(7).contains("rejected") && lines.get(7).contains("[JWT-08]"), lines.get(7));
  }
}
