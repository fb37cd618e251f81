package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.TestAuthorities.OTHER_TD;
import static io.spiffe4j.bundle.TestAuthorities.TD;
import static io.spiffe4j.bundle.TestAuthorities.ed25519;
import static io.spiffe4j.bundle.TestAuthorities.json;
import static io.spiffe4j.bundle.TestAuthorities.jwtKey;
import static io.spiffe4j.bundle.TestAuthorities.jwtKeys;
import static io.spiffe4j.bundle.TestAuthorities.text;
import static io.spiffe4j.bundle.TestAuthorities.utf8;
import static io.spiffe4j.bundle.TestDocs.docBytes;
import static io.spiffe4j.bundle.TestDocs.jwtEntry;
import static io.spiffe4j.bundle.TestDocs.tree;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class JwtBundleTest {

  static BundleException rejected(String rule, Executable parse) {
    BundleException e = assertThrows(BundleException.class, parse);
    assertEquals(Optional.ofNullable(rule), e.rule(), e.getMessage());
    return e;
  }

  /** A jwt-svid entry with {@code use} removed: the Workload API JWKS form. */
  static ObjectNode wapiEntry(String kid, PublicKey key) {
    ObjectNode entry = jwtEntry(kid, key);
    entry.remove("use");
    return entry;
  }

  @Test
  void WAPI_11_keysWithoutUseAreJwtAuthorities() {
    JwtBundle bundle = JwtBundle.parse(TD, docBytes(wapiEntry("a", jwtKey(0)), wapiEntry("b", jwtKey(5))));
    assertEquals(JwtBundle.of(TD, Map.of("a", jwtKey(0), "b", jwtKey(5))), bundle);
  }

  @Test
  void JWT_13_jwtSvidUseAccepted() {
    JwtBundle bundle = JwtBundle.parse(TD, docBytes(jwtEntry("a", jwtKey(3))));
    assertArrayEquals(jwtKey(3).getEncoded(), bundle.findJwtAuthority("a").orElseThrow().getEncoded());
    assertEquals(Optional.empty(), bundle.findJwtAuthority("b"));
  }

  @Test
  void JWT_13_otherUsesIgnoredCaseSensitively() {
    ObjectNode x509 = TestDocs.x509Entry(TestAuthorities.ca(0));
    ObjectNode sig = jwtEntry("sig", jwtKey(1)).put("use", "sig");
    ObjectNode upper = jwtEntry("upper", jwtKey(2)).put("use", "JWT-SVID");
    JwtBundle bundle = JwtBundle.parse(TD, docBytes(x509, sig, upper, jwtEntry("kept", jwtKey(0))));
    assertEquals(Map.of("kept", jwtKey(0)).keySet(), bundle.jwtAuthorities().keySet());
  }

  @Test
  void BUN_08_unknownKeyTypeIgnoredElementByElement() {
    ObjectNode unknown = wapiEntry("u", jwtKey(0)).put("kty", "ML-DSA");
    JwtBundle bundle = JwtBundle.parse(TD, docBytes(unknown, wapiEntry("kept", jwtKey(1))));
    assertEquals(JwtBundle.of(TD, Map.of("kept", jwtKey(1))), bundle);
  }

  @Test
  void BUN_08_missingKeyTypeRejected() {
    ObjectNode entry = wapiEntry("a", jwtKey(0));
    entry.remove("kty");
    rejected("BUN-08", () -> JwtBundle.parse(TD, docBytes(entry)));
  }

  @Test
  void JWT_03_ed25519KeyIgnored() {
    ObjectNode okp = tree(json("{'kty':'OKP','crv':'Ed25519','kid':'ed',"
        + "'x':'11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo'}"));
    JwtBundle bundle = JwtBundle.parse(TD, docBytes(okp, wapiEntry("kept", jwtKey(0))));
    assertEquals(JwtBundle.of(TD, Map.of("kept", jwtKey(0))), bundle);
  }

  @Test
  void JWT_03_ecKeyOnOtherCurveIgnored() {
    ObjectNode k1 = wapiEntry("k1", jwtKey(0)).put("crv", "secp256k1");
    assertTrue(JwtBundle.parse(TD, docBytes(k1)).isEmpty());
    // Found by BundlePropertiesTest: an empty curve name once escaped as Nimbus's IllegalArgumentException.
    ObjectNode empty = wapiEntry("k1", jwtKey(0)).put("crv", "");
    assertTrue(JwtBundle.parse(TD, docBytes(empty)).isEmpty());
  }

  @Test
  void JWT_03_symmetricKeyTypeWithoutSecretIgnored() {
    assertTrue(JwtBundle.parse(TD, json("{'keys':[{'kty':'oct','kid':'h','alg':'HS256'}]}")).isEmpty());
  }

  @Test
  void JWT_03_ofRejectsKeysJwtSvidCannotUse() {
    rejected("JWT-03", () -> JwtBundle.of(TD, Map.of("ed", ed25519().getPublic())));
  }

  @Test
  void JWT_12_keyWithoutKidRejected() {
    ObjectNode entry = wapiEntry("a", jwtKey(0));
    entry.remove("kid");
    rejected("JWT-12", () -> JwtBundle.parse(TD, docBytes(entry)));
  }

  @Test
  void JWT_12_emptyOrNonStringKidRejected() {
    rejected("JWT-12", () -> JwtBundle.parse(TD, docBytes(wapiEntry("", jwtKey(0)))));
    rejected("JWT-12", () -> JwtBundle.parse(TD, docBytes(wapiEntry("a", jwtKey(0)).put("kid", 7))));
    rejected("JWT-12", () -> JwtBundle.of(TD, Map.of("", jwtKey(0))));
  }

  @Test
  void JWT_12_duplicateKidRejected() {
    BundleException e = rejected("JWT-12",
        () -> JwtBundle.parse(TD, docBytes(wapiEntry("same", jwtKey(0)), wapiEntry("same", jwtKey(1)))));
    assertTrue(e.getMessage().contains("\"same\""), e.getMessage());
  }

  @Test
  void duplicateKidOfIgnoredEntryIsNotADuplicate() {
    ObjectNode ignored = wapiEntry("same", jwtKey(0)).put("use", "enc");
    assertEquals(1, JwtBundle.parse(TD, docBytes(ignored, wapiEntry("same", jwtKey(1)))).jwtAuthorities().size());
  }

  @Test
  void privateKeyMaterialRejectedWithoutEchoingIt() {
    String secret = "c2VjcmV0LXByaXZhdGUtc2NhbGFyLXZhbHVlLXh4eHg";
    for (String member : new String[] {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}) {
      ObjectNode entry = wapiEntry("a", jwtKey(5)).put(member, secret);
      BundleException e = rejected(null, () -> JwtBundle.parse(TD, docBytes(entry)));
      assertFalse(e.getMessage().contains(secret), e.getMessage());
      assertTrue(e.getMessage().contains("private"), e.getMessage());
    }
  }

  @Test
  void privateMaterialRejectedEvenInAnIgnoredEntry() {
    rejected(null, () -> JwtBundle.parse(TD, json("{'keys':[{'kty':'oct','use':'enc','k':'c2VjcmV0'}]}")));
  }

  @Test
  void ecPointOffItsCurveRejected() {
    ObjectNode entry = wapiEntry("a", jwtKey(0));
    byte[] y = Base64.getUrlDecoder().decode(entry.get("y").textValue());
    y[y.length - 1] ^= 1;
    entry.put("y", Base64.getUrlEncoder().withoutPadding().encodeToString(y));
    rejected(null, () -> JwtBundle.parse(TD, docBytes(entry)));
  }

  @Test
  void nonCanonicalEcCoordinateRejected() {
    ObjectNode entry = wapiEntry("a", jwtKey(0));
    byte[] x = Base64.getUrlDecoder().decode(entry.get("x").textValue());
    byte[] longer = new byte[x.length + 1];
    System.arraycopy(x, 0, longer, 1, x.length);
    ObjectNode padded = entry.deepCopy().put("x", entry.get("x").textValue() + "=");
    ObjectNode leadingZero = entry.deepCopy().put("x", Base64.getUrlEncoder().withoutPadding().encodeToString(longer));
    rejected(null, () -> JwtBundle.parse(TD, docBytes(padded)));
    rejected(null, () -> JwtBundle.parse(TD, docBytes(leadingZero)));
  }

  @Test
  void nonCanonicalRsaModulusRejected() {
    ObjectNode entry = wapiEntry("a", jwtKey(5));
    byte[] n = new BigInteger(1, Base64.getUrlDecoder().decode(entry.get("n").textValue())).toByteArray();
    byte[] withZero = new byte[n.length + 1];
    System.arraycopy(n, 0, withZero, 1, n.length);
    entry.put("n", Base64.getUrlEncoder().withoutPadding().encodeToString(withZero));
    rejected(null, () -> JwtBundle.parse(TD, docBytes(entry)));
  }

  @Test
  void malformedKeyParametersRejected() {
    rejected(null, () -> JwtBundle.parse(TD, docBytes(wapiEntry("a", jwtKey(0)).put("x", "!!"))));
    rejected(null, () -> JwtBundle.parse(TD, docBytes(wapiEntry("a", jwtKey(5)).put("n", "AQ"))));
    rejected(null, () -> JwtBundle.parse(TD, docBytes(wapiEntry("a", jwtKey(5)).put("e", 65537))));
    ObjectNode noCrv = wapiEntry("a", jwtKey(0));
    noCrv.remove("crv");
    rejected(null, () -> JwtBundle.parse(TD, docBytes(noCrv)));
  }

  @Test
  void BUN_05_keysMustBePresentAndAnArray() {
    rejected("BUN-05", () -> JwtBundle.parse(TD, json("{}")));
    rejected("BUN-05", () -> JwtBundle.parse(TD, json("{'keys':{}}")));
    rejected("BUN-05", () -> JwtBundle.parse(TD, json("{'keys':[1]}")));
  }

  @Test
  void BUN_01_topLevelMustBeAnObject() {
    rejected("BUN-01", () -> JwtBundle.parse(TD, json("[{'keys':[]}]")));
    rejected("BUN-01", () -> JwtBundle.parse(TD, json("\"keys\"")));
    rejected("BUN-01", () -> JwtBundle.parse(TD, new byte[0]));
  }

  @Test
  void duplicateMembersRejectedAtAnyDepth() {
    BundleException top = rejected(null, () -> JwtBundle.parse(TD, json("{'keys':[],'keys':[]}")));
    assertTrue(top.getMessage().contains("duplicate"), top.getMessage());
    String entry = text(docBytes(wapiEntry("a", jwtKey(0))));
    byte[] duplicateKid = utf8(entry.replace("\"kid\":\"a\"", "\"kid\":\"a\",\"kid\":\"b\""));
    rejected(null, () -> JwtBundle.parse(TD, duplicateKid));
  }

  @Test
  void nonJsonAndTrailingContentRejectedWithoutEchoingInput() {
    BundleException e = rejected(null, () -> JwtBundle.parse(TD, utf8("{\"keys\": [secretToken]}")));
    assertFalse(e.getMessage().contains("secretToken"), e.getMessage());
    rejected(null, () -> JwtBundle.parse(TD, json("{'keys':[]} {}")));
    rejected(null, () -> JwtBundle.parse(TD, json("{'keys':[],}")));
  }

  @Test
  void deeplyNestedJsonRejectedWithoutStackOverflow() {
    String deep = "{\"keys\":[],\"x\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
    rejected(null, () -> JwtBundle.parse(TD, utf8(deep)));
  }

  @Test
  void BUN_02_extraMembersAllowed() {
    ObjectNode entry = wapiEntry("a", jwtKey(0)).put("alg", "ES256").put("x-custom", true);
    byte[] doc = utf8(text(docBytes(entry)).replaceFirst("\\{", "{\"spiffe_sequence\":\"junk\",\"extra\":[1,2],"));
    assertEquals(JwtBundle.of(TD, Map.of("a", jwtKey(0))), JwtBundle.parse(TD, doc));
  }

  @Test
  void WAPI_11_marshalWritesPlainJwksWithoutUse() {
    ObjectNode marshalled = tree(JwtBundle.of(TD, jwtKeys(2)).marshal());
    assertEquals(1, marshalled.size());
    assertEquals(2, marshalled.get("keys").size());
    marshalled.get("keys").forEach(key -> {
      assertFalse(key.has("use"));
      assertTrue(key.get("kid").textValue().startsWith("kid-"));
    });
  }

  @Test
  void marshalParseRoundTripsEveryKeyType() {
    JwtBundle bundle = JwtBundle.of(TD, jwtKeys(TestAuthorities.jwtKeyPairs().size()));
    assertEquals(bundle, JwtBundle.parse(TD, bundle.marshal()));
    assertEquals(bundle.hashCode(), JwtBundle.parse(TD, bundle.marshal()).hashCode());
    assertTrue(JwtBundle.parse(TD, JwtBundle.of(TD, Map.of()).marshal()).isEmpty());
  }

  @Test
  void equalityIsByKeyEncodingWhateverTheProvider() throws Exception {
    PublicKey ec = jwtKey(0);
    PublicKey bc = KeyFactory.getInstance("EC", new BouncyCastleProvider())
        .generatePublic(new X509EncodedKeySpec(ec.getEncoded()));
    assertNotEquals(ec.getClass(), bc.getClass());
    assertEquals(JwtBundle.of(TD, Map.of("a", ec)), JwtBundle.of(TD, Map.of("a", bc)));
    assertEquals(JwtBundle.of(TD, Map.of("a", ec)).hashCode(), JwtBundle.of(TD, Map.of("a", bc)).hashCode());
    assertNotEquals(JwtBundle.of(TD, Map.of("a", ec)), JwtBundle.of(TD, Map.of("b", ec)));
    assertNotEquals(JwtBundle.of(TD, Map.of("a", ec)), JwtBundle.of(TD, Map.of("a", jwtKey(1))));
    assertNotEquals(JwtBundle.of(TD, Map.of("a", ec)), JwtBundle.of(OTHER_TD, Map.of("a", ec)));
  }

  @Test
  void orderOfKeysIsKeptButNotPartOfEquality() {
    Map<String, PublicKey> reversed = new LinkedHashMap<>();
    reversed.put("kid-1", jwtKey(1));
    reversed.put("kid-0", jwtKey(0));
    JwtBundle bundle = JwtBundle.of(TD, reversed);
    assertEquals("[kid-1, kid-0]", bundle.jwtAuthorities().keySet().toString());
    assertEquals(JwtBundle.of(TD, jwtKeys(2)), bundle);
  }

  @Test
  void JWT_16_bundleAnswersOnlyForItsTrustDomain() {
    JwtBundle bundle = JwtBundle.of(TD, jwtKeys(1));
    assertEquals(bundle, bundle.jwtBundleFor(TD));
    BundleNotFoundException e = assertThrows(BundleNotFoundException.class, () -> bundle.jwtBundleFor(OTHER_TD));
    assertEquals(OTHER_TD, e.trustDomain());
  }

  @Test
  void toStringShowsKeyIdsOnly() {
    String shown = JwtBundle.of(TD, jwtKeys(1)).toString();
    assertTrue(shown.contains("kid-0"));
    assertFalse(shown.contains(Base64.getEncoder().encodeToString(jwtKey(0).getEncoded()).substring(0, 20)));
  }
}
