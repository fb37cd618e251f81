package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.spiffe4j.certauth.SuiteSecrets;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} moves the default IMDS address, as azure-identity lets it. */
class AzureManagedIdentityTokenEnvironmentTest {
  private static final String TOKEN = SuiteSecrets.bearerToken("stub identity token", "eyJIMDSHOSTSECRET.payload.sig");

  private static AzureManagedIdentityToken withHost(String value) {
    return AzureManagedIdentityToken.forManagement(Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", value)::get);
  }

  @Test
  void absentOrEmpty_isTheLinkLocalImds() {
    assertEquals("AzureManagedIdentityToken[imds=http://169.254.169.254]",
        AzureManagedIdentityToken.forManagement(Map.<String, String>of()::get).toString());
    assertEquals("AzureManagedIdentityToken[imds=http://169.254.169.254]", withHost("").toString());
  }

  @Test
  void baseUrl_isAsked_withTheMetadataHeader_forTheManagementResource() {
    try (StubMetadata imds = new StubMetadata(exchange -> {
      assertEquals("true", exchange.getRequestHeaders().getFirst("Metadata"));
      return "{\"access_token\":\"" + TOKEN + "\",\"token_type\":\"Bearer\"}";
    })) {
      AzureManagedIdentityToken supplier = withHost(imds.url() + "/").withObjectId("oid-7");

      assertEquals(TOKEN, supplier.fetchToken());
      assertEquals("/metadata/identity/oauth2/token", imds.lastPath());
      assertEquals("api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F&object_id=oid-7",
          imds.lastQuery());
    }
  }

  @Test
  void anExplicitImdsUrl_winsOverTheEnvironment() {
    assertEquals("AzureManagedIdentityToken[imds=http://127.0.0.2:2]",
        withHost("http://127.0.0.1:1").withImdsUrl(URI.create("http://127.0.0.2:2")).toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"127.0.0.1:8080", "localhost:8080", "ftp://127.0.0.1", "http://127.0.0.1/?x=1",
      "http://user@127.0.0.1", "http:///path", "http://bad host"})
  void malformed_isInvalidInput_namingTheVariableAndValue(String value) {
    AkeylessException e = assertThrows(AkeylessException.class, () -> withHost(value));

    assertEquals(AkeylessException.Kind.INVALID_INPUT, e.kind());
    assertEquals("akeyless auth: environment variable AZURE_POD_IDENTITY_AUTHORITY_HOST must be an "
        + "http(s)://host[:port] URL without query, was '" + value + "' [INVALID_INPUT]", e.getMessage());
  }
}
