package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.upstream.akeyless.spire.PluginConfig.AccessType;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** plugin_data validated into a typed configuration, per access type, with messages that name keys, never values. */
class PluginConfigTest {
  private static final String COMMON = ""
      + "akeyless_gateway_url = \"https://gw.example:8000/api/v2\"\n"
      + "access_id = \"p-abc\"\n"
      + "pki_cert_issuer_name = \"/spire/issuer\"\n";
  private static final String SECRET = "s3cr3t-value";

  private static PluginConfig parse(String hcl) {
    return PluginConfig.parse(hcl, "example.org", Map.of());
  }

  private static String failure(String hcl) {
    return failure(hcl, Map.of());
  }

  private static String failure(String hcl, Map<String, String> environment) {
    String message = assertThrows(PluginConfigException.class,
        () -> PluginConfig.parse(hcl, "example.org", environment)).getMessage();
    assertFalse(message.contains(SECRET), message);
    return message;
  }

  @Test
  void accessKey_typedValues() {
    PluginConfig config = parse(COMMON + "access_type = \"access_key\"\naccess_key = \"" + SECRET + "\"\n");

    assertEquals("example.org", config.trustDomain().name());
    assertEquals(AccessType.ACCESS_KEY, config.accessType());
    assertEquals(URI.create("https://gw.example:8000/api/v2"), config.gatewayUrl());
    assertEquals("p-abc", config.accessId());
    assertEquals("/spire/issuer", config.pkiCertIssuerName());
    assertEquals(Optional.of(SECRET), config.accessKey());
    assertEquals(Optional.empty(), config.maxTtl());
    assertEquals(Optional.empty(), config.customCaBundle());
  }

  @Test
  void cert_k8s_gcp_azure_apiKey_eachWithTheirKeys() {
    PluginConfig cert = parse(COMMON + "access_type = \"cert\"\ncert_file_path = \"/etc/c.pem\"\n"
        + "key_file_path = \"/etc/k.pem\"\nkey_password = \"" + SECRET + "\"\ncustom_ca_bundle = \"/etc/ca.pem\"\n");
    PluginConfig k8s = parse(COMMON + "access_type = \"k8s\"\nk8s_auth_config_name = \"k8s-conf\"\n");
    PluginConfig gcp = parse(COMMON + "access_type = \"gcp\"\ngcp_audience = \"akeyless.io\"\n");
    PluginConfig azure = parse(COMMON + "access_type = \"azure_ad\"\n");
    PluginConfig apiKey = parse(COMMON + "access_type = \"api_key\"\naccess_key = \"" + SECRET + "\"\n");

    assertEquals(Optional.of(Path.of("/etc/c.pem")), cert.certFile());
    assertEquals(Optional.of(Path.of("/etc/k.pem")), cert.keyFile());
    assertEquals(Optional.of(SECRET), cert.keyPassword());
    assertEquals(Optional.of(Path.of("/etc/ca.pem")), cert.customCaBundle());
    assertEquals(Optional.of("k8s-conf"), k8s.k8sAuthConfigName());
    assertEquals(Optional.of("akeyless.io"), gcp.gcpAudience());
    assertEquals(AccessType.AZURE_AD, azure.accessType());
    assertEquals(Optional.empty(), azure.azureObjectId());
    assertEquals(AccessType.API_KEY, apiKey.accessType());
  }

  @Test
  void toString_redactsTheAccessKeyAndKeyPassword() {
    String accessKey = parse(COMMON + "access_type = \"access_key\"\naccess_key = \"" + SECRET + "\"\n").toString();
    String cert = parse(COMMON + "access_type = \"cert\"\ncert_file_path = \"/c\"\nkey_file_path = \"/k\"\n"
        + "key_password = \"" + SECRET + "\"\n").toString();

    assertFalse(accessKey.contains(SECRET), accessKey);
    assertFalse(cert.contains(SECRET), cert);
    assertTrue(accessKey.contains("access_key=(redacted)") && accessKey.contains("access_id=p-abc"), accessKey);
    assertTrue(cert.contains("key_password=(redacted)") && cert.contains("key_file_path=/k"), cert);
  }

