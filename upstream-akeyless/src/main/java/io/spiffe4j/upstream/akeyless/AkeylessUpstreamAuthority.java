package io.spiffe4j.upstream.akeyless;

import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthorityException;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.authority.UpstreamX509Ca;
import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.certauth.akeyless.AkeylessException;
import io.spiffe4j.certauth.akeyless.IssuedCertificate;
import io.spiffe4j.certauth.akeyless.PkiCertificateRequest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Objects;

/**
 * An Akeyless PKI certificate issuer as the upstream authority of a SPIFFE authority (SPIRE Server through the
 * {@code spire-upstream-akeyless} plugin, or spiffe4j's embedded authority): each mint sends the authority's CSR to
 * {@code /get-pki-certificate} and answers the signed CA, the intermediates Akeyless returned, and the self-signed
 * root(s) of its answer as the upstream roots.
 *
 * <pre>{@code
 * AkeylessClient client = AkeylessClient.builder("https://gateway:8000/api/v2",
 *     AkeylessAuth.accessKey("p-xxxx", accessKey)).build();
 * try (AkeylessUpstreamAuthority upstream = AkeylessUpstreamAuthority.builder(client, "/spire/issuer").build()) {
 *   upstream.authenticate();   // fail now, not at the first mint, if the credentials are wrong
 *   UpstreamX509Ca ca = upstream.mintX509Ca(csrDer, Duration.ofHours(24));
 * }
 * }</pre>
 *
 * <p><b>What the issuer must be.</b> A CA issuer ({@code --is-ca true}) whose key usage is only {@code certsign} and
 * {@code crlsign} (Akeyless's default adds key encipherment and key agreement, which SPIRE rejects), that allows the
 * URI SAN {@code spiffe://<trust domain>}, with a TTL longer than the CA lifetimes asked for, signing with a key whose
 * certificate is self-signed or whose chain Akeyless returns up to a root. A mint whose answer breaks one of these
 * fails with {@link Kind#MISCONFIGURED} and a message saying which, rather than with SPIRE's generic "X509 CA minted
 * by upstream authority is invalid".
 *
 * <p><b>Failures</b> are {@link UpstreamAuthorityException}s carrying the Akeyless client's message (which never holds
 * a credential): credentials refused or unobtainable are {@link Kind#UNAUTHENTICATED}; a missing issuer, missing
 * permissions, a request the issuer refuses (a URI SAN it does not allow, a TTL above its own), an untrusted TLS
 * certificate or an answer that is not the Akeyless API are {@link Kind#MISCONFIGURED}; an unusable CSR is
 * {@link Kind#INVALID_REQUEST}; an unreachable or failing gateway is {@link Kind#UNAVAILABLE} (the client has retried
 * already). A missing issuer or a refused mint also names the issuer, the CA lifetime asked for and the issuer
 * settings to check. JWT keys are not published ({@link #publishJwtKey} is empty), and roots change only with a
 * mint.
 *
 * <p>Thread-safe. {@link #close()} closes the client when the builder was told the authority owns it (the default).
 */
public final class AkeylessUpstreamAuthority implements UpstreamAuthority {
  /** SPIRE's default {@code ca_ttl}, used when the caller leaves the lifetime to the upstream. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);

  private final AkeylessClient client;
  private final String issuerName;
  private final Duration defaultTtl;
  private final boolean ownsClient;

  private AkeylessUpstreamAuthority(Builder builder) {
    this.client = builder.client;
    this.issuerName = builder.issuerName;
    this.defaultTtl = builder.defaultTtl;
    this.ownsClient = builder.ownsClient;
  }

  /**
   * An upstream that issues from the PKI certificate issuer {@code issuerName} (its name or path in Akeyless)
   * through {@code client}.
   */
  public static Builder builder(AkeylessClient client, String issuerName) {
    return new Builder(client, issuerName);
  }

