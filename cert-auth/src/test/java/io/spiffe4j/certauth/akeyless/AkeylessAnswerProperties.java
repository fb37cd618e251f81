package io.spiffe4j.certauth.akeyless;

import static io.spiffe4j.certauth.akeyless.StubGateway.JSON;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.SuiteSecrets;
import io.spiffe4j.certauth.akeyless.StubGateway.Reply;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Whatever a gateway answers (random JSON built from the API's own field names, mutated valid answers, random
 * bytes, any status and content type), the client returns a valid result or throws an {@link AkeylessException};
 * never a Jackson, JDK parser or runtime exception.
 */
@Tag("property")
class AkeylessAnswerProperties {
  private static final List<String> FIELDS = List.of("token", "expiration", "challenge", "data", "parent_cert",
      "cert_display_id", "error", "creds", "x");
  private static final X509Certificate LEAF_FOR_OTHER_KEY = TestPki.clientCertificate(TestPki.ecKey(60), "other");
  private static final PkiCertificateRequest REQUEST = PkiCertificateRequest.builder("issuer")
      .csr(TestPki.csr(TestPki.ecKey(61), "spire-ca")).ttl(Duration.ofHours(1)).build();

  private static StubGateway gateway;
  private static FakeTime time;
  private static AkeylessClient accessKeyClient;
  private static AkeylessClient certificateClient;
  private static volatile String target = "";
  private static volatile Reply answer;

  @BeforeContainer
  static void start() {
    time = new FakeTime();
    gateway = StubGateway.http()
        .on("auth", request -> answerFor("auth", Reply.ok("token", "t-ok")))
        .on("get-cert-challenge", request -> answerFor("get-cert-challenge", Reply.ok("challenge", "AAAA")))
        .on("get-pki-certificate", request -> answerFor("get-pki-certificate", Reply.error(500, "unscripted")));
    accessKeyClient = client(AkeylessAuth.accessKey("p-1", "ak"));
    certificateClient = client(AkeylessAuth.certificate("p-2", TestPki.clientCertificate(TestPki.ecKey(62),
        TestPki.clientCertificate(TestPki.ecKey(62), "client"))));
  }

  /** The scripted answer for the operation under test; a plain success for the others. */
  private static Reply answerFor(String op, Reply otherwise) {
    return op.equals(target) ? answer : otherwise;
  }

  private static AkeylessClient client(AkeylessAuth auth) {
    return AkeylessClient.builder(gateway.url(), auth).retryPolicy(RetryPolicy.none()).clock(time).sleeper(time)
        .build();
  }

  @AfterContainer
  static void stop() {
    accessKeyClient.close();
    certificateClient.close();
    gateway.close();
  }

  @Property(tries = 250)
  void authAnswer_givesTokenOrTypedError(@ForAll("answers") Reply reply) {
    script("auth", reply);
    try {
      AkeylessToken token = accessKeyClient.token();
      assertFalse(token.reveal().isBlank());
    } catch (AkeylessException expected) {
      assertCleanMessage(expected);
    }
  }

  @Property(tries = 200)
  void challengeAnswer_givesTokenOrTypedError(@ForAll("answers") Reply reply) {
    script("get-cert-challenge", reply);
    try {
      certificateClient.token();
    } catch (AkeylessException expected) {
      assertCleanMessage(expected);
    }
  }

  @Property(tries = 300)
  void pkiAnswer_givesCertificateOrTypedError(@ForAll("pkiAnswers") Reply reply) {
    script("get-pki-certificate", reply);
    try {
      IssuedCertificate issued = accessKeyClient.getPkiCertificate(REQUEST);
      assertArrayEquals(REQUEST.publicKeyInfo(), issued.leaf().getPublicKey().getEncoded());
    } catch (AkeylessException expected) {
      assertCleanMessage(expected);
    }
  }

  /** Every try authenticates anew: the cached token is a day old by then. */
  private static void script(String op, Reply reply) {
    target = op;
    answer = reply;
    time.advance(Duration.ofDays(1));
  }

  private static void assertCleanMessage(AkeylessException e) {
    SuiteSecrets.observe(e);
    assertTrue(e.getMessage().length() < 1000, e.getMessage());
    assertFalse(e.getMessage().contains("com.fasterxml"), e.getMessage());
  }

