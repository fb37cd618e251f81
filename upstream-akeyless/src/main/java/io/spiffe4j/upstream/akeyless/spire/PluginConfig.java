package io.spiffe4j.upstream.akeyless.spire;

import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.TrustDomain;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The plugin's configuration: the trust domain SPIRE passes and the keys of {@code plugin_data}, validated for the
 * chosen {@code access_type}.
 *
 * <table>
 * <caption>plugin_data keys</caption>
 * <tr><th>key</th><th>required</th><th>meaning</th></tr>
 * <tr><td>{@code akeyless_gateway_url}</td><td>always</td><td>the Gateway's API, {@code http(s)://host[:port][/path]}</td></tr>
 * <tr><td>{@code access_type}</td><td>always</td><td>{@code access_key} (or its alias {@code api_key}),
 *     {@code cert}, {@code k8s}, {@code gcp}, {@code azure_ad}</td></tr>
 * <tr><td>{@code access_id}</td><td>always</td><td>the auth method's access ID</td></tr>
 * <tr><td>{@code pki_cert_issuer_name}</td><td>always</td><td>the PKI certificate issuer that signs SPIRE's CA</td></tr>
 * <tr><td>{@code access_key}</td><td>access_key, api_key</td><td>the API key (secret)</td></tr>
 * <tr><td>{@code cert_file_path}, {@code key_file_path}</td><td>cert</td><td>the client certificate and its key</td></tr>
 * <tr><td>{@code key_password}</td><td>optional, cert</td><td>the key file's password (secret)</td></tr>
 * <tr><td>{@code k8s_auth_config_name}</td><td>k8s</td><td>the Gateway's Kubernetes auth config</td></tr>
 * <tr><td>{@code gcp_audience}</td><td>optional, gcp</td><td>the identity token's audience</td></tr>
 * <tr><td>{@code azure_object_id}</td><td>optional, azure_ad</td><td>the managed identity's object ID</td></tr>
 * <tr><td>{@code custom_ca_bundle}</td><td>optional</td><td>a PEM file of CAs trusted for the Gateway's TLS</td></tr>
 * <tr><td>{@code max_ttl}</td><td>optional</td><td>the longest CA lifetime asked for: a Go duration string
 *     ({@code "24h"}, {@code "90m"}) or whole seconds</td></tr>
 * </table>
 *
 * <p>A key of another access type (say {@code access_key} with {@code access_type = "cert"}) and an unknown key are
 * errors, and so is the AWS IAM access type (out of scope). Environment fallbacks, read only where the key is absent
 * from {@code plugin_data} and used by the access type: {@code AKEYLESS_GATEWAY_URL}, {@code AKEYLESS_ACCESS_ID},
 * {@code AKEYLESS_ACCESS_KEY} (the names Akeyless's own SPIRE plugins read), so the API key can stay out of
 * {@code server.conf}.
 *
 * <p>{@link #toString()} shows every value but {@code access_key} and {@code key_password}. Immutable and thread-safe.
 */
final class PluginConfig {
  /** How the plugin authenticates to Akeyless; {@link #wireName()} is the {@code access_type} value. */
  enum AccessType {
    ACCESS_KEY("access_key", Set.of("access_key"), Set.of()),
    API_KEY("api_key", Set.of("access_key"), Set.of()),
    CERT("cert", Set.of("cert_file_path", "key_file_path"), Set.of("key_password")),
    K8S("k8s", Set.of("k8s_auth_config_name"), Set.of()),
    GCP("gcp", Set.of(), Set.of("gcp_audience")),
    AZURE_AD("azure_ad", Set.of(), Set.of("azure_object_id"));

    private final String wireName;
    private final Set<String> required;
    private final Set<String> optional;

    AccessType(String wireName, Set<String> required, Set<String> optional) {
      this.wireName = wireName;
      this.required = required;
      this.optional = optional;
    }

    String wireName() {
      return wireName;
    }

    static AccessType of(String wireName) {
      for (AccessType type : values()) {
        if (type.wireName.equals(wireName)) {
          return type;
        }
      }
      if ("aws_iam".equals(wireName)) {
        throw new PluginConfigException("access_type \"aws_iam\" is not supported by this plugin; use one of "
            + wireNames());
      }
      throw new PluginConfigException("access_type must be one of " + wireNames());
    }

    private static String wireNames() {
      return EnumSet.allOf(AccessType.class).stream().map(AccessType::wireName).collect(Collectors.joining(", "));
    }
  }

  static final String GATEWAY_URL = "akeyless_gateway_url";
  static final String ACCESS_TYPE = "access_type";
  static final String ACCESS_ID = "access_id";
  static final String ACCESS_KEY = "access_key";
  static final String PKI_CERT_ISSUER_NAME = "pki_cert_issuer_name";
  static final String K8S_AUTH_CONFIG_NAME = "k8s_auth_config_name";
  static final String GCP_AUDIENCE = "gcp_audience";
  static final String AZURE_OBJECT_ID = "azure_object_id";
  static final String CERT_FILE_PATH = "cert_file_path";
  static final String KEY_FILE_PATH = "key_file_path";
  static final String KEY_PASSWORD = "key_password";
  static final String CUSTOM_CA_BUNDLE = "custom_ca_bundle";
  static final String MAX_TTL = "max_ttl";

  private static final Set<String> ALWAYS = Set.of(GATEWAY_URL, ACCESS_TYPE, ACCESS_ID, PKI_CERT_ISSUER_NAME);
  private static final Set<String> COMMON_OPTIONAL = Set.of(CUSTOM_CA_BUNDLE, MAX_TTL);
  private static final Set<String> SECRETS = Set.of(ACCESS_KEY, KEY_PASSWORD);
  private static final Map<String, String> ENVIRONMENT = Map.of(
      GATEWAY_URL, "AKEYLESS_GATEWAY_URL",
      ACCESS_ID, "AKEYLESS_ACCESS_ID",
      ACCESS_KEY, "AKEYLESS_ACCESS_KEY");
  /** SPIRE's preferred_ttl is an int32 of seconds. */
  private static final Duration LONGEST_TTL = Duration.ofSeconds(Integer.MAX_VALUE);

  private final TrustDomain trustDomain;
  private final AccessType accessType;
  /** Every key given (or taken from the environment) with its string value, in a fixed order. */
  private final Map<String, String> values;
  private final URI gatewayUrl;
  private final Duration maxTtl;

  private PluginConfig(TrustDomain trustDomain, AccessType accessType, Map<String, String> values, URI gatewayUrl,
      Duration maxTtl) {
    this.trustDomain = trustDomain;
    this.accessType = accessType;
    this.values = values;
    this.gatewayUrl = gatewayUrl;
    this.maxTtl = maxTtl;
  }

  /**
   * Parses and validates {@code hclConfiguration} as SPIRE sends it.
   *
   * @param trustDomain the trust domain name from SPIRE's core configuration
   * @param environment where the {@code AKEYLESS_*} fallbacks are looked up (the process environment in the plugin)
   * @throws PluginConfigException naming the first problem found
   */
  static PluginConfig parse(String hclConfiguration, String trustDomain, Map<String, String> environment) {
    Objects.requireNonNull(hclConfiguration, "hclConfiguration");
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(environment, "environment");
    TrustDomain domain = trustDomain(trustDomain);
    Map<String, Object> tree = Hcl.parse(hclConfiguration);
    rejectUnknown(tree.keySet());
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, Object> item : tree.entrySet()) {
      if (!item.getKey().equals(MAX_TTL)) {
        values.put(item.getKey(), string(item.getKey(), item.getValue()));
      }
    }
    String accessTypeName = values.get(ACCESS_TYPE);
    if (accessTypeName == null) {
      throw new PluginConfigException("access_type is required: one of " + AccessType.wireNames());
    }
    AccessType accessType = AccessType.of(accessTypeName);
    Set<String> allowed = allowedKeys(accessType);
    for (Map.Entry<String, String> fallback : ENVIRONMENT.entrySet()) {
      String fromEnvironment = environment.get(fallback.getValue());
      if (allowed.contains(fallback.getKey()) && !values.containsKey(fallback.getKey())
          && fromEnvironment != null && !fromEnvironment.isBlank()) {
        values.put(fallback.getKey(), fromEnvironment.strip());
      }
    }
    checkKeysFor(accessType, tree.keySet(), values.keySet());
    Duration maxTtl = tree.containsKey(MAX_TTL) ? maxTtl(tree.get(MAX_TTL)) : null;
    URI gatewayUrl = gatewayUrl(values.get(GATEWAY_URL));
    for (String path : List.of(CERT_FILE_PATH, KEY_FILE_PATH, CUSTOM_CA_BUNDLE)) {
      if (values.containsKey(path)) {
        path(path, values.get(path));
      }
    }
    return new PluginConfig(domain, accessType, Map.copyOf(values), gatewayUrl, maxTtl);
  }

  private static TrustDomain trustDomain(String name) {
    if (name.isEmpty()) {
      throw new PluginConfigException("SPIRE passed no trust domain in the core configuration");
    }
    try {
      return TrustDomain.parse(name);
    } catch (InvalidSpiffeIdException e) {
      throw new PluginConfigException("SPIRE's trust domain is invalid: " + e.getMessage(), e);
    }
  }

  private static Set<String> allowedKeys(AccessType accessType) {
    Set<String> allowed = new TreeSet<>(ALWAYS);
    allowed.addAll(COMMON_OPTIONAL);
    allowed.addAll(accessType.required);
    allowed.addAll(accessType.optional);
    return allowed;
  }

  private static Set<String> allKeys() {
    Set<String> all = new TreeSet<>(ALWAYS);
    all.addAll(COMMON_OPTIONAL);
    for (AccessType type : AccessType.values()) {
      all.addAll(type.required);
      all.addAll(type.optional);
    }
    return all;
  }

  private static void rejectUnknown(Set<String> given) {
    Set<String> known = allKeys();
    Set<String> unknown = new TreeSet<>(given);
    unknown.removeAll(known);
    if (!unknown.isEmpty()) {
      throw new PluginConfigException("unknown key" + (unknown.size() > 1 ? "s " : " ")
          + unknown.stream().map(PluginConfig::printableKey).collect(Collectors.joining(", "))
          + " in plugin_data; valid keys are " + String.join(", ", known));
    }
  }

  /** A key as it may appear in a message: names are shown, anything else (it might be a misplaced secret) is not. */
  private static String printableKey(String key) {
    return key.matches("[A-Za-z_][A-Za-z0-9_.-]{0,63}") ? key : "(a key that is not a name)";
  }

  private static void checkKeysFor(AccessType accessType, Set<String> given, Set<String> present) {
    Set<String> allowed = allowedKeys(accessType);
    Set<String> misplaced = new TreeSet<>(given);
    misplaced.removeAll(allowed);
    if (!misplaced.isEmpty()) {
      throw new PluginConfigException(String.join(", ", misplaced) + (misplaced.size() > 1 ? " are" : " is")
          + " not used with access_type \"" + accessType.wireName + "\", which takes "
          + String.join(", ", allowed));
    }
    Set<String> missing = new TreeSet<>(ALWAYS);
    missing.addAll(accessType.required);
    missing.removeAll(present);
    if (!missing.isEmpty()) {
      throw new PluginConfigException("access_type \"" + accessType.wireName + "\" requires "
          + String.join(", ", missing) + (missing.size() > 1 ? ", which are" : ", which is") + " missing"
          + environmentHint(missing));
    }
  }

  private static String environmentHint(Set<String> missing) {
    List<String> variables = missing.stream().filter(ENVIRONMENT::containsKey).map(ENVIRONMENT::get)
        .collect(Collectors.toList());
    return variables.isEmpty() ? "" : " (or set in the environment as " + String.join(", ", variables) + ")";
  }

  private static String string(String key, Object value) {
    if (!(value instanceof String)) {
      throw new PluginConfigException(key + " must be a quoted string, got " + kind(value));
    }
    String text = ((String) value).strip();
    if (text.isEmpty()) {
      throw new PluginConfigException(key + " must not be empty");
    }
    return text;
  }

  private static String kind(Object value) {
    if (value instanceof Boolean) {
      return "a bool";
    }
    if (value instanceof Number) {
      return "a number";
    }
    if (value instanceof List) {
      return "a list";
    }
    return "a block";
  }

  private static URI gatewayUrl(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new PluginConfigException("akeyless_gateway_url is not a URL (" + e.getReason() + ")");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
      throw new PluginConfigException("akeyless_gateway_url must be an http(s) URL with a host, "
          + "for example https://gateway:8000/api/v2");
    }
    if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw new PluginConfigException("akeyless_gateway_url must have no user info, query or fragment");
    }
    return uri;
  }

  private static void path(String key, String text) {
    try {
      Path.of(text);
    } catch (InvalidPathException e) {
      throw new PluginConfigException(key + " is not a valid path");
    }
  }

  private static Duration maxTtl(Object value) {
    Duration ttl;
    if (value instanceof Long) {
      ttl = Duration.ofSeconds((Long) value);
    } else if (value instanceof BigDecimal) {
      throw new PluginConfigException("max_ttl must be whole seconds or a duration string such as \"24h\"");
    } else if (value instanceof String) {
      String text = ((String) value).strip();
      ttl = text.matches("[0-9]+") ? Duration.ofSeconds(Long.parseLong(text)) : GoDuration.parse("max_ttl", text);
    } else {
      throw new PluginConfigException("max_ttl must be a duration string such as \"24h\" or whole seconds, got "
          + kind(value));
    }
    if (ttl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new PluginConfigException("max_ttl must be at least 1s");
    }
    if (ttl.compareTo(LONGEST_TTL) > 0) {
      throw new PluginConfigException("max_ttl must be at most " + LONGEST_TTL.toSeconds() + "s");
    }
    return ttl;
  }

  /** The trust domain SPIRE serves, from its core configuration. */
  TrustDomain trustDomain() {
    return trustDomain;
  }

  AccessType accessType() {
    return accessType;
  }

  URI gatewayUrl() {
    return gatewayUrl;
  }

  String accessId() {
    return values.get(ACCESS_ID);
  }

  String pkiCertIssuerName() {
    return values.get(PKI_CERT_ISSUER_NAME);
  }

  /** The API key, for {@link AccessType#ACCESS_KEY} and {@link AccessType#API_KEY}. A secret: never log it. */
  Optional<String> accessKey() {
    return optional(ACCESS_KEY);
  }

  Optional<String> k8sAuthConfigName() {
    return optional(K8S_AUTH_CONFIG_NAME);
  }

  Optional<String> gcpAudience() {
    return optional(GCP_AUDIENCE);
  }

  Optional<String> azureObjectId() {
    return optional(AZURE_OBJECT_ID);
  }

  Optional<Path> certFile() {
    return optional(CERT_FILE_PATH).map(Path::of);
  }

  Optional<Path> keyFile() {
    return optional(KEY_FILE_PATH).map(Path::of);
  }

  /** The key file's password, for {@link AccessType#CERT}. A secret: never log it. */
  Optional<String> keyPassword() {
    return optional(KEY_PASSWORD);
  }

  Optional<Path> customCaBundle() {
    return optional(CUSTOM_CA_BUNDLE).map(Path::of);
  }

  /** The longest CA lifetime the plugin asks the upstream for; empty when not configured. */
  Optional<Duration> maxTtl() {
    return Optional.ofNullable(maxTtl);
  }

  /**
   * The CA lifetime to ask the upstream for, given SPIRE's {@code preferred_ttl}: the preferred one capped at
   * {@link #maxTtl()}, or {@link #maxTtl()} when SPIRE leaves it to the plugin ({@link Duration#ZERO}).
   */
  Duration ttlFor(Duration preferred) {
    if (maxTtl == null) {
      return preferred;
    }
    return preferred.isZero() || preferred.compareTo(maxTtl) > 0 ? maxTtl : preferred;
  }

  private Optional<String> optional(String key) {
    return Optional.ofNullable(values.get(key));
  }

  @Override
  public String toString() {
    Map<String, String> shown = new java.util.TreeMap<>();
    values.forEach((key, value) -> shown.put(key, SECRETS.contains(key) ? "(redacted)" : value));
    if (maxTtl != null) {
      shown.put(MAX_TTL, maxTtl.toSeconds() + "s");
    }
    return "PluginConfig{trust_domain=" + trustDomain.name() + ", " + shown.toString().substring(1);
  }
}
