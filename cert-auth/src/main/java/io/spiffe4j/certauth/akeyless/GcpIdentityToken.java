package io.spiffe4j.certauth.akeyless;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * A GCP ID token for an audience, from the GCE metadata server's identity endpoint ({@code format=full}, header
 * {@code Metadata-Flavor: Google}), as GCE, GKE (with Workload Identity), Cloud Run and Cloud Functions serve it.
 * A fresh token is fetched on every authentication.
 *
 * <p>The default metadata server is {@value #METADATA_HOST_VARIABLE} ({@code host[:port]}, reached over plain
 * http) when that environment variable is set and not empty, as Google's own libraries (google-auth-library,
 * {@code cloud.google.com/go/compute/metadata}) read it; otherwise {@link #DEFAULT_METADATA_URL}.
 *
 * <p>Immutable and thread-safe; {@link #toString()} never shows a token.
 */
public final class GcpIdentityToken implements IdentityTokenSupplier {
  /** The metadata server's usual address. */
  public static final URI DEFAULT_METADATA_URL = URI.create("http://metadata.google.internal");
  /** The audience Akeyless's GCP authentication expects unless its auth method says otherwise. */
  public static final String DEFAULT_AUDIENCE = "akeyless.io";
  /** The environment variable that moves the default metadata server: {@code host[:port]}, no scheme. */
  public static final String METADATA_HOST_VARIABLE = "GCE_METADATA_HOST";

  private static final String IDENTITY_PATH = "/computeMetadata/v1/instance/service-accounts/default/identity";

  private final URI metadataUrl;
  private final String audience;

  private GcpIdentityToken(URI metadataUrl, String audience) {
    this.metadataUrl = metadataUrl;
    this.audience = audience;
  }

  /**
   * A token for {@code audience} from the metadata server {@value #METADATA_HOST_VARIABLE} names in this process's
   * environment, else from {@link #DEFAULT_METADATA_URL}.
   *
   * @throws AkeylessException of kind INVALID_INPUT if {@value #METADATA_HOST_VARIABLE} is not a {@code host[:port]}
   */
  public static GcpIdentityToken forAudience(String audience) {
    return forAudience(audience, System::getenv);
  }

  /**
   * The same, reading {@value #METADATA_HOST_VARIABLE} from {@code environment} (a variable's value, or null when
   * unset), for example {@code Map::get} in a test.
   *
   * @throws AkeylessException of kind INVALID_INPUT if {@value #METADATA_HOST_VARIABLE} is not a {@code host[:port]}
   */
  public static GcpIdentityToken forAudience(String audience, Function<String, String> environment) {
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(environment, "environment");
    if (audience.isBlank()) {
      throw new IllegalArgumentException("audience must not be blank");
    }
    return new GcpIdentityToken(MetadataFetch.fromEnvironment(environment, METADATA_HOST_VARIABLE, "http://", true,
        "the metadata server's host[:port]", DEFAULT_METADATA_URL), audience);
  }

  /**
   * The same, from another metadata server (an emulator, or a test), whatever the environment says.
   *
   * @throws IllegalArgumentException if the URL is not http(s) with a host, or has a query
   */
  public GcpIdentityToken withMetadataUrl(URI metadataUrl) {
    return new GcpIdentityToken(MetadataFetch.baseUrl(Objects.requireNonNull(metadataUrl, "metadataUrl"),
        "the metadata server"), audience);
  }

  public String audience() {
    return audience;
  }

  /** @throws AkeylessException of kind CREDENTIALS if the metadata server cannot be reached or refuses */
  @Override
  public String fetchToken() {
    URI uri = URI.create(metadataUrl + IDENTITY_PATH + "?audience="
        + URLEncoder.encode(audience, StandardCharsets.UTF_8) + "&format=full");
    String token = new String(MetadataFetch.get(uri, "Metadata-Flavor", "Google", "the GCE metadata server"),
        StandardCharsets.UTF_8).trim();
    if (token.isEmpty()) {
      throw MetadataFetch.credentials("the GCE metadata server answered with an empty ID token", null);
    }
    return token;
  }

  @Override
  public String toString() {
    return "GcpIdentityToken[audience=" + audience + ", metadata=" + metadataUrl + "]";
  }
}
