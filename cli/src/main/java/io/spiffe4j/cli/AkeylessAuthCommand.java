package io.spiffe4j.cli;

import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.akeyless.AkeylessAuth;
import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.certauth.akeyless.AzureManagedIdentityToken;
import io.spiffe4j.certauth.akeyless.GcpIdentityToken;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "auth", mixinStandardHelpOptions = true,
    description = {"Authenticate to Akeyless through a Gateway (or SaaS) and print only the token on stdout,"
        + " for scripts: TOKEN=$(spiffe4j akeyless auth ...). The token is a bearer credential: keep it out of logs.",
        "With --cert and --key, certificate authentication in challenge mode: the key signs a challenge and never"
            + " leaves this machine.",
        "The access key is read from an environment variable or a file, never from the command line (ps would"
            + " show it)."})
final class AkeylessAuthCommand implements Callable<Integer> {
  private static final List<String> ACCESS_TYPES = List.of("access_key", "api_key", "cert", "k8s", "gcp",
      "azure_ad");

  @Spec
  CommandSpec spec;

  @Option(names = "--gateway", required = true, paramLabel = "URL",
      description = "The API base URL as given: https://gw:8000/api/v2, https://gw:8081, https://gw:8080/v2 or"
          + " https://api.akeyless.io.")
  String gateway;

  @Option(names = "--access-id", required = true, paramLabel = "ID", description = "The auth method's access ID.")
  String accessId;

  @Option(names = "--access-type", paramLabel = "TYPE",
      description = "access_key, api_key, cert, k8s, gcp or azure_ad (default: cert with --cert, else access_key).")
  String accessType;

  @ArgGroup(exclusive = true)
  AccessKeySource accessKey;

  /** Accepted only to refuse it with a clear message, instead of picocli echoing the key as an unknown option. */
  @Option(names = "--access-key", hidden = true)
  String accessKeyOnCommandLine;

  @Option(names = "--cert", paramLabel = "FILE", description = "Client certificate chain (PEM or DER, leaf first).")
  Path certificate;

  @Option(names = "--key", paramLabel = "FILE", description = "The certificate's private key (any format"
      + " 'akeyless challenge-sign' reads).")
  Path key;

  @ArgGroup(exclusive = true)
  AkeylessCommand.KeyPassword keyPassword;

  @Option(names = "--ca-bundle", paramLabel = "PEM",
      description = "Trust only these CA certificates for the Gateway's TLS (default: the JDK's trust store).")
  Path caBundle;

  @Option(names = "--k8s-auth-config-name", paramLabel = "NAME",
      description = "The Gateway's Kubernetes auth config (k8s; the token is read from the pod's service account).")
  String k8sAuthConfigName;

  @Option(names = "--gcp-audience", paramLabel = "AUD",
      description = "The ID token's audience (gcp; default akeyless.io).")
  String gcpAudience;

  @Option(names = "--azure-object-id", paramLabel = "ID",
      description = "The user-assigned managed identity's object ID (azure_ad).")
  String azureObjectId;

  /** The access key's source: never the command line itself. */
  static final class AccessKeySource {
    @Option(names = "--access-key-env", paramLabel = "VAR",
        description = "Environment variable holding the access key.")
    String environmentVariable;

    @Option(names = "--access-key-file", paramLabel = "FILE", description = "File whose first line is the access key.")
    Path file;
  }

  @Override
  public Integer call() {
    AkeylessAuth auth = auth(type());
    AkeylessClient.Builder builder = AkeylessClient.builder(gateway, auth);
    if (caBundle != null) {
      // Read once here so that a missing bundle exits 3 like every other unreadable file.
      UnreadableInputException.read(caBundle);
      builder.caBundle(caBundle);
    }
    String token;
    try (AkeylessClient client = builder.build()) {
      token = client.token().reveal();
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(token);
    out.flush();
    return 0;
  }

  private String type() {
    if (accessKeyOnCommandLine != null) {
      throw usage("--access-key is refused: on the command line the key shows in ps and the shell history;"
          + " use --access-key-env VAR or --access-key-file FILE");
    }
    String type = accessType != null ? accessType : certificate != null ? "cert" : "access_key";
    if (!ACCESS_TYPES.contains(type)) {
      throw usage("--access-type must be one of " + String.join(", ", ACCESS_TYPES) + ", was " + type);
    }
    onlyFor(type, accessKey != null, "--access-key-env/--access-key-file", "access_key", "api_key");
    onlyFor(type, certificate != null || key != null || keyPassword != null, "--cert/--key/--key-password-*",
        "cert");
    onlyFor(type, k8sAuthConfigName != null, "--k8s-auth-config-name", "k8s");
    onlyFor(type, gcpAudience != null, "--gcp-audience", "gcp");
    onlyFor(type, azureObjectId != null, "--azure-object-id", "azure_ad");
    return type;
  }

  /** Options of another access type are a mistake worth pointing out, not something to ignore. */
  private void onlyFor(String type, boolean given, String options, String... types) {
    if (given && !List.of(types).contains(type)) {
      throw usage(options + " only apply to --access-type " + String.join(" or ", types) + ", not " + type);
    }
  }

  private AkeylessAuth auth(String type) {
    switch (type) {
      case "access_key":
        return AkeylessAuth.accessKey(accessId, accessKey());
      case "api_key":
        return AkeylessAuth.apiKey(accessId, accessKey());
      case "cert":
        return AkeylessAuth.certificate(accessId, clientCertificate());
      case "k8s":
        if (k8sAuthConfigName == null) {
          throw usage("--access-type k8s needs --k8s-auth-config-name");
        }
        return AkeylessAuth.kubernetes(accessId, k8sAuthConfigName);
      case "gcp":
        return AkeylessAuth.gcp(accessId, gcpAudience != null ? gcpAudience : GcpIdentityToken.DEFAULT_AUDIENCE);
      default:
        AzureManagedIdentityToken token = AzureManagedIdentityToken.forManagement();
        return AkeylessAuth.azureAd(accessId, azureObjectId != null ? token.withObjectId(azureObjectId) : token);
    }
  }

  private String accessKey() {
    if (accessKey == null) {
      throw usage("--access-type access_key and api_key need --access-key-env VAR or --access-key-file FILE");
    }
    String value;
    String source;
    if (accessKey.file != null) {
      byte[] content = UnreadableInputException.read(accessKey.file);
      value = new String(content, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
      Arrays.fill(content, (byte) 0);
      source = "--access-key-file " + accessKey.file;
    } else {
      value = System.getenv(accessKey.environmentVariable);
      source = "--access-key-env " + accessKey.environmentVariable;
      if (value == null) {
        throw usage(source + ": the environment variable is not set");
      }
      value = value.strip();
    }
    if (value.isEmpty()) {
      throw usage(source + ": the access key is empty");
    }
    return value;
  }

  private ClientCertificate clientCertificate() {
    if (certificate == null || key == null) {
      throw usage("--access-type cert needs --cert FILE and --key FILE");
    }
    char[] password = keyPassword != null ? keyPassword.read(spec) : null;
    try {
      return ClientCertificate.fromFiles(certificate, key, password);
    } finally {
      if (password != null) {
        Arrays.fill(password, '\0');
      }
    }
  }

  private ParameterException usage(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
