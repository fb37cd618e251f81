package io.spiffe4j.certauth.akeyless;

/**
 * Supplies the identity token a cloud or Kubernetes authentication sends to Akeyless: a Kubernetes service-account
 * token ({@link KubernetesServiceAccountToken}), a GCP ID token ({@link GcpIdentityToken}) or an Azure access token
 * ({@link AzureManagedIdentityToken}). Implement it to bring a token from elsewhere, for example a credentials
 * library or a test.
 *
 * <p>Called once per authentication, on the authenticating thread. Implementations are thread-safe and never put
 * the token into an exception message or {@code toString()}.
 */
@FunctionalInterface
public interface IdentityTokenSupplier {

  /**
   * The current token exactly as its issuer gave it (a JWT), not base64-encoded: the client encodes it as the API
   * expects.
   *
   * @throws AkeylessException of kind {@link AkeylessException.Kind#CREDENTIALS} if no token can be had; any other
   *     runtime exception is wrapped into one
   */
  String fetchToken();
}
