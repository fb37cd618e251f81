package io.spiffe4j.upstream.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.PkiAnswerShape;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.authority.UpstreamAuthorityException;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.authority.UpstreamX509Ca;
import io.spiffe4j.certauth.akeyless.AkeylessAuth;
import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.certauth.akeyless.RetryPolicy;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.upstream.akeyless.spire.Csrs;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Akeyless upstream against spiffe4j's local Akeyless gateway, whose PKI issuers really sign. */
class AkeylessUpstreamAuthorityTest {
  private final AkeylessGateway gateway = AkeylessGateway.builder().start();
  private final AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("spire");

  @AfterEach
  void close() {
    gateway.close();
  }

  /** An issuer set up as the Akeyless documentation tells SPIRE users to. */
  static PkiIssuerSettings.Builder spireIssuer(String name) {
    return PkiIssuerSettings.builder(name, Duration.ofDays(7))
        .ca(true)
        .keyUsage("CertSign,CRLSign")
        .notRequireCn(true)
        .allowedUriSans("spiffe://example.org", "spiffe://example.org/*");
  }

  private AkeylessUpstreamAuthority upstream(String issuer, String accessKey) {
    AkeylessClient client = AkeylessClient.builder(gateway.url().toString(),
        AkeylessAuth.accessKey(credentials.accessId(), accessKey)).retryPolicy(RetryPolicy.none()).build();
    return AkeylessUpstreamAuthority.builder(client, issuer).defaultTtl(Duration.ofHours(2)).build();
  }

  private AkeylessUpstreamAuthority upstream(String issuer) {
    return upstream(issuer, credentials.accessKey());
  }

  static byte[] csr(KeyPair key) {
    return Csrs.caCsr(key, "example.org");
  }

  @ParameterizedTest
  @EnumSource(PkiAnswerShape.class)
  void mint_signsTheCsrKey_chainWithoutRoot_rootApart(PkiAnswerShape shape) throws Exception {
    PkiIssuer issuer = gateway.createPkiIssuer(spireIssuer("spire-ca").answerShape(shape).build());
    KeyPair key = KeyAlgorithm.EC_P256.generate();

    try (AkeylessUpstreamAuthority upstream = upstream("spire-ca")) {
      UpstreamX509Ca minted = upstream.mintX509Ca(csr(key), Duration.ofHours(1));

      assertEquals(1, minted.caChain().size());
      assertEquals(key.getPublic(), minted.mintedCa().getPublicKey());
      assertEquals(List.of(issuer.rootCertificate()), minted.upstreamRoots());
      minted.mintedCa().verify(issuer.rootCertificate().getPublicKey());
      assertNear(Instant.now().plus(Duration.ofHours(1)), minted.mintedCa().getNotAfter().toInstant());
    }
  }

