package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.SuiteSecrets;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code GCE_METADATA_HOST} moves the default metadata server, as Google's libraries let it. */
class GcpIdentityTokenEnvironmentTest {
  private static final String TOKEN = SuiteSecrets.bearerToken("stub identity token", "eyJGCEHOSTSECRET.payload.sig");

  private static GcpIdentityToken withHost(String value) {
    return GcpIdentityToken.forAudience("akeyless.io", Map.of("GCE_METADATA_HOST", value)::get);
  }

  @Test
  void absentOrEmpty_isTheUsualMetadataServer() {
    assertEquals("GcpIdentityToken[audience=akeyless.io, metadata=http://metadata.google.internal]",
        GcpIdentityToken.forAudience("akeyless.io", Map.<String, String>of()::get).toString());
    assertEquals("GcpIdentityToken[audience=akeyless.io, metadata=http://metadata.google.internal]",
        withHost("").toString());
  }

  @Test
  void hostAndPort_isAskedOverHttp_withTheMetadataFlavorHeader() {
    try (StubMetadata metadata = new StubMetadata(exchange -> {
      assertEquals("Google", exchange.getRequestHeaders().getFirst("Metadata-Flavor"));
      return TOKEN + "\n";
    })) {
      GcpIdentityToken supplier = withHost("127.0.0.1:" + metadata.url().getPort());

      assertEquals(TOKEN, supplier.fetchToken());
      assertEquals("/computeMetadata/v1/instance/service-accounts/default/identity", metadata.lastPath());
      assertEquals("audience=akeyless.io&format=full", metadata.lastQuery());
    }
  }

  @Test
  void bareHostAndIpv6Literal_areAccepted() {
    assertTrue(withHost("metadata.internal.example").toString().endsWith("metadata=http://metadata.internal.example]"));
    assertTrue(withHost("[::1]:8080").toString().endsWith("metadata=http://[::1]:8080]"));
  }

  @Test
  void anExplicitMetadataUrl_winsOverTheEnvironment() {
    assertTrue(withHost("127.0.0.1:1").withMetadataUrl(URI.create("http://127.0.0.2:2")).toString()
        .endsWith("metadata=http://127.0.0.2:2]"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"http://127.0.0.1:8080", "127.0.0.1:8080/computeMetadata", "host:port", "two words",
      " ", "user@127.0.0.1", "127.0.0.1?x=1", "127.0.0.1#f"})
  void malformed_isInvalidInput_namingTheVariableAndValue(String value) {
    AkeylessException e = assertThrows(AkeylessException.class, () -> withHost(value));

    assertEquals(AkeylessException.Kind.INVALID_INPUT, e.kind());
    assertEquals("akeyless auth: environment variable GCE_METADATA_HOST must be the metadata server's host[:port], "
        + "was '" + value.trim() + "' [INVALID_INPUT]", e.getMessage());
  }
}
