package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the real-SPIRE tests of the packaged plugin share: the launcher file and its checksum, an issuer set up as
 * Akeyless documents for SPIRE, the plugin stanza for a testkit gateway, and reading SPIRE's JSON log.
 */
final class AkeylessSpire {
  static final Path LAUNCHER = Path.of(System.getProperty("spiffe4j.plugin.launcher",
      "target/spire-upstream-akeyless")).toAbsolutePath();
  /** The plugin's name in server.conf, so in every SPIRE log line about it. */
  static final String PLUGIN_NAME = "spiffe4j_test";
  static final String ISSUER = "spire/intermediate";

  private static final ObjectMapper JSON = new ObjectMapper();

  private AkeylessSpire() {
  }

  /** The Akeyless documentation's issuer for SPIRE: a CA issuer, certsign and crlsign, the trust domain's URI SANs. */
  static PkiIssuerSettings.Builder spireIssuer(Duration ttl) {
    return PkiIssuerSettings.builder(ISSUER, ttl).ca(true).keyUsage("CertSign,CRLSign").notRequireCn(true)
        .allowedUriSans("spiffe://example.org", "spiffe://example.org/*");
  }

  /**
   * The UpstreamAuthority stanza running the packaged launcher with its checksum against {@code gateway} (its TLS CA
   * written into {@code directory}), access-key auth, {@link #ISSUER}, plus {@code extraLines} of plugin_data.
   */
  static String stanza(AkeylessGateway gateway, AccessKeyCredentials credentials, String accessKey, Path directory,
      String... extraLines) throws IOException {
    Path caBundle = directory.resolve("gateway-ca.pem");
    Files.writeString(caBundle, gateway.tlsCaPem(), StandardCharsets.US_ASCII);
    String pluginData = ""
        + "akeyless_gateway_url = \"" + gateway.url() + "\"\n"
        + "access_type = \"access_key\"\n"
        + "access_id = \"" + credentials.accessId() + "\"\n"
        + "access_key = \"" + accessKey + "\"\n"
        + "pki_cert_issuer_name = \"/" + ISSUER + "\"\n"
        + "custom_ca_bundle = \"" + caBundle + "\"\n"
        + Stream.of(extraLines).map(line -> line + "\n").collect(Collectors.joining());
    return UpstreamPluginSpireTest.stanza(LAUNCHER, checksum(), pluginData);
  }

  static String checksum() throws IOException {
    return Files.readString(Path.of(LAUNCHER + ".sha256"), StandardCharsets.US_ASCII).substring(0, 64);
  }

  /** The only spire-server log in {@code logDirectory} (the fixture's log survives a failed start there). */
  static Path serverLog(Path logDirectory) throws IOException {
    try (Stream<Path> logs = Files.list(logDirectory)) {
      List<Path> server = logs.filter(p -> p.getFileName().toString().endsWith("server.log"))
          .collect(Collectors.toList());
      assertEquals(1, server.size(), server::toString);
      return server.get(0);
    }
  }

  /** SPIRE's JSON log lines (non-JSON lines, such as a panic, are skipped). */
  static List<JsonNode> entries(Path log) throws IOException {
    return Files.readAllLines(log).stream().filter(line -> line.startsWith("{")).map(AkeylessSpire::json)
        .collect(Collectors.toList());
  }

  /** The entries whose {@code msg} is {@code message}, in log order. */
  static List<JsonNode> withMessage(List<JsonNode> entries, String message) {
    return entries.stream().filter(entry -> entry.path("msg").asText().equals(message)).collect(Collectors.toList());
  }

  /** The plugin's own entries (its hclog lines, which SPIRE tags with the plugin's name). */
  static List<JsonNode> fromPlugin(List<JsonNode> entries, String message) {
    return withMessage(entries, message).stream()
        .filter(entry -> entry.path("plugin_name").asText().equals(PLUGIN_NAME)).collect(Collectors.toList());
  }

  static Instant time(JsonNode entry) {
    return Instant.parse(entry.path("time").asText());
  }

  static long millisBetween(JsonNode from, JsonNode to) {
    return Duration.between(time(from), time(to)).toMillis();
  }

  /** Plugin start to handshake as SPIRE saw it, and the plugin's own Configure and first mint durations. */
  static String startTimings(Path log) throws IOException {
    List<JsonNode> entries = entries(log);
    long handshake = millisBetween(fromPlugin(entries, "starting plugin").get(0),
        fromPlugin(entries, "using plugin").get(0));
    return "plugin start to handshake " + handshake + " ms, Configure (with Akeyless auth) "
        + fromPlugin(entries, "configured").get(0).path("duration_ms").asText() + " ms, first mint "
        + fromPlugin(entries, "minted an X.509 CA").get(0).path("duration_ms").asText() + " ms";
  }

  private static JsonNode json(String line) {
    try {
      return JSON.readTree(line);
    } catch (IOException e) {
      throw new AssertionError("not a JSON log line: " + line, e);
    }
  }
}