  @Provide
  Arbitrary<Reply> answers() {
    return Arbitraries.oneOf(jsonReplies(json(3)), byteReplies(),
        mutated(Reply.ok("token", "t-1", "expiration", "2099-01-01T00:00:00Z", "challenge",
            Base64.getEncoder().encodeToString(new byte[32]))));
  }

  @Provide
  Arbitrary<Reply> pkiAnswers() {
    String validData = TestPki.pem(TestPki.INTERMEDIATE, TestPki.ROOT);
    return Arbitraries.oneOf(jsonReplies(json(3)), byteReplies(),
        mutated(Reply.ok("data", validData, "parent_cert", TestPki.pem(TestPki.ROOT), "cert_display_id", "d")),
        mutated(Reply.ok("data", Base64.getEncoder().encodeToString(Certificates.encoded(TestPki.ROOT)))));
  }

  private static Arbitrary<Reply> jsonReplies(Arbitrary<JsonNode> bodies) {
    return Combinators.combine(statuses(), contentTypes(), bodies)
        .as((status, type, body) -> new Reply(status, type, body.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private static Arbitrary<Reply> byteReplies() {
    return Combinators.combine(statuses(), contentTypes(), Arbitraries.bytes().array(byte[].class).ofMaxSize(200))
        .as(Reply::new);
  }

  /** A valid answer with a few bytes replaced: deep into the certificate and base64 decoders. */
  private static Arbitrary<Reply> mutated(Reply valid) {
    return Arbitraries.integers().between(0, valid.body.length - 1).list().ofMinSize(1).ofMaxSize(4)
        .flatMap(positions -> Arbitraries.bytes().list().ofSize(positions.size()).map(values -> {
          byte[] body = valid.body.clone();
          for (int i = 0; i < positions.size(); i++) {
            body[positions.get(i)] = values.get(i);
          }
          return new Reply(200, "application/json", body);
        }));
  }

  private static Arbitrary<Integer> statuses() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(8, Arbitraries.just(200)),
        net.jqwik.api.Tuple.of(2, Arbitraries.of(201, 204, 302, 400, 401, 403, 404, 418, 500, 502, 503, 599)));
  }

  private static Arbitrary<String> contentTypes() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(6, Arbitraries.just("application/json")),
        net.jqwik.api.Tuple.of(1, Arbitraries.of("text/html", "application/json; charset=utf-8",
            "application/problem+json", "", ";;;", "APPLICATION/JSON")),
        net.jqwik.api.Tuple.of(1, Arbitraries.just((String) null)));
  }

  private static Arbitrary<JsonNode> json(int depth) {
    Arbitrary<JsonNode> leaves = Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(40).map(JsonNodeFactory.instance::textNode),
        Arbitraries.of("", " ", "AAAA", "====", "-----BEGIN CERTIFICATE-----",
            TestPki.pem(TestPki.ROOT), TestPki.pem(LEAF_FOR_OTHER_KEY),
            Base64.getEncoder().encodeToString(TestPki.pem(TestPki.ROOT).getBytes(StandardCharsets.US_ASCII)),
            Base64.getEncoder().encodeToString(Certificates.encoded(TestPki.INTERMEDIATE)),
            "2099-01-01T00:00:00Z", "1", "9999999999999", "t-x").map(JsonNodeFactory.instance::textNode),
        Arbitraries.longs().map(JsonNodeFactory.instance::numberNode),
        Arbitraries.doubles().map(JsonNodeFactory.instance::numberNode),
        Arbitraries.of(JsonNodeFactory.instance.booleanNode(true), JsonNodeFactory.instance.nullNode()));
    if (depth == 0) {
      return leaves;
    }
    Arbitrary<JsonNode> children = json(depth - 1);
    Arbitrary<JsonNode> objects = Arbitraries.maps(Arbitraries.of(FIELDS), children).ofMaxSize(5).map(map -> {
      ObjectNode object = JSON.createObjectNode();
      map.forEach(object::set);
      return object;
    });
    Arbitrary<JsonNode> arrays = children.list().ofMaxSize(3).map(list -> {
      ArrayNode array = JSON.createArrayNode();
      list.forEach(array::add);
      return array;
    });
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(5, objects), net.jqwik.api.Tuple.of(1, arrays), net.jqwik.api.Tuple.of(1, leaves));
  }
}