  @Test
  void mint_intermediateIssuer_chainCarriesTheIntermediate() throws Exception {
    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate root = CertificateMinter.bare(rootKey.getPublic()).subject(new X500Principal("CN=corp root"))
        .ca(true).keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN, CertificateMinter.KeyUsage.CRL_SIGN))
        .validFor(Instant.now(), Duration.ofDays(30)).sign(rootKey.getPrivate());
    PkiIssuer issuer = gateway.createPkiIssuer(spireIssuer("spire-ca").intermediateUnder(root, rootKey.getPrivate())
        .build());

    try (AkeylessUpstreamAuthority upstream = upstream("spire-ca")) {
      UpstreamX509Ca minted = upstream.mintX509Ca(csr(KeyAlgorithm.EC_P256.generate()), Duration.ofHours(1));

      assertEquals(List.of(issuer.certificate()), minted.caChain().subList(1, 2));
      assertEquals(List.of(root), minted.upstreamRoots());
    }
  }

  @Test
  void mint_zeroTtl_asksForTheDefault() {
    gateway.createPkiIssuer(spireIssuer("spire-ca").build());

    try (AkeylessUpstreamAuthority upstream = upstream("spire-ca")) {
      X509Certificate ca = upstream.mintX509Ca(csr(KeyAlgorithm.EC_P256.generate()), Duration.ZERO).mintedCa();

      assertNear(Instant.now().plus(Duration.ofHours(2)), ca.getNotAfter().toInstant());
    }
  }

  @Test
  void mint_issuerNotACa_isMisconfiguredNamingTheFlag() {
    gateway.createPkiIssuer(spireIssuer("leaf-issuer").ca(false).build());

    UpstreamAuthorityException e = mintFails("leaf-issuer");

    assertEquals(Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().contains("--is-ca true"), e.getMessage());
  }

  @Test
  void mint_akeylessDefaultKeyUsage_isMisconfiguredNamingTheFlag() {
    gateway.createPkiIssuer(spireIssuer("default-usage").keyUsage(PkiIssuerSettings.DEFAULT_KEY_USAGE).build());

    UpstreamAuthorityException e = mintFails("default-usage");

    assertEquals(Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().contains("--key-usage certsign,crlsign"), e.getMessage());
  }

  @Test
  void mint_answerWithoutRoot_isMisconfigured() {
    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    KeyPair intermediateKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate root = CertificateMinter.bare(rootKey.getPublic()).subject(new X500Principal("CN=hidden root"))
        .ca(true).keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN)).sign(rootKey.getPrivate());
    X509Certificate intermediate = CertificateMinter.bare(intermediateKey.getPublic())
        .subject(new X500Principal("CN=intermediate")).ca(true)
        .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN)).issuedBy(root, rootKey.getPrivate()).sign(null);
    gateway.createPkiIssuer(spireIssuer("rootless").signingCa(intermediate, intermediateKey.getPrivate()).build());

    UpstreamAuthorityException e = mintFails("rootless");

    assertEquals(Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().contains("without a root certificate"), e.getMessage());
  }

  @Test
  void mint_uriSanNotAllowed_isMisconfiguredWithAkeylessMessage() {
    gateway.createPkiIssuer(spireIssuer("other-td").allowedUriSans("spiffe://other.org").build());

    UpstreamAuthorityException e = mintFails("other-td");

    assertEquals(Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("the Akeyless PKI issuer other-td refused to sign a CA valid for 3600 s "
        + "(akeyless get-pki-certificate: "), e.getMessage());
    assertTrue(e.getMessage().contains("(HTTP 403): URI SAN spiffe://example.org is not allowed by the issuer"),
        e.getMessage());
    assertTrue(e.getMessage().contains("its --allowed-uri-sans must include spiffe://<trust domain>"), e.getMessage());
  }

  @Test
  void mint_ttlAboveTheIssuers_isMisconfigured_namingBothLifetimesAndTheSettings() {
    gateway.createPkiIssuer(spireIssuer("short-lived").build());

    try (AkeylessUpstreamAuthority upstream = upstream("short-lived")) {
      UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
          () -> upstream.mintX509Ca(csr(KeyAlgorithm.EC_P256.generate()), Duration.ofDays(8)));

      assertEquals(Kind.MISCONFIGURED, e.kind());
      assertTrue(e.getMessage().startsWith("the Akeyless PKI issuer short-lived refused to sign a CA valid for 691200 s"),
          e.getMessage());
      assertTrue(e.getMessage().contains("requested ttl exceeds the issuer's ttl of 604800 seconds"), e.getMessage());
      assertTrue(e.getMessage().contains("the issuer's --ttl must be at least that long (SPIRE asks for its ca_ttl, "
          + "which the plugin's max_ttl caps)"), e.getMessage());
    }
  }

  @Test
  void mint_unknownIssuer_isMisconfigured_namingTheIssuer() {
    UpstreamAuthorityException e = mintFails("no-such-issuer");

    assertEquals(Kind.MISCONFIGURED, e.kind());
    assertTrue(e.getMessage().startsWith("the Akeyless PKI issuer no-such-issuer was not found (akeyless "
        + "get-pki-certificate: "), e.getMessage());
    assertTrue(e.getMessage().contains("(HTTP 404)"), e.getMessage());
  }

  @Test
  void mint_malformedCsr_isInvalidRequest() {
    gateway.createPkiIssuer(spireIssuer("spire-ca").build());

    try (AkeylessUpstreamAuthority upstream = upstream("spire-ca")) {
      UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
          () -> upstream.mintX509Ca(new byte[] {1, 2, 3}, Duration.ofHours(1)));

      assertEquals(Kind.INVALID_REQUEST, e.kind());
    }
  }

  @Test
  void authenticate_wrongAccessKey_isUnauthenticated_withoutTheKey() {
    String wrongKey = "wrong-" + credentials.accessKey();

    try (AkeylessUpstreamAuthority upstream = upstream("spire-ca", wrongKey)) {
      UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class, upstream::authenticate);

      assertEquals(Kind.UNAUTHENTICATED, e.kind());
      assertFalse(e.getMessage().contains(wrongKey), e.getMessage());
      assertFalse(e.getMessage().contains(credentials.accessKey()), e.getMessage());
    }
  }

  @Test
  void mint_gatewayGone_isUnavailable() {
    gateway.createPkiIssuer(spireIssuer("spire-ca").build());
    AkeylessUpstreamAuthority upstream = upstream("spire-ca");
    gateway.close();

    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
        () -> upstream.mintX509Ca(csr(KeyAlgorithm.EC_P256.generate()), Duration.ofHours(1)));

    assertEquals(Kind.UNAVAILABLE, e.kind());
    assertTrue(e.isRetryable());
    upstream.close();
  }

  @Test
  void close_closesTheOwnedClient_publishJwtKeyIsNotHandled() {
    gateway.createPkiIssuer(spireIssuer("spire-ca").build());
    AkeylessUpstreamAuthority upstream = upstream("spire-ca");

    assertEquals(Optional.empty(), upstream.publishJwtKey(new io.spiffe4j.authority.UpstreamAuthority.JwtKey("kid",
        KeyAlgorithm.EC_P256.generate().getPublic(), Instant.now())));
    upstream.close();
    upstream.close();

    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
        () -> upstream.mintX509Ca(csr(KeyAlgorithm.EC_P256.generate()), Duration.ofHours(1)));
    assertEquals(Kind.UNAVAILABLE, e.kind());
  }

  private UpstreamAuthorityException mintFails(String issuer) {
    try (AkeylessUpstreamAuthority upstream = upstream(issuer)) {
      return assertThrows(UpstreamAuthorityException.class,
          () -> upstream.mintX509Ca(csr(KeyAlgorithm.EC_P256.generate()), Duration.ofHours(1)));
    }
  }

  private static void assertNear(Instant expected, Instant actual) {
    assertTrue(Duration.between(expected, actual).abs().compareTo(Duration.ofSeconds(90)) < 0,
        "expected about " + expected + ", got " + actual);
  }
}
