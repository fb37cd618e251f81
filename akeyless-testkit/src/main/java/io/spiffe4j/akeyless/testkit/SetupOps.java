package io.spiffe4j.akeyless.testkit;

import java.security.cert.X509Certificate;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The set-up operations over HTTP, {@code /create-pki-cert-issuer} and {@code /auth-method-create-cert}: they need a
 * valid token (401 otherwise), answer 400 for invalid settings and 409 for a name already taken, and otherwise do
 * exactly what the Java API does. Thread-safe (stateless).
 */
final class SetupOps {
  private static final int UNAUTHORIZED = 401;
  private static final int CONFLICT = 409;

  private SetupOps() {}

  static Map<String, Object> createPkiCertIssuer(RequestBody body, AkeylessGateway gateway) {
    requireToken(body, gateway);
    String name = body.required("name");
    Duration ttl = body.ttl("ttl");
    if (ttl == null) {
      throw body.bad("ttl is required");
    }
    PkiIssuerSettings settings;
    try {
      PkiIssuerSettings.Builder builder = PkiIssuerSettings.builder(name, ttl)
          .ca(body.flag("is-ca", false))
          .criticalKeyUsage(body.flag("critical-key-usage", true))
          .allowedUriSans(body.list("allowed-uri-sans").toArray(new String[0]))
          .allowedDomains(body.list("allowed-domains").toArray(new String[0]))
          .allowedIpSans(body.list("allowed-ip-sans").toArray(new String[0]))
          .allowSubdomains(body.flag("allow-subdomains", false))
          .allowAnyName(body.flag("allow-any-name", false))
          .notRequireCn(body.flag("not-require-cn", false))
          .serverFlag(body.flag("server-flag", false))
          .clientFlag(body.flag("client-flag", false))
          .codeSigningFlag(body.flag("code-signing-flag", false));
      Long maxPathLen = body.integer("max-path-len");
      if (maxPathLen != null) {
        builder.maxPathLen((int) Math.max(-2, Math.min(maxPathLen, Integer.MAX_VALUE)));
      }
      String keyUsage = body.text("key-usage");
      if (keyUsage != null) {
        builder.keyUsage(keyUsage);
      }
      settings = builder.build();
    } catch (IllegalArgumentException e) {
      throw body.bad(e.getMessage());
    }
    PkiIssuer issuer = create(() -> gateway.createPkiIssuer(settings));
    return Map.of("name", issuer.name());
  }

  static Map<String, Object> authMethodCreateCert(RequestBody body, AkeylessGateway gateway) {
    requireToken(body, gateway);
    String name = body.required("name");
    CertAuthSettings.UniqueIdentifier uniqueIdentifier;
    try {
      uniqueIdentifier = CertAuthSettings.UniqueIdentifier.fromWire(body.required("unique-identifier"));
    } catch (IllegalArgumentException e) {
      throw body.bad(e.getMessage());
    }
    List<X509Certificate> anchors;
    try {
      anchors = Encodings.certificates(Encodings.base64(body.required("certificate-data")));
    } catch (IllegalArgumentException e) {
      throw body.bad("certificate-data " + e.getMessage());
    }
    CertAuthSettings settings;
    try {
      CertAuthSettings.Builder builder = CertAuthSettings.builder(name, anchors)
          .uniqueIdentifier(uniqueIdentifier)
          .boundCommonNames(array(body, "bound-common-names"))
          .boundDnsSans(array(body, "bound-dns-sans"))
          .boundUriSans(array(body, "bound-uri-sans"))
          .boundEmailSans(array(body, "bound-email-sans"))
          .boundOrganizationalUnits(array(body, "bound-organizational-units"))
          .boundExtensions(array(body, "bound-extensions"))
          .revokedCertIds(array(body, "revoked-cert-ids"))
          .boundIps(array(body, "bound-ips"));
      Long accessExpires = body.integer("access-expires");
      if (accessExpires != null && accessExpires != 0) {
        builder.accessExpires(Instant.ofEpochSecond(accessExpires));
      }
      settings = builder.build();
    } catch (IllegalArgumentException | DateTimeException e) {
      throw body.bad(e.getMessage());
    }
    String accessId = create(() -> gateway.createCertAuthMethod(settings));
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("access_id", accessId);
    answer.put("name", settings.name());
    return answer;
  }

  private static String[] array(RequestBody body, String key) {
    return body.list(key).toArray(new String[0]);
  }

  private static void requireToken(RequestBody body, AkeylessGateway gateway) {
    if (!gateway.auth().isValidToken(body.text("token"))) {
      throw new HttpError(UNAUTHORIZED, "token is missing, unknown or expired");
    }
  }

  /** Runs a creation whose only possible failure is a name already taken. */
  private static <T> T create(Supplier<T> creation) {
    try {
      return creation.get();
    } catch (AkeylessGatewayException e) {
      throw new HttpError(CONFLICT, e.reason());
    }
  }
}
