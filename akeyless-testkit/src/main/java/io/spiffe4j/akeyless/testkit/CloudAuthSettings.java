package io.spiffe4j.akeyless.testkit;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A Kubernetes, GCP or Azure AD auth method: the JWT the client presents (base64-decoded from
 * {@code k8s-service-account-token} or {@code cloud-id}) must be signed by a key of the configured
 * {@link TestIdentityProvider}, carry the configured issuer and audience, be within its {@code nbf}/{@code exp}
 * window at the gateway's clock ({@code exp} is required, no leeway), and meet the kind's bounds:
 *
 * <ul>
 *   <li>Kubernetes (TokenReview-like): {@code sub} is {@code system:serviceaccount:<namespace>:<name>}, the request's
 *       {@code k8s-auth-config-name} names this method's config, and namespace and service account name are among
 *       the bound ones when any are set. Legacy tokens without {@code exp} are refused.
 *   <li>GCP: the audience defaults to {@value #GCP_AUDIENCE}; the issuer to {@value #GCP_ISSUER} (the bare
 *       {@code accounts.google.com} is accepted too, as Google issues both); the {@code email} claim must be a bound
 *       service account when any are set. The request's {@code gcp-audience} is not consulted, since Akeyless's
 *       SDK always sends its default.
 *   <li>Azure AD: audience {@value #AZURE_AUDIENCE}, issuer {@code https://sts.windows.net/<tenant>/}, a {@code tid}
 *       claim, when present, equal to the tenant, and the {@code oid} claim among the bound object IDs when any are
 *       set.
 * </ul>
 *
 * Immutable and thread-safe.
 */
public final class CloudAuthSettings {
  public static final String KUBERNETES_ISSUER = "https://kubernetes.default.svc.cluster.local";
  public static final String KUBERNETES_AUDIENCE = "https://kubernetes.default.svc.cluster.local";
  public static final String GCP_ISSUER = "https://accounts.google.com";
  public static final String GCP_AUDIENCE = "akeyless.io";
  public static final String AZURE_AUDIENCE = "https://management.azure.com/";

  /** The kind of cloud identity, with its {@code access-type}. */
  public enum Kind {
    KUBERNETES("k8s"),
    GCP("gcp"),
    AZURE_AD("azure_ad");

    private final String accessType;

    Kind(String accessType) {
      this.accessType = accessType;
    }

    /** The {@code access-type} a client sends for this kind. */
    public String accessType() {
      return accessType;
    }
  }

  private final Kind kind;
  private final String name;
  private final TestIdentityProvider keys;
  private final String issuer;
  private final String audience;
  private final String configName;
  private final String tenantId;
  private final Set<String> boundNamespaces;
  private final Set<String> boundServiceAccountNames;
  private final Set<String> boundServiceAccounts;
  private final Set<String> boundObjectIds;
  private final Instant accessExpires;

  private CloudAuthSettings(Builder builder) {
    this.kind = builder.kind;
    this.name = builder.name;
    this.keys = builder.keys;
    this.issuer = builder.issuer;
    this.audience = builder.audience;
    this.configName = builder.configName;
    this.tenantId = builder.tenantId;
    this.boundNamespaces = builder.boundNamespaces;
    this.boundServiceAccountNames = builder.boundServiceAccountNames;
    this.boundServiceAccounts = builder.boundServiceAccounts;
    this.boundObjectIds = builder.boundObjectIds;
    this.accessExpires = builder.accessExpires;
  }

  /**
   * A Kubernetes auth method whose config is named {@code configName} (the request's {@code k8s-auth-config-name}),
   * trusting tokens signed by {@code keys}; issuer and audience default to {@value #KUBERNETES_ISSUER}.
   */
  public static Builder kubernetes(String name, String configName, TestIdentityProvider keys) {
    Builder builder = new Builder(Kind.KUBERNETES, name, keys, KUBERNETES_ISSUER, KUBERNETES_AUDIENCE);
    builder.configName = Objects.requireNonNull(configName, "configName");
    return builder;
  }

  /** A GCP auth method trusting ID tokens signed by {@code keys}. */
  public static Builder gcp(String name, TestIdentityProvider keys) {
    return new Builder(Kind.GCP, name, keys, GCP_ISSUER, GCP_AUDIENCE);
  }

  /** An Azure AD auth method for the tenant, trusting access tokens signed by {@code keys}. */
  public static Builder azureAd(String name, String tenantId, TestIdentityProvider keys) {
    Objects.requireNonNull(tenantId, "tenantId");
    Builder builder = new Builder(Kind.AZURE_AD, name, keys, azureIssuer(tenantId), AZURE_AUDIENCE);
    builder.tenantId = tenantId;
    return builder;
  }

  /** The issuer of Azure AD (v1) access tokens for a tenant: {@code https://sts.windows.net/<tenant>/}. */
  public static String azureIssuer(String tenantId) {
    return "https://sts.windows.net/" + Objects.requireNonNull(tenantId, "tenantId") + "/";
  }

  public Kind kind() {
    return kind;
  }

  public String name() {
    return name;
  }

  TestIdentityProvider keys() {
    return keys;
  }

  String issuer() {
    return issuer;
  }

  String audience() {
    return audience;
  }

  String configName() {
    return configName;
  }

  String tenantId() {
    return tenantId;
  }

  Set<String> boundNamespaces() {
    return boundNamespaces;
  }

  Set<String> boundServiceAccountNames() {
    return boundServiceAccountNames;
  }

  Set<String> boundServiceAccounts() {
    return boundServiceAccounts;
  }

  Set<String> boundObjectIds() {
    return boundObjectIds;
  }

  Instant accessExpires() {
    return accessExpires;
  }

  @Override
  public String toString() {
    return "CloudAuthSettings[" + kind + " " + name + "]";
  }

  /** Collects the settings. Not thread-safe. */
  public static final class Builder {
    private final Kind kind;
    private final String name;
    private final TestIdentityProvider keys;
    private String issuer;
    private String audience;
    private String configName;
    private String tenantId;
    private Set<String> boundNamespaces = Set.of();
    private Set<String> boundServiceAccountNames = Set.of();
    private Set<String> boundServiceAccounts = Set.of();
    private Set<String> boundObjectIds = Set.of();
    private Instant accessExpires;

    private Builder(Kind kind, String name, TestIdentityProvider keys, String issuer, String audience) {
      this.kind = kind;
      this.name = AkeylessGateway.checkName(name);
      this.keys = Objects.requireNonNull(keys, "keys");
      this.issuer = issuer;
      this.audience = audience;
    }

    /** The {@code iss} a token must carry exactly. */
    public Builder issuer(String issuer) {
      this.issuer = Objects.requireNonNull(issuer, "issuer");
      return this;
    }

    /** The value the token's {@code aud} must contain. */
    public Builder audience(String audience) {
      this.audience = Objects.requireNonNull(audience, "audience");
      return this;
    }

    /** Kubernetes only: the namespaces a service account may be in. */
    public Builder boundNamespaces(String... namespaces) {
      this.boundNamespaces = only(Kind.KUBERNETES, namespaces);
      return this;
    }

    /** Kubernetes only: the service account names allowed. */
    public Builder boundServiceAccountNames(String... names) {
      this.boundServiceAccountNames = only(Kind.KUBERNETES, names);
      return this;
    }

    /** GCP only: the service account emails (the {@code email} claim) allowed. */
    public Builder boundServiceAccounts(String... emails) {
      this.boundServiceAccounts = only(Kind.GCP, emails);
      return this;
    }

    /** Azure AD only: the object IDs (the {@code oid} claim) allowed. */
    public Builder boundObjectIds(String... objectIds) {
      this.boundObjectIds = only(Kind.AZURE_AD, objectIds);
      return this;
    }

    /** From this instant on, {@code /auth} refuses the method; null (the default) means never. */
    public Builder accessExpires(Instant accessExpires) {
      this.accessExpires = accessExpires;
      return this;
    }

    public CloudAuthSettings build() {
      return new CloudAuthSettings(this);
    }

    private Set<String> only(Kind required, String[] values) {
      if (kind != required) {
        throw new IllegalArgumentException("this bound applies to " + required + " auth methods only");
      }
      List<String> list = Arrays.asList(Objects.requireNonNull(values, "values"));
      list.forEach(value -> Objects.requireNonNull(value, "value"));
      return Set.copyOf(list);
    }
  }
}
