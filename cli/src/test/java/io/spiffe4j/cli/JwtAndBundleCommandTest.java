package io.spiffe4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtAndBundleCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/web");
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
  private static KeyPair jwtKey;
  private static X509Certificate ca;

  @TempDir
  static Path dir;
  private static Path jwks;
  private static Path spiffeBundle;

  @BeforeAll
  static void bundles() throws Exception {
    jwtKey = KeyAlgorithm.EC_P256.generate();
    KeyPair caKey = KeyAlgorithm.EC_P256.generate();
    ca = CertificateMinter.ca(caKey.getPublic(), TD.id()).validFor(NOW, java.time.Duration.ofDays(1))
        .sign(caKey.getPrivate());
    jwks = Files.write(dir.resolve("jwks.json"), JwtBundle.of(TD, Map.of("k1", jwtKey.getPublic())).marshal());
    spiffeBundle = Files.write(dir.resolve("bundle.json"),
        SpiffeBundle.of(X509Bundle.of(TD, List.of(ca)), JwtBundle.of(TD, Map.of("k1", jwtKey.getPublic())))
            .marshal());
  }

  private static String token(SpiffeId subject, String audience, Instant expiry) {
    return JwtSvidMinter.forSubject(subject).audience(audience).expiry(expiry).issuedAt(NOW.minusSeconds(10))
        .keyId("k1").sign(jwtKey.getPrivate());
  }

  @Test
  void jwtValidateReportsEachTokenInOrder() throws Exception {
    String good = token(WORKLOAD, "api", NOW.plusSeconds(300));
    String expired = token(WORKLOAD, "api", NOW.minusSeconds(600));
    String wrongAudience = token(WORKLOAD, "other", NOW.plusSeconds(300));
    String foreign = token(SpiffeId.parse("spiffe://other.org/x"), "api", NOW.plusSeconds(300));
    CliRunner run = CliRunner.run("jwt", "validate", "--json", "--bundle", jwks.toString(), "--audience", "api",
        "--trust-domain", "example.org", "--now", String.valueOf(NOW.getEpochSecond()),
        good, expired, wrongAudience, foreign, "garbage");
    assertEquals(1, run.exitCode, run.err);
    List<String> lines = run.lines();
    assertEquals(5, lines.size(), run.out);
    JsonNode ok = JSON.readTree(lines.get(0));
    assertTrue(ok.get("valid").asBoolean());
    assertEquals(good, ok.get("input").asText());
    assertEquals(WORKLOAD.toString(), ok.get("spiffe_id").asText());
    assertEquals("JWT-09", JSON.readTree(lines.get(1)).get("rule").asText());
    assertEquals("JWT-08", JSON.readTree(lines.get(2)).get("rule").asText());
    assertEquals("JWT-16", JSON.readTree(lines.get(3)).get("rule").asText());
    JsonNode garbage = JSON.readTree(lines.get(4));
    assertFalse(garbage.get("valid").asBoolean());
    assertTrue(garbage.has("reason"));
  }

  @Test
  void withoutTrustDomainTheBundleServesTheSubjectsTrustDomain() {
    String foreign = token(SpiffeId.parse("spiffe://other.org/x"), "api", NOW.plusSeconds(300));
    CliRunner run = CliRunner.run("jwt", "validate", "--bundle", spiffeBundle.toString(), "--audience", "api",
        "--now", String.valueOf(NOW.getEpochSecond()), foreign);
    assertEquals(0, run.exitCode, run.out + run.err);
    assertTrue(run.out.startsWith("valid "), run.out);
    assertFalse(run.out.contains(foreign), "human output must not repeat the whole token");
  }

  @Test
  void unreadableOrMalformedBundleExitsThree() throws Exception {
    String good = token(WORKLOAD, "api", NOW.plusSeconds(300));
    assertEquals(3, CliRunner.run("jwt", "validate", "--bundle", dir.resolve("missing.json").toString(),
        "--audience", "api", good).exitCode);
    Path broken = Files.writeString(dir.resolve("broken.json"), "{\"keys\": [");
    CliRunner run = CliRunner.run("jwt", "validate", "--bundle", broken.toString(), "--audience", "api", good);
    assertEquals(3, run.exitCode);
    assertTrue(run.err.contains("broken.json"), run.err);
  }

  @Test
  void badOptionValuesAreUsageErrors() {
    assertEquals(2, CliRunner.run("jwt", "validate", "--bundle", jwks.toString(), "--audience", "api",
        "--trust-domain", "Bad..TD", "x").exitCode);
    assertEquals(2, CliRunner.run("jwt", "validate", "--bundle", jwks.toString(), "x").exitCode);
    assertEquals(2, CliRunner.run("jwt", "validate", "--bundle", jwks.toString(), "--audience", "api",
        "--now", "yesterday", "x").exitCode);
  }

  @Test
  void jwtInspectShowsClaimsAndSaysItDidNotVerify() {
    CliRunner run = CliRunner.run("jwt", "inspect", token(WORKLOAD, "api", NOW.plusSeconds(300)));
    assertEquals(0, run.exitCode);
    assertTrue(run.out.contains("signature NOT verified"), run.out);
    assertTrue(run.out.contains("subject:   " + WORKLOAD), run.out);
    assertTrue(run.out.contains("kid:       k1"), run.out);
  }

  @Test
  void bundleConvertRoundTripsThroughPemAndSpiffe() throws Exception {
    CliRunner toPem = CliRunner.run("bundle", "convert", "--to", "pem", spiffeBundle.toString());
    assertEquals(0, toPem.exitCode, toPem.err);
    assertEquals(List.of(ca), X509Bundle.parse(TD, toPem.out.getBytes()).x509Authorities());
    assertTrue(toPem.err.contains("1 JWT authorities were left out"), toPem.err);

    Path pem = Files.writeString(dir.resolve("ca.pem"), toPem.out);
    CliRunner toSpiffe = CliRunner.run("bundle", "convert", "--to", "spiffe", pem.toString());
    assertEquals(0, toSpiffe.exitCode, toSpiffe.err);
    SpiffeBundle back = SpiffeBundle.parse(TD, toSpiffe.out.getBytes());
    assertEquals(List.of(ca), back.x509Authorities());
    assertTrue(back.jwtAuthorities().isEmpty());
  }

  @Test
  void bundleInspectListsAuthorities() {
    CliRunner run = CliRunner.run("bundle", "inspect", spiffeBundle.toString());
    assertEquals(0, run.exitCode, run.err);
    assertTrue(run.out.contains("X.509 authorities: 1"), run.out);
    assertTrue(run.out.contains("JWT authorities: 1"), run.out);
    assertTrue(run.out.contains("kid k1, EC 256-bit"), run.out);
  }
}