  @Test
  void accessType_missing_isRequired() {
    assertEquals("access_type is required: one of access_key, api_key, cert, k8s, gcp, azure_ad", failure(COMMON));
    assertTrue(failure("").startsWith("access_type is required"));
  }

  @Test
  void accessType_awsIam_isOutOfScope_unknown_listsTheValidOnes() {
    assertTrue(failure(COMMON + "access_type = \"aws_iam\"\n").contains("\"aws_iam\" is not supported"));
    assertEquals("access_type must be one of access_key, api_key, cert, k8s, gcp, azure_ad",
        failure(COMMON + "access_type = \"password\"\n"));
  }

  @Test
  void unknownKeys_areListedWithTheValidOnes() {
    String message = failure(COMMON + "access_type = \"gcp\"\ncolor = \"blue\"\nsize = 3\n");

    assertEquals("unknown keys color, size in plugin_data; valid keys are access_id, access_key, access_type, "
        + "akeyless_gateway_url, azure_object_id, cert_file_path, custom_ca_bundle, gcp_audience, "
        + "k8s_auth_config_name, key_file_path, key_password, max_ttl, pki_cert_issuer_name", message);
  }

  @Test
  void unknownKeyThatIsNoName_isNotShown() {
    String message = failure(COMMON + "\"" + SECRET + " x\" = 1\n");

    assertTrue(message.startsWith("unknown key (a key that is not a name) in plugin_data"), message);
  }

  @Test
  void keyOfAnotherAccessType_isRejected() {
    assertEquals("access_key is not used with access_type \"cert\", which takes access_id, access_type, "
        + "akeyless_gateway_url, cert_file_path, custom_ca_bundle, key_file_path, key_password, max_ttl, "
        + "pki_cert_issuer_name", failure(COMMON + "access_type = \"cert\"\ncert_file_path = \"/c\"\n"
        + "key_file_path = \"/k\"\naccess_key = \"" + SECRET + "\"\n"));
  }

  @Test
  void requiredKeys_missing_areNamed_withTheEnvironmentAlternative() {
    assertEquals("access_type \"cert\" requires cert_file_path, key_file_path, which are missing",
        failure(COMMON + "access_type = \"cert\"\n"));
    assertEquals("access_type \"k8s\" requires k8s_auth_config_name, which is missing",
        failure(COMMON + "access_type = \"k8s\"\n"));
    assertEquals("access_type \"access_key\" requires access_id, access_key, akeyless_gateway_url, which are missing"
        + " (or set in the environment as AKEYLESS_ACCESS_ID, AKEYLESS_ACCESS_KEY, AKEYLESS_GATEWAY_URL)",
        failure("access_type = \"access_key\"\npki_cert_issuer_name = \"i\"\n"));
  }

  @Test
  void environment_fillsAbsentKeysOnly_andOnlyForTheAccessType() {
    Map<String, String> environment = Map.of("AKEYLESS_ACCESS_KEY", SECRET, "AKEYLESS_ACCESS_ID", "p-env",
        "AKEYLESS_GATEWAY_URL", "https://env-gw/api/v2");

    PluginConfig fromEnvironment = PluginConfig.parse("access_type = \"access_key\"\npki_cert_issuer_name = \"i\"\n",
        "example.org", environment);
    PluginConfig configWins = PluginConfig.parse(COMMON + "access_type = \"access_key\"\naccess_key = \"k\"\n",
        "example.org", environment);
    PluginConfig cert = PluginConfig.parse(COMMON + "access_type = \"cert\"\ncert_file_path = \"/c\"\n"
        + "key_file_path = \"/k\"\n", "example.org", environment);

    assertEquals(Optional.of(SECRET), fromEnvironment.accessKey());
    assertEquals("p-env", fromEnvironment.accessId());
    assertEquals(URI.create("https://env-gw/api/v2"), fromEnvironment.gatewayUrl());
    assertEquals(Optional.of("k"), configWins.accessKey());
    assertEquals("p-abc", configWins.accessId());
    assertEquals(Optional.empty(), cert.accessKey());
    assertFalse(fromEnvironment.toString().contains(SECRET));
  }

