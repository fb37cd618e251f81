package io.spiffe4j.examples.demo;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.authority.LocalUpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthorities;
import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.certauth.akeyless.AkeylessAuth;
import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.upstream.akeyless.AkeylessUpstreamAuthority;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Where the authority's CAs come from: the value of {@code --upstream}. */
enum Upstream {
  /** A root CA of the demo's own, in memory, signs each CA of the authority: no external service. */
  SELF_SIGNED("self-signed") {
    @Override
    Opened open(TrustDomain trustDomain) {
      LocalUpstreamAuthority upstream = UpstreamAuthorities.selfSigned();
      X509Certificate root = upstream.roots().get(0);
      return new Opened(upstream, "an in-memory self-signed root " + describe(root), () -> { });
    }
  },

  /**
   * A PKI issuer of an Akeyless Gateway signs each CA, as for a SPIRE Server with the {@code spire-upstream-akeyless}
   * plugin. The gateway is the Akeyless testkit's, on 127.0.0.1 over HTTPS, so no Akeyless account is needed; with a
   * real one, only the gateway URL, the credentials and the issuer's name change.
   */
  AKEYLESS("akeyless") {
    @Override
    Opened open(TrustDomain trustDomain) {
      AkeylessGateway gateway = AkeylessGateway.builder().https(true).start();
      try {
        // What an Akeyless administrator sets up once: an issuer that signs CAs for the trust domain, and an
        // identity for the authority. SPIRE accepts only keyCertSign and cRLSign on a CA it is given, not the
        // issuer's default key usage. Like SPIRE's, the authority's requests carry no common name.
        PkiIssuer issuer = gateway.createPkiIssuer(PkiIssuerSettings.builder("spiffe4j-demo-issuer", Duration.ofDays(7))
            .ca(true)
            .keyUsage("CertSign,CRLSign")
            .allowedUriSans(trustDomain.idString())
            .notRequireCn(true)
            .build());
        AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("spiffe4j-demo");

        AkeylessClient client = AkeylessClient.builder(gateway.url().toString(),
                AkeylessAuth.accessKey(credentials.accessId(), credentials.accessKey()))
            .trustedCertificates(List.of(gateway.tlsCaCertificate()))
            .build();
        // The upstream owns the client and closes it with itself.
        AkeylessUpstreamAuthority upstream = AkeylessUpstreamAuthority.builder(client, issuer.name()).build();
        try {
          upstream.authenticate();
        } catch (RuntimeException e) {
          upstream.close();
          throw e;
        }
        return new Opened(upstream, "Akeyless PKI issuer \"" + issuer.name() + "\" at " + gateway.url() + ", root "
            + describe(issuer.rootCertificate()), gateway::close);
      } catch (RuntimeException e) {
        gateway.close();
        throw e;
      }
    }
  };

  private final String option;

  Upstream(String option) {
    this.option = option;
  }

  /** The option's value naming this upstream. */
  String option() {
    return option;
  }

  /** Starts what this upstream needs, and the upstream authority that signs CAs of {@code trustDomain}. */
  abstract Opened open(TrustDomain trustDomain);

  /**
   * The upstream named by an option value.
   *
   * @throws IllegalArgumentException if none is named so
   */
  static Upstream fromOption(String value) {
    for (Upstream upstream : values()) {
      if (upstream.option.equals(value)) {
        return upstream;
      }
    }
    throw new IllegalArgumentException("unknown upstream \"" + value + "\": choose " + choices(" or "));
  }

  /** The option values, for usage messages. */
  static String choices(String separator) {
    return Arrays.stream(values()).map(Upstream::option).collect(Collectors.joining(separator));
  }

  private static String describe(X509Certificate root) {
    return "\"" + Certificates.name(root) + "\" " + Certificates.serial(root);
  }

  /**
   * A running upstream.
   *
   * @param authority what signs the SPIFFE authority's CAs
   * @param description one line saying what it is
   * @param stop stops what the upstream needed besides the authority, after the authority is closed
   */
  record Opened(UpstreamAuthority authority, String description, Runnable stop) implements AutoCloseable {
    @Override
    public void close() {
      try {
        authority.close();
      } finally {
        stop.run();
      }
    }
  }
}
