package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.certauth.CertAuthException;
import io.spiffe4j.certauth.ChallengeSigner;
import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.SuiteSecrets;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.CertificateMinter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Certificate authentication refused, through the client against the Akeyless testkit's gateway over HTTPS: each
 * refusal is an {@link AkeylessException} of kind {@code UNAUTHENTICATED} carrying the gateway's own reason, and each
 * case is one fault in an otherwise good request (the bound cases show the same method accepting a good certificate).
 */
class CertAuthRejectionTest {
  private static final String BAD_SIGNATURE = "challenge signature does not verify with the certificate's key";
  private static final String EXTENSION_OID = "1.3.6.1.4.1.55555.1";
  private static final String CN_REFUSED = "certificate common name does not match bound-common-names";
  private static final String DNS_REFUSED = "no DNS SAN of the certificate matches bound-dns-sans";
  private static final String URI_REFUSED = "no URI SAN of the certificate matches bound-uri-sans";
  private static final String EMAIL_REFUSED = "no email SAN of the certificate matches bound-email-sans";
  private static final String OU_REFUSED = "certificate organizational units do not match bound-organizational-units";
  private static final String EXTENSION_REFUSED = "certificate does not match bound extension " + EXTENSION_OID;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The client key's type; the other key is one of the same type that the certificate is not for. */
  enum KeyType {
    RSA {
      @Override
      KeyPair key() {
        return TestPki.rsaKey(0);
      }

      @Override
      KeyPair other() {
        return TestPki.rsaKey(1);
      }
    },
    EC {
      @Override
      KeyPair key() {
        return TestPki.ecKey(85);
      }

      @Override
      KeyPair other() {
        return TestPki.ecKey(86);
      }
    };

    abstract KeyPair key();

    abstract KeyPair other();
  }

  private final TestGateway gw = new TestGateway();

  @AfterEach
  void stop() {
    gw.close();
  }

  /** A client certificate for the key, CN {@code spire-server-1}, clientAuth, issued by the test root. */
  private static CertificateMinter leaf(KeyPair key) {
    return CertificateMinter.bare(key.getPublic()).subject(new X500Principal("CN=spire-server-1")).ca(false)
        .serverAndClientAuth(true).issuedBy(TestPki.ROOT, TestPki.ROOT_KEY.getPrivate());
  }

  private String method(UnaryOperator<CertAuthSettings.Builder> settings) {
    return gw.gateway.createCertAuthMethod(settings.apply(CertAuthSettings.builder("spire", TestPki.ROOT)).build());
  }

  private String method() {
    return method(settings -> settings);
  }

  /** The certificate with an honest signer for its key, recording its signatures as secrets. */
  private static ClientCertificate certificate(PrivateKey key, X509Certificate... chain) {
    return SuiteSecrets.observeToString(ClientCertificate.of(List.of(chain),
        SuiteSecrets.recording(ChallengeSigner.ofKey(key))));
  }

  /**
   * The certificate with a signer that is honest while {@link ClientCertificate} probes it (which it must pass) and
   * then signs challenges with {@code afterProbe}.
   */
  private static ClientCertificate certificate(X509Certificate leaf, PrivateKey key, ChallengeSigner afterProbe) {
    ChallengeSigner honest = ChallengeSigner.ofKey(key);
    AtomicBoolean probed = new AtomicBoolean();
    ClientCertificate certificate = ClientCertificate.of(List.of(leaf), SuiteSecrets.recording(
        challenge -> probed.get() ? afterProbe.sign(challenge) : honest.sign(challenge)));
    probed.set(true);
    return SuiteSecrets.observeToString(certificate);
  }

  private void refused(String accessId, ClientCertificate certificate, String reason) {
    try (AkeylessClient client = gw.open(AkeylessAuth.certificate(accessId, certificate))) {
      gw.refused(Kind.UNAUTHENTICATED, reason, client::token);
    }
  }

