package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bound constraints of certificate auth methods, each met and each violated, through the real challenge flow. */
class CertBoundsTest {
  private static final Fixtures.ClientPki PKI = new Fixtures.ClientPki();
  private static final KeyPair KEY = Fixtures.key(KeyAlgorithm.EC_P256, 0);
  private static final String ENVIRONMENT_OID = "1.3.6.1.4.1.99999.7";
  private static final String TEAM_OID = "1.3.6.1.4.1.99999.8";
  /** CN client.example.org, OU spire; DNS, URI and email SANs; two string extensions. */
  private static final X509Certificate LEAF = PKI.leaf(KEY, minter -> minter
      .extension("2.5.29.17", false, Fixtures.sans(
          new GeneralName(GeneralName.dNSName, "a.example.org"),
          new GeneralName(GeneralName.dNSName, "b.example.org"),
          new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org/ns/spire/sa/spire-server"),
          new GeneralName(GeneralName.rfc822Name, "ops@example.org")))
      .extension(ENVIRONMENT_OID, false, utf8("prod-eu-1"))
      .extension(TEAM_OID, false, utf8("team:a")));
  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static int methods;

  @BeforeAll
  static void start() {
    gateway = AkeylessGateway.builder().start();
    http = new GatewayHttp(gateway);
  }

