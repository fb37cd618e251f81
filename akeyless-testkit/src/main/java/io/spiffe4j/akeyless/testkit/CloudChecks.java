package io.spiffe4j.akeyless.testkit;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.spiffe4j.internal.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verification of a cloud identity JWT for a Kubernetes, GCP or Azure AD auth method (see {@link CloudAuthSettings}
 * for what is checked). Every failure is an {@link HttpError} 401 naming the check, never the token. Thread-safe
 * (stateless).
 */
final class CloudChecks {
  private static final int UNAUTHORIZED = 401;
  private static final Set<String> ALGORITHMS = Set.of(
      "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512");
  private static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

  private CloudChecks() {}

  /** Verifies the request of a cloud auth method; returns the identity the token is for. */
  static String verify(CloudAuthSettings method, RequestBody body, Instant now) {
    String field = method.kind() == CloudAuthSettings.Kind.KUBERNETES ? "k8s-service-account-token" : "cloud-id";
    if (method.kind() == CloudAuthSettings.Kind.KUBERNETES) {
      String configName = body.text("k8s-auth-config-name");
      if (configName == null || configName.isEmpty()) {
        throw refuse("k8s-auth-config-name is required");
      }
      if (!configName.equals(method.configName())) {
        throw refuse("k8s-auth-config-name does not name this auth method's config");
      }
    }
    String encoded = body.text(field);
    if (encoded == null || encoded.isEmpty()) {
      throw refuse(field + " is required");
    }
    String compact;
    try {
      compact = new String(Encodings.base64(encoded), StandardCharsets.UTF_8).trim();
    } catch (IllegalArgumentException e) {
      throw refuse(field + " must be the base64 of the token");
    }
    JWTClaimsSet claims = verifiedClaims(method, compact, field);
    checkTimes(claims, now);
    checkIssuerAndAudience(method, claims);
    switch (method.kind()) {
      case KUBERNETES:
        return checkKubernetes(method, claims);
      case GCP:
        return checkGcp(method, claims);
      default:
        return checkAzure(method, claims);
    }
  }

  private static JWTClaimsSet verifiedClaims(CloudAuthSettings method, String compact, String field) {
    SignedJWT jwt;
    JWTClaimsSet claims;
    try {
      jwt = SignedJWT.parse(compact);
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException | RuntimeException e) {
      throw refuse(field + " is not a signed JWT");
    }
    String alg = jwt.getHeader().getAlgorithm().getName();
    if (!ALGORITHMS.contains(alg)) {
      throw refuse("token algorithm is not accepted");
    }
    String kid = jwt.getHeader().getKeyID();
    byte[] signingInput = jwt.getSigningInput();
    byte[] signature = jwt.getSignature().decode();
    for (Map.Entry<String, PublicKey> key : method.keys().publicKeys().entrySet()) {
      if ((kid == null || kid.equals(key.getKey()))
          && Signatures.verifyJws(alg, key.getValue(), signingInput, signature)) {
        return claims;
      }
    }
    throw refuse("token signature does not verify with the auth method's keys");
  }

  private static void checkTimes(JWTClaimsSet claims, Instant now) {
    Date expiry = claims.getExpirationTime();
    if (expiry == null) {
      throw refuse("token has no expiry");
    }
    if (!now.isBefore(expiry.toInstant())) {
      throw refuse("token has expired");
    }
    Date notBefore = claims.getNotBeforeTime();
    if (notBefore != null && now.isBefore(notBefore.toInstant())) {
      throw refuse("token is not yet valid");
    }
  }

  private static void checkIssuerAndAudience(CloudAuthSettings method, JWTClaimsSet claims) {
    String issuer = claims.getIssuer();
    boolean googleShortForm = method.issuer().equals(CloudAuthSettings.GCP_ISSUER)
        && "accounts.google.com".equals(issuer);
    if (!method.issuer().equals(issuer) && !googleShortForm) {
      throw refuse("token issuer is not the auth method's issuer");
    }
    List<String> audience = claims.getAudience();
    if (audience == null || !audience.contains(method.audience())) {
      throw refuse("token audience does not include " + method.audience());
    }
  }

  private static String checkKubernetes(CloudAuthSettings method, JWTClaimsSet claims) {
    String subject = claims.getSubject();
    if (subject == null || !subject.startsWith(SERVICE_ACCOUNT_PREFIX)) {
      throw refuse("token is not for a service account");
    }
    String[] parts = subject.substring(SERVICE_ACCOUNT_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw refuse("token subject is not system:serviceaccount:<namespace>:<name>");
    }
    if (!method.boundNamespaces().isEmpty() && !method.boundNamespaces().contains(parts[0])) {
      throw refuse("service account namespace is not bound");
    }
    if (!method.boundServiceAccountNames().isEmpty() && !method.boundServiceAccountNames().contains(parts[1])) {
      throw refuse("service account name is not bound");
    }
    return subject;
  }

  private static String checkGcp(CloudAuthSettings method, JWTClaimsSet claims) {
    String email = stringClaim(claims, "email");
    if (!method.boundServiceAccounts().isEmpty()
        && (email == null || !method.boundServiceAccounts().contains(email))) {
      throw refuse("token email is not a bound service account");
    }
    return email != null ? email : claims.getSubject();
  }

  private static String checkAzure(CloudAuthSettings method, JWTClaimsSet claims) {
    String tenant = stringClaim(claims, "tid");
    if (tenant != null && !tenant.equals(method.tenantId())) {
      throw refuse("token tenant is not the auth method's tenant");
    }
    String objectId = stringClaim(claims, "oid");
    if (!method.boundObjectIds().isEmpty() && (objectId == null || !method.boundObjectIds().contains(objectId))) {
      throw refuse("token object id is not bound");
    }
    return objectId != null ? objectId : claims.getSubject();
  }

  private static String stringClaim(JWTClaimsSet claims, String name) {
    Object value = claims.getClaim(name);
    return value instanceof String ? (String) value : null;
  }

  private static HttpError refuse(String reason) {
    return new HttpError(UNAUTHORIZED, reason);
  }
}
