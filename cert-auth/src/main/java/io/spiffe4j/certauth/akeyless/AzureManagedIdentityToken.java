package io.spiffe4j.certauth.akeyless;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * An Azure AD access token for Azure Resource Manager ({@value #MANAGEMENT_RESOURCE}) from the Azure Instance
 * Metadata Service (IMDS, header {@code Metadata: true}), as a VM, VM scale set or AKS pod with a managed identity
 * gets it. With {@link #withObjectId}, the token is for that user-assigned identity. A fresh token is fetched on
 * every authentication.
 *
 * <p>The default IMDS address is {@value #IMDS_HOST_VARIABLE} (an {@code http(s)://host[:port]} base URL) when that
 * environment variable is set and not empty, as Azure's own azure-identity libraries read it (AAD Pod Identity sets
 * it); otherwise {@link #DEFAULT_IMDS_URL}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows a token.
 */
public final class AzureManagedIdentityToken implements IdentityTokenSupplier {
  /** IMDS's link-local address. */
  public static final URI DEFAULT_IMDS_URL = URI.create("http://169.254.169.254");
  /** The resource Akeyless's Azure AD authentication checks as the token's audience. */
  public static final String MANAGEMENT_RESOURCE = "https://management.azure.com/";
  /** The environment variable that moves the default IMDS address: an {@code http(s)://host[:port]} base URL. */
  public static final String IMDS_HOST_VARIABLE = "AZURE_POD_IDENTITY_AUTHORITY_HOST";

  private static final String TOKEN_PATH = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=";

  private final URI imdsUrl;
  private final String objectId;

  private AzureManagedIdentityToken(URI imdsUrl, String objectId) {
    this.imdsUrl = imdsUrl;
    this.objectId = objectId;
  }

  /**
   * A token of the system-assigned (or only) managed identity, from the IMDS address {@value #IMDS_HOST_VARIABLE}
   * names in this process's environment, else from {@link #DEFAULT_IMDS_URL}.
   *
   * @throws AkeylessException of kind INVALID_INPUT if {@value #IMDS_HOST_VARIABLE} is not an http(s) base URL
   */
  public static AzureManagedIdentityToken forManagement() {
    return forManagement(System::getenv);
  }

  /**
   * The same, reading {@value #IMDS_HOST_VARIABLE} from {@code environment} (a variable's value, or null when
   * unset), for example {@code Map::get} in a test.
   *
   * @throws AkeylessException of kind INVALID_INPUT if {@value #IMDS_HOST_VARIABLE} is not an http(s) base URL
   */
  public static AzureManagedIdentityToken forManagement(Function<String, String> environment) {
    Objects.requireNonNull(environment, "environment");
    return new AzureManagedIdentityToken(MetadataFetch.fromEnvironment(environment, IMDS_HOST_VARIABLE, "", false,
        "an http(s)://host[:port] URL without query", DEFAULT_IMDS_URL), null);
  }

  /** The same for the user-assigned identity with this object ID ({@code object_id} in the IMDS query). */
  public AzureManagedIdentityToken withObjectId(String objectId) {
    Objects.requireNonNull(objectId, "objectId");
    if (objectId.isBlank()) {
      throw new IllegalArgumentException("objectId must not be blank");
    }
    return new AzureManagedIdentityToken(imdsUrl, objectId);
  }

  /**
   * The same, from another IMDS address (an emulator, or a test), whatever the environment says.
   *
   * @throws IllegalArgumentException if the URL is not http(s) with a host, or has a query
   */
  public AzureManagedIdentityToken withImdsUrl(URI imdsUrl) {
    return new AzureManagedIdentityToken(MetadataFetch.baseUrl(Objects.requireNonNull(imdsUrl, "imdsUrl"), "IMDS"),
        objectId);
  }

  public Optional<String> objectId() {
    return Optional.ofNullable(objectId);
  }

  /** @throws AkeylessException of kind CREDENTIALS if IMDS cannot be reached, refuses, or sends no token */
  @Override
  public String fetchToken() {
    String query = TOKEN_PATH + URLEncoder.encode(MANAGEMENT_RESOURCE, StandardCharsets.UTF_8)
        + (objectId == null ? "" : "&object_id=" + URLEncoder.encode(objectId, StandardCharsets.UTF_8));
    byte[] answer = MetadataFetch.get(URI.create(imdsUrl + query), "Metadata", "true", "Azure IMDS");
    return ApiResponses.object(answer)
        .flatMap(json -> ApiResponses.optionalText(json, "access_token"))
        .orElseThrow(() -> MetadataFetch.credentials("Azure IMDS answered without an access_token", null));
  }

  @Override
  public String toString() {
    return "AzureManagedIdentityToken[imds=" + imdsUrl + (objectId == null ? "" : ", objectId=" + objectId) + "]";
  }
}
