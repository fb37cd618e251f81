package io.spiffe4j.upstream.akeyless.spire;

import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthorityException;
import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.akeyless.AkeylessAuth;
import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.certauth.akeyless.AzureManagedIdentityToken;
import io.spiffe4j.certauth.akeyless.GcpIdentityToken;
import io.spiffe4j.certauth.akeyless.RetryPolicy;
import io.spiffe4j.upstream.akeyless.AkeylessUpstreamAuthority;
import java.time.Duration;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The plugin's {@link UpstreamFactory}: an {@link AkeylessUpstreamAuthority} for the configured gateway, access type
 * and issuer, which has authenticated once, so that SPIRE's {@code Configure} fails on wrong credentials.
 */
final class AkeylessUpstreams {
  static final Duration SPIRE_REQUEST_TIMEOUT = Duration.ofSeconds(8);
  static final RetryPolicy SPIRE_RETRIES = RetryPolicy.builder().totalBudget(Duration.ofSeconds(20)).build();

  private AkeylessUpstreams() {
  }

  /**
   * Builds the upstream and authenticates once.
   *
   * @throws io.spiffe4j.SpiffeException if a key or certificate file or the CA bundle cannot be used (the plugin
   *     answers INVALID_ARGUMENT); {@link UpstreamAuthorityException} naming the gateway URL and access ID if
   *     Akeyless refuses the credentials or cannot be reached
   */
  static UpstreamAuthority create(PluginConfig config) {
    return create(config, System::getenv);
  }

  /**
   * The same, with the cloud metadata overrides ({@code GCE_METADATA_HOST}, {@code AZURE_POD_IDENTITY_AUTHORITY_HOST})
   * read from {@code environment} instead of the process's, so that tests can point gcp and azure_ad elsewhere.
   */
  static UpstreamAuthority create(PluginConfig config, Function<String, String> environment) {
    // A failed first mint stops spire-server, and SPIRE sets no deadline of its own: a few tries, about 20 s in all,
    // then the gateway's error, so an operator sees the cause instead of a server that seems to hang.
    AkeylessClient.Builder client = AkeylessClient.builder(config.gatewayUrl().toString(), auth(config, environment))
        .requestTimeout(SPIRE_REQUEST_TIMEOUT)
        .retryPolicy(SPIRE_RETRIES);
    config.customCaBundle().ifPresent(client::caBundle);
    AkeylessUpstreamAuthority upstream =
        AkeylessUpstreamAuthority.builder(client.build(), config.pkiCertIssuerName()).build();
    try {
      upstream.authenticate();
      return upstream;
    } catch (UpstreamAuthorityException e) {
      upstream.close();
      // The client's message names the operation, not the gateway or identity; spire-server's log shows only this.
      throw new UpstreamAuthorityException(e.kind(), "authenticating to the Akeyless gateway " + config.gatewayUrl()
          + " with access ID " + config.accessId() + " (" + config.accessType().wireName() + ") failed: "
          + e.getMessage(), e);
    } catch (RuntimeException e) {
      upstream.close();
      throw e;
    }
  }

  private static AkeylessAuth auth(PluginConfig config, Function<String, String> environment) {
    String accessId = config.accessId();
    switch (config.accessType()) {
      case ACCESS_KEY:
        return AkeylessAuth.accessKey(accessId, config.accessKey().orElseThrow());
      case API_KEY:
        return AkeylessAuth.apiKey(accessId, config.accessKey().orElseThrow());
      case CERT:
        return AkeylessAuth.certificate(accessId, clientCertificate(config));
      case K8S:
        return AkeylessAuth.kubernetes(accessId, config.k8sAuthConfigName().orElseThrow());
      case GCP:
        String audience = config.gcpAudience().orElse(GcpIdentityToken.DEFAULT_AUDIENCE);
        return AkeylessAuth.gcp(accessId, audience, GcpIdentityToken.forAudience(audience, environment));
      case AZURE_AD:
        AzureManagedIdentityToken token = AzureManagedIdentityToken.forManagement(environment);
        return AkeylessAuth.azureAd(accessId,
            config.azureObjectId().map(token::withObjectId).orElse(token));
      default:
        throw new AssertionError(config.accessType());
    }
  }

  /** The client certificate and its key's signer (challenge mode: the key never leaves this process). */
  private static ClientCertificate clientCertificate(PluginConfig config) {
    char[] password = config.keyPassword().map(String::toCharArray).orElse(null);
    try {
      return ClientCertificate.fromFiles(config.certFile().orElseThrow(), config.keyFile().orElseThrow(), password);
    } finally {
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }
}