  /**
   * Authenticates to Akeyless now (the client keeps the token), so that wrong credentials or an unreachable gateway
   * show when the upstream is set up rather than at the first mint.
   *
   * @throws UpstreamAuthorityException as a mint would for the same failure
   */
  public void authenticate() {
    try {
      client.token();
    } catch (AkeylessException e) {
      throw failure(e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>{@link Duration#ZERO} asks for the builder's default TTL; any other lifetime is sent as whole seconds (at least
   * one).
   */
  @Override
  public UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl) {
    Objects.requireNonNull(csr, "csr");
    Objects.requireNonNull(preferredTtl, "preferredTtl");
    if (preferredTtl.isNegative()) {
      throw new UpstreamAuthorityException(Kind.INVALID_REQUEST, "the preferred TTL is negative: " + preferredTtl);
    }
    Duration ttl = preferredTtl.isZero() ? defaultTtl : max(preferredTtl, Duration.ofSeconds(1));
    IssuedCertificate issued;
    try {
      issued = client.getPkiCertificate(PkiCertificateRequest.builder(issuerName).csr(csr).ttl(ttl).build());
    } catch (AkeylessException e) {
      throw mintFailure(e, ttl);
    }
    checkIsUsableCa(issued);
    return new UpstreamX509Ca(issued.chain(), issued.roots());
  }

  private void checkIsUsableCa(IssuedCertificate issued) {
    X509Certificate ca = issued.leaf();
    if (ca.getBasicConstraints() < 0) {
      throw misconfigured("signed a certificate that is not a CA: the issuer must be created with --is-ca true");
    }
    boolean[] usage = ca.getKeyUsage();
    if (usage == null || !usage[5]) {
      throw misconfigured("signed a CA without the keyCertSign key usage: create the issuer with "
          + "--key-usage certsign,crlsign");
    }
    for (int bit = 0; bit < usage.length; bit++) {
      if (usage[bit] && bit != 0 && bit != 5 && bit != 6) {
        throw misconfigured("signed a CA with key usages SPIRE rejects (only digitalSignature, keyCertSign and "
            + "cRLSign are allowed): create the issuer with --key-usage certsign,crlsign");
      }
    }
    if (issued.roots().isEmpty()) {
      throw misconfigured("answered without a root certificate, so there are no upstream roots to trust: the "
          + "issuer's signing key needs a self-signed certificate, or Akeyless must return its chain up to a root");
    }
  }

  /**
   * Akeyless's answer names neither the issuer nor what was asked of it, and its wording is undocumented: a refusal
   * gets both, and the settings that cause one, so the operator knows what to change without reading the request.
   */
  private UpstreamAuthorityException mintFailure(AkeylessException e, Duration ttl) {
    switch (e.kind()) {
      case NOT_FOUND:
        return misconfigured("was not found (" + e.getMessage() + "): check the issuer's name, a full path such as "
            + "/spire/issuer", e);
      case PERMISSION_DENIED:
      case REJECTED:
        return misconfigured("refused to sign a CA valid for " + ttl.toSeconds() + " s (" + e.getMessage() + "): "
            + "the issuer's --ttl must be at least that long (SPIRE asks for its ca_ttl, which the plugin's max_ttl "
            + "caps), its --allowed-uri-sans must include spiffe://<trust domain>, and the access ID's role must be "
            + "allowed to use the issuer", e);
      default:
        return failure(e);
    }
  }

  private UpstreamAuthorityException misconfigured(String problem) {
    return misconfigured(problem, null);
  }

  private UpstreamAuthorityException misconfigured(String problem, Throwable cause) {
    return new UpstreamAuthorityException(Kind.MISCONFIGURED, "the Akeyless PKI issuer " + issuerName + " " + problem,
        cause);
  }

  private static UpstreamAuthorityException failure(AkeylessException e) {
    return new UpstreamAuthorityException(kindOf(e.kind()), e.getMessage(), e);
  }

  private static Kind kindOf(AkeylessException.Kind kind) {
    switch (kind) {
      case CREDENTIALS:
      case UNAUTHENTICATED:
        return Kind.UNAUTHENTICATED;
      case INVALID_INPUT:
        return Kind.INVALID_REQUEST;
      case UNAVAILABLE:
      case CLOSED:
        return Kind.UNAVAILABLE;
      case PERMISSION_DENIED:
      case NOT_FOUND:
      case REJECTED:
      case TLS:
      case PROTOCOL:
      default:
        return Kind.MISCONFIGURED;
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Closes the Akeyless client if this authority owns it. Idempotent. */
  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "AkeylessUpstreamAuthority[issuer=" + issuerName + ", " + client + "]";
  }

  /** Configures an {@link AkeylessUpstreamAuthority}. Not thread-safe. */
  public static final class Builder {
    private final AkeylessClient client;
    private final String issuerName;
    private Duration defaultTtl = DEFAULT_TTL;
    private boolean ownsClient = true;

    private Builder(AkeylessClient client, String issuerName) {
      this.client = Objects.requireNonNull(client, "client");
      Objects.requireNonNull(issuerName, "issuerName");
      if (issuerName.isBlank()) {
        throw new IllegalArgumentException("issuerName must not be blank");
      }
      this.issuerName = issuerName;
    }

    /** The CA lifetime asked for when a mint leaves it to the upstream; default {@link #DEFAULT_TTL}, whole seconds. */
    public Builder defaultTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toSeconds() < 1) {
        throw new IllegalArgumentException("defaultTtl must be at least 1 second, was " + ttl);
      }
      this.defaultTtl = ttl;
      return this;
    }

    /** Whether {@link AkeylessUpstreamAuthority#close()} closes the client; default true. */
    public Builder ownsClient(boolean ownsClient) {
      this.ownsClient = ownsClient;
      return this;
    }

    public AkeylessUpstreamAuthority build() {
      return new AkeylessUpstreamAuthority(this);
    }
  }
}
