package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.TestMaterial.DB;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.FEDERATED;
import static io.spiffe4j.workloadapi.TestMaterial.WEB;
import static io.spiffe4j.workloadapi.TestMaterial.svid;
import static io.spiffe4j.workloadapi.TestMaterial.x509Response;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Struct;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.JWTSVID;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVID;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Message mapping and the checks of mandatory fields, without a server. */
class ResponsesTest {

  @Test
  void WAPI_15_defaultSvidIsTheFirstAndOrderIsKept() {
    X509Context context = Responses.x509Context(x509Response(true, svid(DB, "internal"), svid(WEB, "external")));
    assertEquals(List.of(DB, WEB), context.svids().stream().map(s -> s.id()).toList());
    assertEquals(DB, context.defaultSvid().id());
    assertEquals(DB, context.x509Svid().id());
    assertEquals(WEB, context.svidWithHint("external").orElseThrow().id());
    assertTrue(context.svidWithHint("").isEmpty());
    assertEquals(java.util.Set.of(EXAMPLE, FEDERATED), context.bundles().trustDomains());
    assertEquals(List.of(TestMaterial.FEDERATED_CA), context.x509BundleFor(FEDERATED).x509Authorities());
  }

  @Test
  void WAPI_08_duplicateHintKeepsTheFirst() {
    X509Context context = Responses.x509Context(
        x509Response(false, svid(WEB, "same"), svid(DB, "same"), svid(DB, ""), svid(WEB, "")));
    assertEquals(List.of(WEB, DB, WEB), context.svids().stream().map(s -> s.id()).toList());
    assertEquals(WEB, context.svidWithHint("same").orElseThrow().id());
  }

  @Test
  void WAPI_08_ownBundleWinsOverAFederatedEntryForTheSameTrustDomain() {
    X509SVIDResponse response = x509Response(false, svid(WEB, "")).toBuilder()
        .putFederatedBundles(EXAMPLE.idString(), TestMaterial.der(TestMaterial.FEDERATED_CA))
        .build();
    assertEquals(List.of(TestMaterial.EXAMPLE_CA),
        Responses.x509Context(response).x509BundleFor(EXAMPLE).x509Authorities());
  }

  @Test
  void WAPI_06_emptyOrIncompleteX509ResponsesAreInvalid() {
    X509SVID good = svid(WEB, "");
    assertInvalid("WAPI-08", () -> Responses.x509Context(X509SVIDResponse.getDefaultInstance()));
    assertInvalid("WAPI-08", () -> Responses.x509Context(x509Response(false, good.toBuilder().clearSpiffeId().build())));
    assertInvalid("WAPI-08", () -> Responses.x509Context(x509Response(false, good.toBuilder().clearX509Svid().build())));
    assertInvalid("WAPI-08",
        () -> Responses.x509Context(x509Response(false, good.toBuilder().clearX509SvidKey().build())));
    assertInvalid("WAPI-08", () -> Responses.x509Context(x509Response(false, good.toBuilder().clearBundle().build())));
    assertInvalid("WAPI-08",
        () -> Responses.x509Context(x509Response(false, good.toBuilder().setSpiffeId(DB.toString()).build())));
  }

  @Test
  void malformedMaterialIsAnInvalidResponseNamingTheCoreRule() {
    X509SVID garbage = svid(WEB, "").toBuilder().setX509Svid(ByteString.copyFromUtf8("not DER")).build();
    WorkloadApiException e = assertInvalid(null, () -> Responses.x509Context(x509Response(false, garbage)));
    assertTrue(e.getCause() instanceof io.spiffe4j.SpiffeException);
    X509SVIDResponse badFederatedKey = x509Response(false, svid(WEB, "")).toBuilder()
        .putFederatedBundles("spiffe://Not Valid", TestMaterial.der(TestMaterial.FEDERATED_CA)).build();
    assertInvalid(null, () -> Responses.x509Context(badFederatedKey));
    X509SVIDResponse badFederatedBundle = x509Response(false, svid(WEB, "")).toBuilder()
        .putFederatedBundles(FEDERATED.idString(), ByteString.copyFromUtf8("junk")).build();
    assertInvalid(null, () -> Responses.x509Context(badFederatedBundle));
  }