  @Test
  void types_stringsMustBeNonEmptyStrings() {
    assertEquals("access_id must be a quoted string, got a number",
        failure("access_type = \"gcp\"\naccess_id = 42\n"));
    assertEquals("access_id must be a quoted string, got a list",
        failure("access_type = \"gcp\"\naccess_id = [\"a\"]\n"));
    assertEquals("access_id must be a quoted string, got a block",
        failure("access_type = \"gcp\"\naccess_id { x = 1 }\n"));
    assertEquals("access_key must be a quoted string, got a bool", failure("access_key = true\n"));
    assertEquals("access_id must not be empty", failure("access_type = \"gcp\"\naccess_id = \"  \"\n"));
  }

  @Test
  void unquotedSecret_isASyntaxErrorThatDoesNotShowIt() {
    assertTrue(failure(COMMON + "access_type = \"access_key\"\naccess_key = " + SECRET + "\n")
        .startsWith("plugin_data: line 5, column 14: expected a value"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://gw/api/v2", "gw.example:8000", "https:///api/v2", "not a url",
      "https://user:pw@gw/api/v2", "https://gw/api/v2?x=1"})
  void gatewayUrl_mustBeHttpWithAHostOnly(String url) {
    assertTrue(failure("access_type = \"gcp\"\naccess_id = \"p\"\npki_cert_issuer_name = \"i\"\n"
        + "akeyless_gateway_url = \"" + url + "\"\n").startsWith("akeyless_gateway_url "));
  }

  @ParameterizedTest
  @CsvSource({"\"24h\", 86400", "\"1h30m\", 5400", "\"1.5h\", 5400", "\"90s\", 90", "3600, 3600", "\"3600\", 3600",
      "\"1500ms\", 1"})
  void maxTtl_goDurationOrSeconds(String value, long seconds) {
    PluginConfig config = parse(COMMON + "access_type = \"gcp\"\nmax_ttl = " + value + "\n");

    assertEquals(seconds, config.maxTtl().orElseThrow().toSeconds());
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"0s\"", "0", "\"-1h\"", "-5", "1.5", "\"10d\"", "\"h\"", "\"\"", "true",
      "\"3000000h\"", "4294967296"})
  void maxTtl_invalid(String value) {
    assertTrue(failure(COMMON + "access_type = \"gcp\"\nmax_ttl = " + value + "\n").startsWith("max_ttl "));
  }

  @Test
  void ttlFor_capsAtMaxTtl_andStandsInForZero() {
    PluginConfig capped = parse(COMMON + "access_type = \"gcp\"\nmax_ttl = \"1h\"\n");
    PluginConfig open = parse(COMMON + "access_type = \"gcp\"\n");

    assertEquals(Duration.ofHours(1), capped.ttlFor(Duration.ofDays(1)));
    assertEquals(Duration.ofMinutes(5), capped.ttlFor(Duration.ofMinutes(5)));
    assertEquals(Duration.ofHours(1), capped.ttlFor(Duration.ZERO));
    assertEquals(Duration.ofDays(1), open.ttlFor(Duration.ofDays(1)));
    assertEquals(Duration.ZERO, open.ttlFor(Duration.ZERO));
  }

  @Test
  void trustDomain_missingOrInvalid() {
    assertTrue(assertThrows(PluginConfigException.class, () -> PluginConfig.parse("", "", Map.of()))
        .getMessage().contains("no trust domain"));
    assertTrue(assertThrows(PluginConfigException.class, () -> PluginConfig.parse("", "Ex ample", Map.of()))
        .getMessage().startsWith("SPIRE's trust domain is invalid"));
  }

  @Test
  void json_sameRules() {
    PluginConfig config = parse("{\"akeyless_gateway_url\": \"https://gw/api/v2\", \"access_type\": \"k8s\","
        + " \"access_id\": \"p\", \"pki_cert_issuer_name\": \"i\", \"k8s_auth_config_name\": \"c\", \"max_ttl\": 60}");

    assertEquals(Optional.of("c"), config.k8sAuthConfigName());
    assertEquals(Optional.of(Duration.ofMinutes(1)), config.maxTtl());
  }
}
