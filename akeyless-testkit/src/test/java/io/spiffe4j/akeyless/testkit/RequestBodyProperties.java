package io.spiffe4j.akeyless.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.spiffe4j.mint.KeyAlgorithm;
import java.net.URI;
import java.security.KeyPair;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.bouncycastle.asn1.x509.GeneralName;

/**
 * Random and mutated request bodies, sent over HTTP to every operation, always get a JSON answer with a status the
 * operation documents, and never a 500 or a stack trace.
 */
@Tag("property")
class RequestBodyProperties {
  private static final Map<Op, Set<Integer>> STATUSES = Map.of(
      Op.AUTH, Set.of(200, 401),
      Op.GET_CERT_CHALLENGE, Set.of(200, 400),
      Op.GET_PKI_CERTIFICATE, Set.of(200, 400, 401, 403, 404),
      Op.CREATE_PKI_CERT_ISSUER, Set.of(200, 400, 401, 409),
      Op.AUTH_METHOD_CREATE_CERT, Set.of(200, 400, 401, 409));
  private static final List<String> KEYS = List.of("access-id", "access-type", "access-key", "cert-data",
      "key-data", "cert-challenge", "signed-cert-challenge", "cloud-id", "k8s-auth-config-name",
      "k8s-service-account-token", "token", "cert-issuer-name", "csr-data-base64", "key-data-base64", "ttl",
      "max-path-len", "extended-key-usage", "alt-names", "uri-sans", "common-name", "name", "unique-identifier",
      "certificate-data", "bound-common-names", "bound-extensions", "revoked-cert-ids", "bound-ips",
      "access-expires", "is-ca", "key-usage", "allowed-uri-sans", "allowed-domains", "allowed-ip-sans", "json");

  private static AkeylessGateway gateway;
  private static GatewayHttp http;
  private static List<Object> interesting;

  @BeforeContainer
  static void start() {
    gateway = AkeylessGateway.builder().tokenLifetime(Duration.ofDays(1)).start();
    http = new GatewayHttp(gateway);
    Fixtures.ClientPki pki = new Fixtures.ClientPki();
    KeyPair key = Fixtures.key(KeyAlgorithm.EC_P256, 0);
    String certAccessId = gateway.createCertAuthMethod(CertAuthSettings.builder("prop-cert", pki.root).build());
    AccessKeyCredentials access = gateway.createAccessKeyAuthMethod("prop-key");
    TestIdentityProvider idp = TestIdentityProvider.builder().keyAlgorithm(KeyAlgorithm.EC_P256).build();
    String k8s = gateway.createCloudAuthMethod(CloudAuthSettings.kubernetes("prop-k8s", "c", idp).build());
    gateway.createPkiIssuer(PkiIssuerSettings.builder("prop-issuer", Duration.ofHours(1)).allowAnyName(true)
        .build());
    interesting = Arrays.asList(certAccessId, access.accessId(), access.accessKey(), k8s, gateway.issueToken(),
        GatewayHttp.certData(pki.leaf(key), pki.intermediate), GatewayHttp.certData(pki.root),
        Fixtures.b64(Fixtures.csrPem(Fixtures.csr(key, "CN=x",
            new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://example.org")))),
        idp.kubernetes("ns", "sa").signBase64(), "prop-issuer", "cert", "access_key", "api_key", "k8s", "gcp",
        "azure_ad", "common_name", "organizational_unit", "3600", "1h", "-1", "0", "c", "true",
        "1.2.3:*", "10.0.0.0/8", "", "\u003d", null);
  }

  @AfterContainer
  static void stop() {
    gateway.close();
  }

  @Provide
  Arbitrary<Object> scalar() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(24),
        Arbitraries.integers(),
        Arbitraries.longs(),
        Arbitraries.doubles(),
        Arbitraries.of(true, false),
        Arbitraries.of(interesting));
  }

  @Provide
  Arbitrary<Object> value() {
    return Arbitraries.oneOf(scalar(), scalar(), scalar(),
        scalar().list().ofMaxSize(3).map(list -> (Object) list),
        Arbitraries.maps(Arbitraries.of(KEYS), scalar()).ofMaxSize(2).map(map -> (Object) map));
  }

  @Provide
  Arbitrary<String> body() {
    Arbitrary<String> keys = Arbitraries.oneOf(Arbitraries.of(KEYS), Arbitraries.strings().ofMaxLength(8));
    Arbitrary<String> json = Arbitraries.maps(keys, value()).ofMaxSize(8).map(RequestBodyProperties::json);
    Arbitrary<String> garbage = Arbitraries.strings().ofMaxLength(40);
    Arbitrary<String> truncated = json.map(text -> text.substring(0, text.length() / 2));
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, json), net.jqwik.api.Tuple.of(1, garbage), net.jqwik.api.Tuple.of(1, truncated));
  }

  @Provide
  Arbitrary<Op> op() {
    return Arbitraries.of(STATUSES.keySet());
  }

  @Property(tries = 400)
  void everyBodyGetsAJsonAnswerWithADocumentedStatus(@ForAll("op") Op op, @ForAll("body") String body) {
    GatewayHttp.Reply reply = http.send(URI.create(gateway.url() + "/" + op.path().orElseThrow()), "POST", body);
    assertTrue(STATUSES.get(op).contains(reply.status), () -> op + " answered " + reply.status + ": " + reply.body);
    assertTrue(reply.contentType.startsWith("application/json"), reply.contentType);
    assertNotNull(reply.json, reply.body);
    assertTrue(reply.json.isObject(), reply.body);
    if (reply.status != 200) {
      JsonNode error = reply.json.get("error");
      assertTrue(reply.json.size() == 1 && error != null && error.isTextual(), reply.body);
      assertFalse(error.asText().contains("Exception") || error.asText().contains("\tat "), reply.body);
    } else {
      assertFalse(reply.json.has("error"), reply.body);
    }
  }

  private static String json(Map<String, Object> map) {
    try {
      return GatewayHttp.JSON.writeValueAsString(map);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
