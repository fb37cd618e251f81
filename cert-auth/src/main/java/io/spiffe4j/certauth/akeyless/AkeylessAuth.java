package io.spiffe4j.certauth.akeyless;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.internal.Pem;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * How an {@link AkeylessClient} proves who it is to Akeyless's {@code /auth}: an access key, a certificate, a
 * Kubernetes service account, or a GCP or Azure identity. Pick one with a static factory.
 *
 * <p>Certificate authentication uses challenge mode: the client fetches a challenge, the
 * {@link ClientCertificate}'s signer signs it, and only the certificate chain and the signature are sent; the
 * private key never leaves its signer. Only {@link #certificateSendingPrivateKey} sends the key itself.
 *
 * <p>Immutable and thread-safe as long as the signer and token suppliers are. {@link #toString()} shows the access
 * type and access ID, never a key or token.
 */
public final class AkeylessAuth {
  /** Performs the requests one authentication needs besides {@code /auth} itself. */
  @FunctionalInterface
  interface Exchange {
    ObjectNode post(ApiRequest request);
  }

  /** Adds the method's fields to the {@code /auth} body. */
  @FunctionalInterface
  private interface Method {
    void fill(ApiRequest auth, Exchange exchange);
  }

  private final String accessType;
  private final String accessId;
  private final String detail;
  private final Method method;

  private AkeylessAuth(String accessType, String accessId, String detail, Method method) {
    this.accessType = accessType;
    this.accessId = accessId;
    this.detail = detail;
    this.method = method;
  }

  /** Access key authentication ({@code access_key}). The key is a secret: load it from a file or vault, not code. */
  public static AkeylessAuth accessKey(String accessId, String accessKey) {
    return keyAuth("access_key", accessId, accessKey);
  }

  /**
   * The same as {@link #accessKey}, sent as access type {@code api_key}, the name the Terraform provider and the
   * External Secrets Operator use.
   */
  public static AkeylessAuth apiKey(String accessId, String accessKey) {
    return keyAuth("api_key", accessId, accessKey);
  }

  private static AkeylessAuth keyAuth(String accessType, String accessId, String accessKey) {
    String key = nonBlank(accessKey, "accessKey");
    return new AkeylessAuth(accessType, checkId(accessId), "", (auth, exchange) -> auth.putSecret("access-key", key));
  }

  /**
   * Certificate authentication in challenge mode: {@code /get-cert-challenge} with the certificate chain, the
   * certificate's signer signs the base64-decoded challenge, and {@code /auth} gets the chain, the challenge as
   * received and the signature in standard base64. The private key stays wherever the signer keeps it (this
   * process, a PKCS#11 token, a KMS).
   */
  public static AkeylessAuth certificate(String accessId, ClientCertificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    String id = checkId(accessId);
    return new AkeylessAuth("cert", id, ", challenge mode", (auth, exchange) -> {
      String challenge = CertChallenge.fetch(exchange, id, certificate.certData());
      auth.put("cert-data", certificate.certData())
          .put("cert-challenge", challenge)
          .putSecret("signed-cert-challenge", CertChallenge.sign(certificate, challenge));
    });
  }

  /**
   * Certificate authentication in key mode: <b>sends the private key</b> ({@code key-data}, base64 of its PKCS#8
   * PEM) to the Gateway or to Akeyless, which then holds a copy of it. Anyone who can read that request (a
   * TLS-terminating proxy, a debugging gateway, a log) can then impersonate this identity for as long as the
   * certificate is valid. Prefer {@link #certificate}, which proves possession of the key without sending it; use
   * this only where an auth method requires it.
   *
   * @param chain the client certificate first, then any intermediates the auth method needs
   * @throws IllegalArgumentException if the key cannot be exported (for example a hardware key)
   * @throws io.spiffe4j.certauth.CertAuthException if the key does not belong to the certificate, or as
   *     {@link ClientCertificate#of(List, PrivateKey)}
   */
  public static AkeylessAuth certificateSendingPrivateKey(String accessId, List<X509Certificate> chain,
      PrivateKey privateKey) {
    Objects.requireNonNull(privateKey, "privateKey");
    if (privateKey.getEncoded() == null) {
      throw new IllegalArgumentException("the private key cannot be exported; use certificate(...) with a signer");
    }
    String certData = ClientCertificate.of(chain, privateKey).certData();
    return new AkeylessAuth("cert", checkId(accessId), ", key mode", (auth, exchange) -> {
      String pem = Pem.encode("PRIVATE KEY", privateKey.getEncoded());
      auth.put("cert-data", certData)
          .putSecret("key-data", Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII)), pem);
    });
  }

  /** Kubernetes authentication with the pod's service-account token from its default path. */
  public static AkeylessAuth kubernetes(String accessId, String authConfigName) {
    return kubernetes(accessId, authConfigName, KubernetesServiceAccountToken.fromDefaultPath());
  }

  /**
   * Kubernetes authentication: the service-account token is sent base64-encoded; the Gateway verifies it with the
   * named Kubernetes auth config.
   */
  public static AkeylessAuth kubernetes(String accessId, String authConfigName,
      IdentityTokenSupplier serviceAccountToken) {
    return kubernetes(accessId, authConfigName, serviceAccountToken, null);
  }

  /**
   * The same, naming the Gateway that holds the Kubernetes auth config ({@code gateway-url}), for when the call
   * does not go through that Gateway itself (for example against Akeyless SaaS).
   */
  public static AkeylessAuth kubernetes(String accessId, String authConfigName,
      IdentityTokenSupplier serviceAccountToken, String gatewayUrl) {
    String config = nonBlank(authConfigName, "authConfigName");
    Objects.requireNonNull(serviceAccountToken, "serviceAccountToken");
    if (gatewayUrl != null) {
      nonBlank(gatewayUrl, "gatewayUrl");
    }
    return new AkeylessAuth("k8s", checkId(accessId), ", config " + config, (auth, exchange) -> {
      String token = fetch(serviceAccountToken, "the Kubernetes service-account token");
      auth.put("k8s-auth-config-name", config)
          .putSecret("k8s-service-account-token", base64(token), token);
      if (gatewayUrl != null) {
        auth.put("gateway-url", gatewayUrl);
      }
    });
  }

  /** GCP authentication with an ID token for audience {@code akeyless.io} from the GCE metadata server. */
  public static AkeylessAuth gcp(String accessId) {
    return gcp(accessId, GcpIdentityToken.DEFAULT_AUDIENCE);
  }

  /**
   * GCP authentication with an ID token for {@code audience} from the GCE metadata server ({@link
   * GcpIdentityToken#forAudience(String)}: the one {@code GCE_METADATA_HOST} names, if set).
   */
  public static AkeylessAuth gcp(String accessId, String audience) {
    return gcp(accessId, audience, GcpIdentityToken.forAudience(audience));
  }

  /**
   * GCP authentication: {@code cloud-id} is the base64 of the ID token, which must be for {@code audience}, the
   * audience the auth method expects (sent as {@code gcp-audience}).
   */
  public static AkeylessAuth gcp(String accessId, String audience, IdentityTokenSupplier idToken) {
    String aud = nonBlank(audience, "audience");
    Objects.requireNonNull(idToken, "idToken");
    return new AkeylessAuth("gcp", checkId(accessId), ", audience " + aud, (auth, exchange) -> {
      String token = fetch(idToken, "the GCP ID token");
      auth.putSecret("cloud-id", base64(token), token).put("gcp-audience", aud);
    });
  }

  /**
   * Azure AD authentication with a managed-identity token from IMDS ({@link AzureManagedIdentityToken#forManagement()}:
   * the address {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} names, if set).
   */
  public static AkeylessAuth azureAd(String accessId) {
    return azureAd(accessId, AzureManagedIdentityToken.forManagement());
  }

  /**
   * Azure AD authentication: {@code cloud-id} is the base64 of an access token for
   * {@value AzureManagedIdentityToken#MANAGEMENT_RESOURCE}.
   */
  public static AkeylessAuth azureAd(String accessId, IdentityTokenSupplier accessToken) {
    Objects.requireNonNull(accessToken, "accessToken");
    return new AkeylessAuth("azure_ad", checkId(accessId), "", (auth, exchange) -> {
      String token = fetch(accessToken, "the Azure access token");
      auth.putSecret("cloud-id", base64(token), token);
    });
  }

  /** The access type sent, for example {@code access_key} or {@code cert}. */
  public String accessType() {
    return accessType;
  }

  public String accessId() {
    return accessId;
  }

  /** The {@code /auth} request, after whatever exchange the method needs first. */
  ApiRequest authRequest(Exchange exchange) {
    ApiRequest auth = new ApiRequest("auth").put("access-type", accessType).put("access-id", accessId);
    method.fill(auth, exchange);
    return auth;
  }

  private static String fetch(IdentityTokenSupplier supplier, String what) {
    String token;
    try {
      token = supplier.fetchToken();
    } catch (AkeylessException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new AkeylessException(Kind.CREDENTIALS, "auth", what + " could not be obtained", e);
    }
    if (token == null || token.isBlank()) {
      throw new AkeylessException(Kind.CREDENTIALS, "auth", what + " is empty");
    }
    return token.trim();
  }

  private static String base64(String token) {
    return Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  private static String checkId(String accessId) {
    return nonBlank(accessId, "accessId");
  }

  private static String nonBlank(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  @Override
  public String toString() {
    return "AkeylessAuth[" + accessType + ", access-id " + accessId + detail + "]";
  }
}