  @AfterAll
  static void stop() {
    gateway.close();
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource(delimiter = '|', value = {
      "cn    | client.example.org           | ok",
      "cn    | client.*                     | ok",
      "cn    | *                            | ok",
      "cn    | *.example.*                  | ok",
      "cn    | Client.example.org           | bound-common-names",
      "cn    | client.example.or?           | bound-common-names",
      "cn    | server.*                     | bound-common-names",
      "cn    | client.example.org.*         | bound-common-names",
      "dns   | b.example.org                | ok",
      "dns   | *.example.org                | ok",
      "dns   | *.example.net                | bound-dns-sans",
      "dns   | example.org                  | bound-dns-sans",
      "uri   | spiffe://example.org/*       | ok",
      "uri   | spiffe://example.org/ns/*/sa/spire-server | ok",
      "uri   | spiffe://example.org/ns/*/sa/agent        | bound-uri-sans",
      "uri   | spiffe://example.org         | bound-uri-sans",
      "uri   | spiffe://other.org/*         | bound-uri-sans",
      "email | *@example.org                | ok",
      "email | ops@example.org              | ok",
      "email | ops@example.net              | bound-email-sans",
      "ou    | spire                        | ok",
      "ou    | spir*                        | bound-organizational-units",
      "ou    | SPIRE                        | bound-organizational-units",
      "ext   | 1.3.6.1.4.1.99999.7:prod-eu-1 | ok",
      "ext   | 1.3.6.1.4.1.99999.7:prod-*   | ok",
      "ext   | 1.3.6.1.4.1.99999.8:team:*   | ok",
      "ext   | 1.3.6.1.4.1.99999.7:dev-*    | bound extension 1.3.6.1.4.1.99999.7",
      "ext   | 1.3.6.1.4.1.99999.9:*        | bound extension 1.3.6.1.4.1.99999.9",
  })
  void eachBoundIsEnforced(String kind, String pattern, String expected) {
    CertAuthSettings.Builder builder = CertAuthSettings.builder("bounds-" + methods++, PKI.root);
    switch (kind) {
      case "cn":
        builder.boundCommonNames(pattern);
        break;
      case "dns":
        builder.boundDnsSans(pattern);
        break;
      case "uri":
        builder.boundUriSans(pattern);
        break;
      case "email":
        builder.boundEmailSans(pattern);
        break;
      case "ou":
        builder.boundOrganizationalUnits(pattern);
        break;
      default:
        builder.boundExtensions(pattern);
    }
    GatewayHttp.Reply reply = http.certAuth(gateway.createCertAuthMethod(builder.build()), KEY.getPrivate(), LEAF,
        PKI.intermediate);
    if (expected.equals("ok")) {
      reply.assertOk();
    } else {
      reply.assertError(401, expected);
    }
  }

  @Test
  void oneMatchingPatternOfSeveralIsEnough() {
    String accessId = gateway.createCertAuthMethod(CertAuthSettings.builder("any-of", PKI.root)
        .boundCommonNames("nope", "client.*").boundUriSans("spiffe://x/*", "spiffe://example.org/ns/spire/*")
        .boundOrganizationalUnits("other", "spire").build());
    http.certAuth(accessId, KEY.getPrivate(), LEAF, PKI.intermediate).assertOk();
  }

  @Test
  void everyBoundExtensionMustMatch() {
    String both = gateway.createCertAuthMethod(CertAuthSettings.builder("ext-all", PKI.root)
        .boundExtensions(ENVIRONMENT_OID + ":prod-*", TEAM_OID + ":team:a").build());
    http.certAuth(both, KEY.getPrivate(), LEAF, PKI.intermediate).assertOk();
    String oneWrong = gateway.createCertAuthMethod(CertAuthSettings.builder("ext-one-wrong", PKI.root)
        .boundExtensions(ENVIRONMENT_OID + ":prod-*", TEAM_OID + ":team:b").build());
    http.certAuth(oneWrong, KEY.getPrivate(), LEAF, PKI.intermediate)
        .assertError(401, "bound extension " + TEAM_OID);
  }

  @Test
  void aBoundExtensionWhoseValueIsNotAStringNeverMatches() throws IOException {
    byte[] integer = new ASN1Integer(7).getEncoded(ASN1Encoding.DER);
    X509Certificate leaf = PKI.leaf(KEY, minter -> minter.extension(ENVIRONMENT_OID, false, integer));
    String accessId = gateway.createCertAuthMethod(CertAuthSettings.builder("ext-integer", PKI.root)
        .boundExtensions(ENVIRONMENT_OID + ":*").build());
    http.certAuth(accessId, KEY.getPrivate(), leaf, PKI.intermediate)
        .assertError(401, "bound extension " + ENVIRONMENT_OID);
  }

  @Test
  void boundSansNeedACertificateWithSuchSans() {
    X509Certificate bare = PKI.leaf(KEY);
    String accessId = gateway.createCertAuthMethod(CertAuthSettings.builder("needs-dns", PKI.root)
        .boundDnsSans("*").build());
    http.certAuth(accessId, KEY.getPrivate(), bare, PKI.intermediate).assertError(401, "bound-dns-sans");
  }

  @Test
  void theUniqueIdentifierMustBePresent() {
    X509Certificate noCommonName = PKI.leaf(KEY, minter -> minter.subject(new X500Principal("OU=spire, O=Example")));
    X509Certificate noUnit = PKI.leaf(KEY, minter -> minter.subject(new X500Principal("CN=client, O=Example")));
    String byCommonName = gateway.createCertAuthMethod(CertAuthSettings.builder("by-cn", PKI.root).build());
    String byUnit = gateway.createCertAuthMethod(CertAuthSettings.builder("by-ou", PKI.root)
        .uniqueIdentifier(CertAuthSettings.UniqueIdentifier.ORGANIZATIONAL_UNIT).build());
    http.certAuth(byCommonName, KEY.getPrivate(), noCommonName, PKI.intermediate).assertError(401, "no common name");
    http.certAuth(byUnit, KEY.getPrivate(), noUnit, PKI.intermediate).assertError(401, "no organizational unit");
    http.certAuth(byUnit, KEY.getPrivate(), noCommonName, PKI.intermediate).assertOk();
  }

  @Test
  void malformedBoundExtensionsAreRefusedAtSetUp() {
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> CertAuthSettings.builder("bad", PKI.root).boundExtensions("no-colon"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> CertAuthSettings.builder("bad", PKI.root).boundExtensions("not.an.oid:x"));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> CertAuthSettings.builder("bad", PKI.root).revokedCertIds("xyz"));
  }

  private static byte[] utf8(String value) {
    try {
      return new DERUTF8String(value).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