  private void accepted(String accessId, ClientCertificate certificate) {
    try (AkeylessClient client = gw.open(AkeylessAuth.certificate(accessId, certificate))) {
      assertTrue(client.token().reveal().startsWith("t-"));
    }
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void tamperedSignature_isRefused(KeyType type) {
    KeyPair key = type.key();
    ChallengeSigner honest = ChallengeSigner.ofKey(key.getPrivate());
    ClientCertificate tampering = certificate(leaf(key).sign(null), key.getPrivate(), challenge -> {
      byte[] signature = honest.sign(challenge);
      // The last byte: for ECDSA it lies inside S, so the DER stays well-formed and only the value is wrong.
      signature[signature.length - 1] ^= 0x01;
      return signature;
    });
    refused(method(), tampering, BAD_SIGNATURE);
  }

  @ParameterizedTest
  @EnumSource(KeyType.class)
  void signatureByAnotherKey_isRefusedLocallyBeforeAnyRequest_andByTheGatewayIfItGetsThrough(KeyType type) {
    KeyPair key = type.key();
    X509Certificate leaf = leaf(key).sign(null);
    String accessId = method();
    ChallengeSigner otherSigner = ChallengeSigner.ofKey(type.other().getPrivate());

    for (CertAuthException e : List.of(
        SuiteSecrets.assertThrows(CertAuthException.class, () -> ClientCertificate.of(List.of(leaf), otherSigner)),
        SuiteSecrets.assertThrows(CertAuthException.class,
            () -> ClientCertificate.of(List.of(leaf), type.other().getPrivate())))) {
      assertEquals(CertAuthException.Kind.KEY_MISMATCH, e.kind(), e::getMessage);
    }
    assertEquals(List.of(), gw.gateway.requests(), "the mismatch is found before any request");

    // A signer that passes the probe and signs challenges with the other key afterwards: the gateway catches it.
    refused(accessId, certificate(leaf, key.getPrivate(), otherSigner), BAD_SIGNATURE);
  }

  /** Challenges live 60 s by the gateway's clock: still good at 59 s, expired from 60 s on. */
  @ParameterizedTest(name = "signed after {0} s")
  @CsvSource({"59, ", "60, challenge has expired", "61, challenge has expired"})
  void challengeSignedTooLate_isRefused(int seconds, String reason) {
    KeyPair key = KeyType.EC.key();
    ChallengeSigner honest = ChallengeSigner.ofKey(key.getPrivate());
    ClientCertificate slow = certificate(leaf(key).sign(null), key.getPrivate(), challenge -> {
      gw.clock.advance(Duration.ofSeconds(seconds));
      return honest.sign(challenge);
    });
    // The client keeps real time: its 30 s call budget must not be what runs out.
    try (AkeylessClient client = gw.client(AkeylessAuth.certificate(method(), slow)).clock(Clock.systemUTC())
        .build()) {
      if (reason == null) {
        assertTrue(client.token().reveal().startsWith("t-"));
      } else {
        gw.refused(Kind.UNAUTHENTICATED, reason, client::token);
      }
    }
  }

  /** The challenge and signature of a successful run, sent again: one use only. */
  @Test
  void replayedChallenge_isRefused() throws Exception {
    KeyPair key = KeyType.EC.key();
    String accessId = method();
    AtomicReference<byte[]> challenge = new AtomicReference<>();
    ChallengeSigner honest = ChallengeSigner.ofKey(key.getPrivate());
    ClientCertificate recorded = certificate(leaf(key).sign(null), key.getPrivate(), bytes -> {
      challenge.set(bytes);
      return honest.sign(bytes);
    });
    accepted(accessId, recorded);

    byte[] signature = honest.sign(challenge.get());
    SuiteSecrets.secretBytes("signed challenge", signature);
    replay(accessId, recorded, challenge.get(), signature);
  }

  /** A challenge is used up by the first answer to it, even a wrong one: the right signature then comes too late. */
  @Test
  void challengeAnsweredWronglyOnce_cannotBeAnsweredAgain() throws Exception {
    KeyPair key = KeyType.RSA.key();
    String accessId = method();
    AtomicReference<byte[]> challenge = new AtomicReference<>();
    ClientCertificate wrong = certificate(leaf(key).sign(null), key.getPrivate(), bytes -> {
      challenge.set(bytes);
      return ChallengeSigner.ofKey(KeyType.RSA.other().getPrivate()).sign(bytes);
    });
    refused(accessId, wrong, BAD_SIGNATURE);

    byte[] signature = ChallengeSigner.ofKey(key.getPrivate()).sign(challenge.get());
    SuiteSecrets.secretBytes("signed challenge", signature);
    replay(accessId, wrong, challenge.get(), signature);
  }

  /**
   * Posts {@code /auth} with an old challenge, as the client never would, and reads the answer with the client's
   * own answer handling.
   */
  private void replay(String accessId, ClientCertificate certificate, byte[] challenge, byte[] signature)
      throws IOException, InterruptedException {
    String signed = Base64.getEncoder().encodeToString(signature);
    ObjectNode body = JSON.createObjectNode().put("access-type", "cert").put("access-id", accessId)
        .put("cert-data", certificate.certData())
        .put("cert-challenge", Base64.getEncoder().encodeToString(challenge))
        .put("signed-cert-challenge", signed);
    HttpClient http = HttpClient.newBuilder().sslContext(gw.gateway.clientSslContext()).build();
    HttpResponse<byte[]> answer = http.send(HttpRequest.newBuilder(URI.create(gw.gateway.url() + "/auth"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    gw.refused(Kind.UNAUTHENTICATED, "unknown or already used challenge", () -> ApiResponses.interpret("auth",
        answer.statusCode(), answer.headers().firstValue("Content-Type").orElse(null), answer.body(),
        List.of(signed)));
  }

  static Stream<Arguments> bounds() {
    List<Arguments> cases = new ArrayList<>();
    UnaryOperator<CertAuthSettings.Builder> spireCn = s -> s.boundCommonNames("spire-*");
    cases.add(bound("CN spire-* matches spire-server-1", spireCn, leaf -> leaf, null));
    cases.add(bound("CN spire-* matches spire- (* may match nothing)", spireCn, subject("CN=spire-"), null));
    cases.add(bound("CN spire-* refuses xspire-1", spireCn, subject("CN=xspire-1"), CN_REFUSED));
    cases.add(bound("CN matching is case-sensitive", spireCn, subject("CN=Spire-server-1"), CN_REFUSED));
    cases.add(bound("CN ? is literal, not one character", s -> s.boundCommonNames("spire-?"), subject("CN=spire-1"),
        CN_REFUSED));
    cases.add(bound("CN ? matches a ?", s -> s.boundCommonNames("spire-?"), subject("CN=spire-?"), null));
    cases.add(bound("CN one of several patterns", s -> s.boundCommonNames("agent-*", "spire-*"), leaf -> leaf,
        null));
    cases.add(bound("CN absent", spireCn, subject("O=SPIFFE"), CN_REFUSED));

    UnaryOperator<CertAuthSettings.Builder> dns = s -> s.boundDnsSans("*.example.org");
    cases.add(bound("DNS *.example.org matches a.b.example.org (* spans dots)", dns,
        sans(dnsName("a.b.example.org")), null));
    cases.add(bound("DNS one matching SAN among several", dns,
        sans(dnsName("evil.test"), dnsName("spire.example.org")), null));
    cases.add(bound("DNS *.example.org refuses example.org", dns, sans(dnsName("example.org")), DNS_REFUSED));
    cases.add(bound("DNS *.example.org refuses example.org.evil", dns, sans(dnsName("spire.example.org.evil")),
        DNS_REFUSED));
    cases.add(bound("DNS bound, no DNS SAN", dns, sans(uri("spiffe://example.org/spire")), DNS_REFUSED));

    UnaryOperator<CertAuthSettings.Builder> uri = s -> s.boundUriSans("spiffe://example.org/*");
    cases.add(bound("URI spiffe://example.org/* matches a path under it", uri,
        sans(uri("spiffe://example.org/spire/server")), null));
    cases.add(bound("URI spiffe://example.org/* refuses the bare trust domain", uri,
        sans(uri("spiffe://example.org")), URI_REFUSED));
    cases.add(bound("URI refuses a look-alike trust domain", uri, sans(uri("spiffe://example.org.evil/spire")),
        URI_REFUSED));
    cases.add(bound("URI matching is case-sensitive", uri, sans(uri("spiffe://EXAMPLE.org/spire")), URI_REFUSED));

    UnaryOperator<CertAuthSettings.Builder> email = s -> s.boundEmailSans("*@example.org");
    cases.add(bound("email *@example.org matches spire@example.org", email, sans(emailAddress("spire@example.org")),
        null));
    cases.add(bound("email refuses another domain", email, sans(emailAddress("spire@example.org.evil")),
        EMAIL_REFUSED));
    cases.add(bound("email bound, no email SAN", email, sans(dnsName("example.org")), EMAIL_REFUSED));

    UnaryOperator<CertAuthSettings.Builder> ou = s -> s.boundOrganizationalUnits("spire");
    cases.add(bound("OU spire matches", ou, subject("CN=spire-server-1, OU=spire"), null));
    cases.add(bound("OU one of the certificate's units", ou, subject("CN=spire-server-1, OU=agents, OU=spire"),
        null));
    cases.add(bound("OU must be equal, not a prefix", ou, subject("CN=spire-server-1, OU=spire-servers"),
        OU_REFUSED));
    cases.add(bound("OU has no globbing", s -> s.boundOrganizationalUnits("spire*"),
        subject("CN=spire-server-1, OU=spire-x"), OU_REFUSED));
    cases.add(bound("OU absent", ou, leaf -> leaf, OU_REFUSED));

    UnaryOperator<CertAuthSettings.Builder> extension = s -> s.boundExtensions(EXTENSION_OID + ":prod-*");
    cases.add(bound("extension prod-* matches prod-eu", extension, extension(new DERUTF8String("prod-eu")), null));
    cases.add(bound("extension value must match", extension, extension(new DERUTF8String("staging")),
        EXTENSION_REFUSED));
    cases.add(bound("extension absent", extension, leaf -> leaf, EXTENSION_REFUSED));
    cases.add(bound("extension not a string", s -> s.boundExtensions(EXTENSION_OID + ":7"),
        extension(new ASN1Integer(7)), EXTENSION_REFUSED));
    cases.add(bound("every bound extension must match",
        s -> s.boundExtensions("1.3.6.1.4.1.55555.2:*", EXTENSION_OID + ":prod-*"),
        extension(new DERUTF8String("prod-eu")), "certificate does not match bound extension 1.3.6.1.4.1.55555.2"));
    return cases.stream();
  }

  private static Arguments bound(String name, UnaryOperator<CertAuthSettings.Builder> settings,
      UnaryOperator<CertificateMinter> leaf, String reason) {
    return Arguments.of(name, settings, leaf, reason);
  }

  private static UnaryOperator<CertificateMinter> subject(String name) {
    return leaf -> leaf.subject(new X500Principal(name));
  }

  private static UnaryOperator<CertificateMinter> sans(GeneralName... names) {
    return leaf -> leaf.extension("2.5.29.17", false, der(new GeneralNames(names)));
  }

  private static UnaryOperator<CertificateMinter> extension(ASN1Encodable value) {
    return leaf -> leaf.extension(EXTENSION_OID, false, der(value));
  }

  private static GeneralName dnsName(String name) {
    return new GeneralName(GeneralName.dNSName, name);
  }

  private static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }

  private static GeneralName emailAddress(String address) {
    return new GeneralName(GeneralName.rfc822Name, address);
  }

  private static byte[] der(ASN1Encodable value) {
    try {
      return value.toASN1Primitive().getEncoded();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Each bound, accepting what it should and refusing what it should, with shell-style globbing. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("bounds")
  void boundConstraints(String name, UnaryOperator<CertAuthSettings.Builder> settings,
      UnaryOperator<CertificateMinter> leafChange, String reason) {
    KeyPair key = KeyType.EC.key();
    ClientCertificate certificate = certificate(key.getPrivate(), leafChange.apply(leaf(key)).sign(null));
    if (reason == null) {
      accepted(method(settings), certificate);
    } else {
      refused(method(settings), certificate, reason);
    }
  }

  /** The leaf comes with its intermediate; revoking any certificate of the verified chain refuses it. */
  @ParameterizedTest(name = "revoked: {0}")
  @ValueSource(strings = {"nothing", "leaf", "intermediate", "root"})
  void revocation(String revoked) {
    KeyPair key = KeyType.EC.key();
    X509Certificate leaf = CertificateMinter.bare(key.getPublic()).subject(new X500Principal("CN=spire-server-1"))
        .ca(false).serverAndClientAuth(true).issuedBy(TestPki.INTERMEDIATE, TestPki.INTERMEDIATE_KEY.getPrivate())
        .sign(null);
    X509Certificate revokedCertificate = revoked.equals("leaf") ? leaf
        : revoked.equals("intermediate") ? TestPki.INTERMEDIATE : TestPki.ROOT;
    String accessId = method(settings -> revoked.equals("nothing") ? settings : settings.revoke(revokedCertificate));
    ClientCertificate certificate = certificate(key.getPrivate(), leaf, TestPki.INTERMEDIATE);
    if (revoked.equals("nothing")) {
      accepted(accessId, certificate);
    } else {
      refused(accessId, certificate,
          revoked.equals("leaf") ? "certificate is revoked" : "a certificate of the chain is revoked");
    }
  }

  @Test
  void expiredCertificate_isRefused() {
    KeyPair key = KeyType.EC.key();
    Instant now = gw.clock.instant();
    X509Certificate expired = leaf(key).validity(now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)))
        .sign(null);
    refused(method(), certificate(key.getPrivate(), expired),
        "certificate " + CertAuthSettings.certId(expired) + " has expired");
  }

  @Test
  void notYetValidCertificate_isRefused() {
    KeyPair key = KeyType.EC.key();
    Instant now = gw.clock.instant();
    X509Certificate early = leaf(key).validity(now.plus(Duration.ofHours(1)), now.plus(Duration.ofHours(2)))
        .sign(null);
    refused(method(), certificate(key.getPrivate(), early),
        "certificate " + CertAuthSettings.certId(early) + " is not yet valid");
  }

  @Test
  void certificateFromAnotherCa_isRefused() {
    KeyPair otherCaKey = TestPki.ecKey(87);
    X509Certificate otherCa = CertificateMinter.ca(otherCaKey.getPublic(), SpiffeId.parse("spiffe://other.test"))
        .sign(otherCaKey.getPrivate());
    KeyPair key = KeyType.EC.key();
    X509Certificate leaf = CertificateMinter.bare(key.getPublic()).subject(new X500Principal("CN=spire-server-1"))
        .ca(false).serverAndClientAuth(true).issuedBy(otherCa, otherCaKey.getPrivate()).sign(null);
    refused(method(), certificate(key.getPrivate(), leaf, otherCa),
        "certificate does not chain to the auth method's CA certificate");
  }

  @Test
  void certificateWithoutClientAuth_isRefused() {
    KeyPair key = KeyType.EC.key();
    X509Certificate serverOnly = CertificateMinter.bare(key.getPublic())
        .subject(new X500Principal("CN=spire-server-1")).ca(false)
        .extension("2.5.29.37", false, der(new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth)))
        .issuedBy(TestPki.ROOT, TestPki.ROOT_KEY.getPrivate()).sign(null);
    refused(method(), certificate(key.getPrivate(), serverOnly),
        "certificate is not for client authentication (extended key usage lacks clientAuth)");
  }

  @Test
  void authMethodPastAccessExpires_isRefused() {
    KeyPair key = KeyType.EC.key();
    String accessId = method(settings -> settings.accessExpires(gw.clock.instant().plusSeconds(30)));
    ClientCertificate certificate = certificate(key.getPrivate(), leaf(key).sign(null));
    accepted(accessId, certificate);
    gw.clock.advance(Duration.ofSeconds(30));
    refused(accessId, certificate, "the auth method's access has expired (access-expires)");
  }
}
