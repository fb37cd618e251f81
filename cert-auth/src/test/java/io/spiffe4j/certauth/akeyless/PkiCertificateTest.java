package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.SuiteSecrets.assertThrows;
import static io.spiffe4j.certauth.akeyless.StubGateway.JSON;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.certauth.akeyless.PkiCertificateRequest.ExtendedKeyUsage;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import io.spiffe4j.internal.Pem;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /get-pki-certificate}: the request body, and every answer shape a gateway may plausibly send. */
class PkiCertificateTest {
  private static final KeyPair KEY = TestPki.ecKey(20);
  private static final byte[] CSR = TestPki.csr(KEY, "spire-ca");

  private final StubGateway gateway = StubGateway.http()
      .on("auth", request -> Reply.ok("token", "t-pki", "expiration", "2099-01-01T00:00:00Z"));
  private final AkeylessClient client = AkeylessClient.builder(gateway.url(),
      AkeylessAuth.accessKey("p-pki", "ak")).retryPolicy(RetryPolicy.none()).build();

  @AfterEach
  void stop() {
    client.close();
    gateway.close();
  }

  private static PkiCertificateRequest request() {
    return PkiCertificateRequest.builder("/pki/spire-issuer").csr(CSR).ttl(Duration.ofHours(1)).build();
  }