  @Test
  void WAPI_09_x509BundlesKeyedByTrustDomainId() {
    BundleSet bundles = Responses.x509Bundles(TestMaterial.x509Bundles(true));
    assertEquals(java.util.Set.of(EXAMPLE, FEDERATED), bundles.trustDomains());
    assertInvalid("WAPI-09", () -> Responses.x509Bundles(X509BundlesResponse.getDefaultInstance()));
    assertInvalid("WAPI-09", () -> Responses.x509Bundles(X509BundlesResponse.newBuilder()
        .putBundles(EXAMPLE.idString(), TestMaterial.der(TestMaterial.EXAMPLE_CA))
        .putBundles(EXAMPLE.name(), TestMaterial.der(TestMaterial.EXAMPLE_CA)).build()));
  }

  @Test
  void WAPI_11_jwtBundleKeysWithoutUseAccepted() {
    JWTBundlesResponse response = TestMaterial.jwtBundles();
    assertFalse(response.getBundlesMap().get(EXAMPLE.idString()).toStringUtf8().contains("\"use\""));
    BundleSet bundles = Responses.jwtBundles(response);
    assertEquals(TestMaterial.jwtBundle(), bundles.jwtBundleFor(EXAMPLE));
    assertInvalid("WAPI-11", () -> Responses.jwtBundles(JWTBundlesResponse.getDefaultInstance()));
  }

  @Test
  void WAPI_10_jwtSvidsMapped() {
    String token = TestMaterial.token(WEB, "aud");
    JWTSVIDResponse response = JWTSVIDResponse.newBuilder()
        .addSvids(JWTSVID.newBuilder().setSpiffeId(WEB.toString()).setSvid(token)).build();
    assertEquals(WEB, Responses.jwtSvids(response).get(0).id());
    assertEquals(token, Responses.jwtSvids(response).get(0).token());
    assertInvalid("WAPI-10", () -> Responses.jwtSvids(JWTSVIDResponse.getDefaultInstance()));
    assertInvalid("WAPI-10", () -> Responses.jwtSvids(JWTSVIDResponse.newBuilder()
        .addSvids(JWTSVID.newBuilder().setSpiffeId(WEB.toString())).build()));
    assertInvalid("WAPI-10", () -> Responses.jwtSvids(JWTSVIDResponse.newBuilder()
        .addSvids(JWTSVID.newBuilder().setSpiffeId(DB.toString()).setSvid(token)).build()));
  }

  @Test
  void WAPI_12_validationAnswerMustNameTheSubjectAndCarryClaims() {
    String token = TestMaterial.token(WEB, "aud");
    ValidateJWTSVIDResponse good = ValidateJWTSVIDResponse.newBuilder()
        .setSpiffeId(WEB.toString()).setClaims(Struct.getDefaultInstance()).build();
    assertEquals(WEB, Responses.validated(good, token).id());
    assertInvalid("WAPI-12", () -> Responses.validated(good.toBuilder().clearClaims().build(), token));
    assertInvalid("WAPI-12", () -> Responses.validated(good.toBuilder().clearSpiffeId().build(), token));
    assertInvalid("WAPI-12", () -> Responses.validated(good.toBuilder().setSpiffeId(DB.toString()).build(), token));
  }

  private static WorkloadApiException assertInvalid(String rule, Supplier<?> mapping) {
    WorkloadApiException e = assertThrows(WorkloadApiException.class, mapping::get);
    assertEquals(Kind.INVALID_RESPONSE, e.kind());
    if (rule != null) {
      assertEquals(rule, e.rule().orElse(null), e.getMessage());
    }
    return e;
  }
}
