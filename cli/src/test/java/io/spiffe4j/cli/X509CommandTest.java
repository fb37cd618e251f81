package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class X509CommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  @TempDir
  static Path dir;
  private static Path bundle;
  private static Path good;
  private static Path twoUris;
  private static Path foreign;
  private static Path garbage;

  @BeforeAll
  static void files() throws Exception {
    KeyPair caKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate ca = CertificateMinter.ca(caKey.getPublic(), TD.id()).validFor(NOW, Duration.ofDays(1))
        .sign(caKey.getPrivate());
    KeyPair leafKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate leaf = CertificateMinter.x509Svid(leafKey.getPublic(), SpiffeId.parse("spiffe://example.org/web"))
        .validFor(NOW, Duration.ofHours(1)).issuedBy(ca, caKey.getPrivate()).sign(null);
    X509Certificate twoUriLeaf = CertificateMinter.x509Svid(leafKey.getPublic(), SpiffeId.parse("spiffe://example.org/a"))
        .uriSans("spiffe://example.org/a", "spiffe://example.org/b")
        .validFor(NOW, Duration.ofHours(1)).issuedBy(ca, caKey.getPrivate()).sign(null);
    KeyPair otherKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate otherCa = CertificateMinter.ca(otherKey.getPublic(), TrustDomain.parse("other.org").id())
        .validFor(NOW, Duration.ofDays(1)).sign(otherKey.getPrivate());
    X509Certificate foreignLeaf = CertificateMinter.x509Svid(leafKey.getPublic(), SpiffeId.parse("spiffe://other.org/x"))
        .validFor(NOW, Duration.ofHours(1)).issuedBy(otherCa, otherKey.getPrivate()).sign(null);

    bundle = Files.write(dir.resolve("bundle.pem"), X509Bundle.of(TD, List.of(ca)).marshalPem());
    good = Files.write(dir.resolve("good.pem"), X509Bundle.of(TD, List.of(leaf)).marshalPem());
    twoUris = Files.write(dir.resolve("two-uris.pem"), X509Bundle.of(TD, List.of(twoUriLeaf)).marshalPem());
    foreign = Files.write(dir.resolve("foreign.pem"), X509Bundle.of(TD, List.of(foreignLeaf)).marshalPem());
    garbage = Files.writeString(dir.resolve("garbage.pem"), "-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n");
  }

  @Test
  void verifyReportsEachChainWithTheRuleThatFailed() throws Exception {
    CliRunner run = CliRunner.run("x509", "verify", "--json", "--bundle", bundle.toString(),
        "--trust-domain", "example.org", "--now", String.valueOf(NOW.getEpochSecond()),
        good.toString(), twoUris.toString(), foreign.toString(), garbage.toString());
    assertEquals(1, run.exitCode, run.err);
    List<String> lines = run.lines();
    assertEquals(4, lines.size(), run.out);
    JsonNode ok = JSON.readTree(lines.get(0));
    assertTrue(ok.get("valid").asBoolean());
    assertEquals(good.toString(), ok.get("input").asText());
    assertEquals("spiffe://example.org/web", ok.get("spiffe_id").asText());
    assertFalse(ok.has("rule"));
    assertEquals("X509-02", JSON.readTree(lines.get(1)).get("rule").asText(), lines.get(1));
    assertEquals("WAPI-07", JSON.readTree(lines.get(2)).get("rule").asText(), lines.get(2));
    JsonNode bad = JSON.readTree(lines.get(3));
    assertFalse(bad.get("valid").asBoolean());
    assertTrue(bad.get("reason").asText().contains("base64"), bad.toString());
  }

  @Test
  void expiryIsJudgedAtNow() {
    CliRunner later = CliRunner.run("x509", "verify", "--bundle", bundle.toString(),
        "--now", String.valueOf(NOW.plus(Duration.ofHours(2)).getEpochSecond()), good.toString());
    assertEquals(1, later.exitCode);
    assertTrue(later.out.contains("X509-16"), later.out);
    CliRunner inTime = CliRunner.run("x509", "verify", "--bundle", bundle.toString(),
        "--now", String.valueOf(NOW.getEpochSecond()), good.toString());
    assertEquals(0, inTime.exitCode, inTime.out);
    assertEquals("valid    " + good + " -> spiffe://example.org/web", inTime.out.strip());
  }

  @Test
  void missingChainFileExitsThree() {
    CliRunner run = CliRunner.run("x509", "verify", "--bundle", bundle.toString(), dir.resolve("nope.pem").toString());
    assertEquals(3, run.exitCode);
    assertTrue(run.err.contains("no such file"), run.err);
  }

  @Test
  void inspectDescribesCertificatesWithoutVerifying() {
    CliRunner run = CliRunner.run("x509", "inspect", good.toString());
    assertEquals(0, run.exitCode, run.err);
    assertTrue(run.out.contains("(NOT verified)"), run.out);
    assertTrue(run.out.contains("URI SANs: [spiffe://example.org/web]"), run.out);
    assertTrue(run.out.contains("key usage: digitalSignature"), run.out);
  }
}