  private static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  private static String b64(String text) {
    return b64(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static byte[] der(X509Certificate... certificates) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (X509Certificate certificate : certificates) {
      out.writeBytes(Certificates.encoded(certificate));
    }
    return out.toByteArray();
  }

  @Test
  void requestBody_hasKebabKeysTtlAsStringCsrAsBase64PemAndTheToken() throws Exception {
    AtomicReference<JsonNode> seen = new AtomicReference<>();
    gateway.on("get-pki-certificate", request -> {
      seen.set(request);
      X509Certificate leaf = TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1));
      return Reply.ok("data", TestPki.pem(leaf), "parent_cert", TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT));
    });
    client.getPkiCertificate(PkiCertificateRequest.builder("/pki/spire-issuer")
        .csr(Pem.encode("CERTIFICATE REQUEST", CSR).getBytes(StandardCharsets.US_ASCII))
        .ttl(Duration.ofMinutes(90))
        .uriSans(List.of("spiffe://example.org", "spiffe://example.org/x"))
        .altNames(List.of("ca.example.org"))
        .commonName("SPIRE CA")
        .extendedKeyUsage(EnumSet.of(ExtendedKeyUsage.SERVER_AUTH, ExtendedKeyUsage.CLIENT_AUTH), true)
        .build());

    ObjectNode expected = JSON.createObjectNode()
        .put("cert-issuer-name", "/pki/spire-issuer")
        .put("csr-data-base64", b64(Pem.encode("CERTIFICATE REQUEST", CSR)))
        .put("ttl", "5400")
        .put("uri-sans", "spiffe://example.org,spiffe://example.org/x")
        .put("alt-names", "ca.example.org")
        .put("common-name", "SPIRE CA")
        .put("extended-key-usage", "clientauth,serverauth,critical")
        .put("token", "t-pki");
    assertEquals(expected, seen.get());
    assertTrue(seen.get().get("ttl").isTextual(), "ttl is a JSON string");
    assertEquals(null, gateway.requests("get-pki-certificate").get(0).headers.getFirst("Authorization"));
  }

  @Test
  void derAndPemCsr_areSentTheSameWay() {
    AtomicReference<String> fromDer = new AtomicReference<>();
    gateway.on("get-pki-certificate", request -> {
      fromDer.set(request.get("csr-data-base64").asText());
      return Reply.ok("data", TestPki.pem(TestPki.issueFromCsrField(fromDer.get(), Duration.ofHours(1))));
    });
    client.getPkiCertificate(request());
    String derSent = fromDer.get();
    client.getPkiCertificate(PkiCertificateRequest.builder("/pki/spire-issuer")
        .csr(Pem.encode("CERTIFICATE REQUEST", CSR).getBytes(StandardCharsets.US_ASCII))
        .ttl(Duration.ofHours(1)).build());
    assertEquals(derSent, fromDer.get());
  }

  @Test
  void minimalRequest_sendsOnlyIssuerCsrTtlAndToken() {
    AtomicReference<JsonNode> seen = new AtomicReference<>();
    gateway.on("get-pki-certificate", request -> {
      seen.set(request);
      return Reply.ok("data", TestPki.pem(TestPki.issueFromCsrField(request.get("csr-data-base64").asText(),
          Duration.ofHours(1))));
    });
    client.getPkiCertificate(request());
    List<String> keys = new java.util.ArrayList<>();
    seen.get().fieldNames().forEachRemaining(keys::add);
    assertEquals(List.of("cert-issuer-name", "csr-data-base64", "ttl", "token"), keys);
    assertEquals("3600", seen.get().get("ttl").asText());
  }

  /** How the gateway encodes {@code data} and {@code parent_cert}. */
  enum Shape {
    PEM_LEAF_AND_PEM_PARENT_CHAIN(leaf -> answer(TestPki.pem(leaf), TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT))),
    BASE64_PEM(leaf -> answer(b64(TestPki.pem(leaf)), b64(TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT)))),
    BASE64_DER(leaf -> answer(b64(der(leaf)), b64(der(TestPki.INTERMEDIATE, TestPki.ROOT)))),
    BASE64_DER_WITH_LINE_BREAKS(leaf -> answer(Base64.getMimeEncoder().encodeToString(der(leaf)),
        Base64.getMimeEncoder().encodeToString(der(TestPki.INTERMEDIATE, TestPki.ROOT)))),
    WHOLE_CHAIN_IN_DATA(leaf -> answer(TestPki.pem(leaf, TestPki.INTERMEDIATE, TestPki.ROOT), null)),
    WHOLE_CHAIN_IN_DATA_AS_BASE64_DER(leaf -> answer(b64(der(leaf, TestPki.INTERMEDIATE, TestPki.ROOT)), null)),
    WHOLE_CHAIN_IN_DATA_AND_PARENT_REPEATED(leaf -> answer(TestPki.pem(leaf, TestPki.INTERMEDIATE, TestPki.ROOT),
        TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT))),
    DUPLICATES_EVERYWHERE(leaf -> answer(TestPki.pem(leaf, leaf, TestPki.INTERMEDIATE),
        TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT, TestPki.ROOT, leaf))),
    CHAIN_OUT_OF_ORDER(leaf -> answer(TestPki.pem(TestPki.ROOT, leaf), TestPki.pem(TestPki.INTERMEDIATE))),
    PEM_WITH_CRLF_AND_TEXT_AROUND(leaf -> answer(
        ("subject=CN=spire-ca\n" + TestPki.pem(leaf)).replace("\n", "\r\n"),
        TestPki.pem(TestPki.INTERMEDIATE) + "\n\n" + TestPki.pem(TestPki.ROOT)));

    final Function<X509Certificate, ObjectNode> answer;

    Shape(Function<X509Certificate, ObjectNode> answer) {
      this.answer = answer;
    }

    private static ObjectNode answer(String data, String parent) {
      ObjectNode json = JSON.createObjectNode().put("data", data).put("cert_display_id", "disp-1");
      if (parent != null) {
        json.put("parent_cert", parent);
      }
      return json;
    }
  }

  @ParameterizedTest
  @EnumSource(Shape.class)
  void everyAnswerShape_givesLeafIntermediatesAndRoots(Shape shape) {
    AtomicReference<X509Certificate> issued = new AtomicReference<>();
    gateway.on("get-pki-certificate", request -> {
      issued.set(TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1)));
      return Reply.json(200, shape.answer.apply(issued.get()).toString());
    });
    IssuedCertificate result = client.getPkiCertificate(request());
    assertEquals(issued.get(), result.leaf());
    assertEquals(List.of(TestPki.INTERMEDIATE), result.intermediates());
    assertEquals(List.of(TestPki.ROOT), result.roots());
    assertEquals(List.of(issued.get(), TestPki.INTERMEDIATE), result.chain());
    assertEquals("disp-1", result.displayId().orElseThrow());
  }

  @Test
  void leafOnly_hasNoIntermediatesAndNoRoots() {
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(
        TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1)))));
    IssuedCertificate result = client.getPkiCertificate(request());
    assertEquals(List.of(), result.intermediates());
    assertEquals(List.of(), result.roots());
    assertTrue(result.displayId().isEmpty());
  }

  @Test
  void issuedDirectlyByRoot_hasNoIntermediates() {
    KeyPair other = TestPki.ecKey(21);
    X509Certificate leaf = io.spiffe4j.mint.CertificateMinter.bare(KEY.getPublic())
        .subject(new javax.security.auth.x500.X500Principal("CN=spire-ca"))
        .issuedBy(TestPki.ROOT, TestPki.ROOT_KEY.getPrivate()).sign(null);
    X509Certificate unrelatedRoot = io.spiffe4j.mint.CertificateMinter.ca(other.getPublic(),
        io.spiffe4j.id.SpiffeId.parse("spiffe://other.test")).sign(other.getPrivate());
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(leaf),
        "parent_cert", TestPki.pem(TestPki.ROOT, unrelatedRoot)));
    IssuedCertificate result = client.getPkiCertificate(request());
    assertEquals(List.of(), result.intermediates());
    assertEquals(List.of(TestPki.ROOT, unrelatedRoot), result.roots());
  }

  @Test
  void unknownResponseFields_areIgnored() {
    gateway.on("get-pki-certificate", request -> {
      X509Certificate leaf = TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1));
      ObjectNode answer = JSON.createObjectNode().put("data", TestPki.pem(leaf))
          .put("parent_cert", TestPki.pem(TestPki.INTERMEDIATE))
          .put("cert_display_id", "d-2").put("cert_item_id", 123).put("path", "/certs/x")
          .put("reading_token", "r").put("brand_new_field", true);
      answer.putObject("http_challenge_info").put("file_content", "").put("something_else", 1);
      answer.putArray("future_list").add(1).add("x");
      return Reply.json(200, answer.toString());
    });
    gateway.on("auth", request -> Reply.json(200, "{\"token\":\"t-1\",\"expiration\":\"2099-01-01T00:00:00Z\","
        + "\"creds\":{\"access_id\":\"p\",\"expiry\":1,\"csrf_token\":\"c\"},\"new_field\":1,"
        + "\"complete_auth_link\":\"\"}"));
    IssuedCertificate result = client.getPkiCertificate(request());
    assertEquals(List.of(TestPki.INTERMEDIATE), result.intermediates());
    assertEquals("d-2", result.displayId().orElseThrow());
  }

  @Test
  void certificateForAnotherKey_isProtocolError() {
    X509Certificate foreign = TestPki.clientCertificate(TestPki.ecKey(22), "someone-else");
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(foreign)));
    AkeylessException e = assertThrows(AkeylessException.class, () -> client.getPkiCertificate(request()));
    assertEquals(Kind.PROTOCOL, e.kind());
    assertTrue(e.getMessage().contains("public key"), e.getMessage());
  }

  @Test
  void missingOrUnreadableData_isProtocolError() {
    for (String answer : List.of("{}", "{\"data\":\"\"}", "{\"data\":\"!!!not base64!!!\"}",
        "{\"data\":\"" + b64("plain text, not a certificate") + "\"}",
        "{\"data\":\"-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"}",
        "{\"data\":\"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}",
        "{\"data\":12345}", "{\"data\":[\"x\"]}")) {
      gateway.on("get-pki-certificate", request -> Reply.json(200, answer));
      AkeylessException e = assertThrows(AkeylessException.class, () -> client.getPkiCertificate(request()),
          answer);
      assertEquals(Kind.PROTOCOL, e.kind(), answer);
      assertEquals("get-pki-certificate", e.operation());
    }
  }

  @Test
  void unreadableParentCert_isProtocolError() {
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(
        TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1))),
        "parent_cert", "garbage!"));
    assertEquals(Kind.PROTOCOL,
        assertThrows(AkeylessException.class, () -> client.getPkiCertificate(request())).kind());
  }

  @Test
  void issuerErrors_areTyped() {
    int[] statuses = {400, 403, 404, 422};
    Kind[] kinds = {Kind.REJECTED, Kind.PERMISSION_DENIED, Kind.NOT_FOUND, Kind.REJECTED};
    for (int i = 0; i < statuses.length; i++) {
      int status = statuses[i];
      gateway.on("get-pki-certificate", request -> Reply.error(status, "issuer /pki/spire-issuer: no"));
      AkeylessException e = assertThrows(AkeylessException.class, () -> client.getPkiCertificate(request()));
      assertEquals(kinds[i], e.kind());
      assertEquals(status, e.httpStatus().getAsInt());
      assertEquals("issuer /pki/spire-issuer: no", e.serverError().orElseThrow());
      assertEquals(false, e.isRetryable());
    }
  }

  @Test
  void malformedCsr_isInvalidInputBeforeAnythingIsSent() {
    AkeylessException e = assertThrows(AkeylessException.class, () -> PkiCertificateRequest.builder("i")
        .csr("not a csr".getBytes(StandardCharsets.US_ASCII)).ttl(Duration.ofHours(1)).build());
    assertEquals(Kind.INVALID_INPUT, e.kind());
    assertEquals(Kind.INVALID_INPUT, assertThrows(AkeylessException.class, () -> PkiCertificateRequest.builder("i")
        .csr(Pem.encode("CERTIFICATE", CSR).getBytes(StandardCharsets.US_ASCII))
        .ttl(Duration.ofHours(1)).build()).kind());
    assertTrue(gateway.requests.isEmpty());
  }

  @Test
  void builderChecksItsArguments() {
    assertThrows(IllegalArgumentException.class, () -> PkiCertificateRequest.builder(" "));
    assertThrows(IllegalArgumentException.class, () -> PkiCertificateRequest.builder("i").ttl(Duration.ofMillis(999)));
    assertThrows(IllegalArgumentException.class,
        () -> PkiCertificateRequest.builder("i").uriSans(List.of("spiffe://a,spiffe://b")));
    assertThrows(IllegalStateException.class, () -> PkiCertificateRequest.builder("i").csr(CSR).build());
    assertThrows(IllegalStateException.class,
        () -> PkiCertificateRequest.builder("i").ttl(Duration.ofHours(1)).build());
  }

  @Test
  void toString_namesTheCertificateNotItsBody() {
    gateway.on("get-pki-certificate", request -> Reply.ok("data", TestPki.pem(
        TestPki.issueFromCsrField(request.get("csr-data-base64").asText(), Duration.ofHours(1))),
        "parent_cert", TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT), "cert_display_id", "d-9"));
    IssuedCertificate result = client.getPkiCertificate(request());
    String text = result.toString();
    assertTrue(text.contains("CN=spire-ca") && text.contains("d-9") && !text.contains("MII"), text);
  }
}
