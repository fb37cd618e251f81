package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.JwtBundleTest.rejected;
import static io.spiffe4j.bundle.TestAuthorities.OTHER_TD;
import static io.spiffe4j.bundle.TestAuthorities.TD;
import static io.spiffe4j.bundle.TestAuthorities.ca;
import static io.spiffe4j.bundle.TestAuthorities.cas;
import static io.spiffe4j.bundle.TestAuthorities.json;
import static io.spiffe4j.bundle.TestAuthorities.jwtKey;
import static io.spiffe4j.bundle.TestAuthorities.jwtKeys;
import static io.spiffe4j.bundle.TestAuthorities.text;
import static io.spiffe4j.bundle.TestAuthorities.utf8;
import static io.spiffe4j.bundle.TestDocs.doc;
import static io.spiffe4j.bundle.TestDocs.docBytes;
import static io.spiffe4j.bundle.TestDocs.jwtEntry;
import static io.spiffe4j.bundle.TestDocs.tree;
import static io.spiffe4j.bundle.TestDocs.x509Entry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpiffeBundleTest {
  private static final BigInteger MAX_UINT64 = new BigInteger("18446744073709551615");

  private static SpiffeBundle parse(String singleQuotedJson) {
    return SpiffeBundle.parse(TD, json(singleQuotedJson));
  }

  private static byte[] withTopLevel(String member) {
    return utf8(text(docBytes(x509Entry(ca(0)))).replaceFirst("\\{", "{" + member + ","));
  }

  @Test
  void BUN_05_keysRequiredAndAnArrayOfObjects() {
    rejected("BUN-05", () -> parse("{'spiffe_sequence':1}"));
    rejected("BUN-05", () -> parse("{'keys':null}"));
    rejected("BUN-05", () -> parse("{'keys':'[]'}"));
    rejected("BUN-05", () -> parse("{'keys':[[]]}"));
  }

  @Test
  void BUN_06_emptyKeysIsAnEmptyBundleThatTrustsNothing() {
    SpiffeBundle bundle = parse("{'keys':[]}");
    assertTrue(bundle.isEmpty());
    assertTrue(bundle.x509BundleFor(TD).isEmpty());
    assertTrue(bundle.jwtBundleFor(TD).isEmpty());
    assertEquals(Optional.empty(), bundle.sequenceNumber());
    assertEquals(Optional.empty(), bundle.refreshHint());
  }

  @Test
  void BUN_06_bundleWithOnlyIgnoredKeysIsEmpty() {
    assertTrue(parse("{'keys':[{'kty':'EC','use':'enc'},{'kty':'PQC','use':'jwt-svid','kid':'a'}]}").isEmpty());
  }

  @Test
  void BUN_09_entriesWithoutUseIgnored() {
    ObjectNode noUse = jwtEntry("a", jwtKey(0));
    noUse.remove("use");
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(noUse, jwtEntry("b", jwtKey(1))));
    assertEquals(List.of("b"), List.copyOf(bundle.jwtAuthorities().keySet()));
  }

  @Test
  void BUN_09_unknownAndWrongCaseUsesIgnored() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(
        x509Entry(ca(0)).put("use", "X509-SVID"),
        jwtEntry("a", jwtKey(0)).put("use", "JWT-SVID"),
        jwtEntry("b", jwtKey(1)).put("use", "wit-svid"),
        jwtEntry("c", jwtKey(2)).put("use", "sig"),
        x509Entry(ca(1))));
    assertEquals(List.of(ca(1)), bundle.x509Authorities());
    assertTrue(bundle.jwtAuthorities().isEmpty());
  }

  @Test
  void BUN_09_nonStringUseRejected() {
    rejected("BUN-09", () -> SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)).put("use", 1))));
  }

  @Test
  void BUN_08_unknownKeyTypeIgnoredForBothUses() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(
        x509Entry(ca(0)).put("kty", "PQC"),
        jwtEntry("a", jwtKey(0)).put("kty", "PQC"),
        jwtEntry("b", jwtKey(1))));
    assertTrue(bundle.x509Authorities().isEmpty());
    assertEquals(List.of("b"), List.copyOf(bundle.jwtAuthorities().keySet()));
  }

  @Test
  void BUN_08_missingOrNonStringKeyTypeRejected() {
    ObjectNode noKty = x509Entry(ca(0));
    noKty.remove("kty");
    rejected("BUN-08", () -> SpiffeBundle.parse(TD, docBytes(noKty)));
    rejected("BUN-08", () -> SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)).put("kty", 3))));
  }

  @Test
  void X509_19_entryWithoutX5cOrWithEmptyX5cIgnored() {
    ObjectNode missing = x509Entry(ca(0));
    missing.remove("x5c");
    ObjectNode empty = x509Entry(ca(1));
    empty.putArray("x5c");
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(missing, empty, x509Entry(ca(2))));
    assertEquals(List.of(ca(2)), bundle.x509Authorities());
  }

  @Test
  void X509_19_onlyTheFirstX5cValueIsRead() throws Exception {
    ObjectNode entry = x509Entry(ca(0));
    entry.withArray("x5c").add(Base64.getEncoder().encodeToString(ca(1).getEncoded())).add("not base64 !").add(7);
    assertEquals(List.of(ca(0)), SpiffeBundle.parse(TD, docBytes(entry)).x509Authorities());
  }

  @Test
  void X509_19_unionOverEntriesWithoutDuplicates() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD,
        docBytes(x509Entry(ca(3)), x509Entry(ca(0)), x509Entry(ca(3)), x509Entry(ca(7))));
    assertEquals(List.of(ca(3), ca(0), ca(7)), bundle.x509Authorities());
  }

  @Test
  void X509_19_malformedX5cRejected() {
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)).put("x5c", "MIIB"))));
    ObjectNode nonString = x509Entry(ca(0));
    nonString.putArray("x5c").add(1);
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(nonString)));
    ObjectNode notACertificate = x509Entry(ca(0));
    notACertificate.putArray("x5c").add(Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 2, 1, 5}));
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(notACertificate)));
    ObjectNode truncated = x509Entry(ca(0));
    byte[] der = CertificateCodec.encoded(ca(0));
    truncated.putArray("x5c").add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(der, der.length - 3)));
    BundleException e = rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(truncated)));
    assertTrue(e.getMessage().startsWith("keys[0].x5c[0] is truncated"), e.getMessage());
    ObjectNode emptyString = x509Entry(ca(0));
    emptyString.putArray("x5c").add("");
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(emptyString)));
  }

  @Test
  void X509_18_x5cMustBeStandardBase64NotBase64Url() throws Exception {
    byte[] der = findCertificate(base64 -> base64.contains("+") || base64.contains("/"));
    X509Certificate certificate = X509Bundle.parseDer(TD, der).x509Authorities().get(0);
    ObjectNode url = x509Entry(certificate);
    url.putArray("x5c").add(Base64.getUrlEncoder().encodeToString(der));
    rejected("X509-18", () -> SpiffeBundle.parse(TD, docBytes(url)));
    ObjectNode wrapped = x509Entry(certificate);
    wrapped.putArray("x5c").add(Base64.getMimeEncoder().encodeToString(der));
    rejected("X509-18", () -> SpiffeBundle.parse(TD, docBytes(wrapped)));
  }

  @Test
  void X509_18_x5cMustBePadded() throws Exception {
    byte[] der = findCertificate(base64 -> base64.endsWith("="));
    X509Certificate certificate = X509Bundle.parseDer(TD, der).x509Authorities().get(0);
    ObjectNode unpadded = x509Entry(certificate);
    unpadded.putArray("x5c").add(Base64.getEncoder().withoutPadding().encodeToString(der));
    rejected("X509-18", () -> SpiffeBundle.parse(TD, docBytes(unpadded)));
  }

  /** The DER of a pool CA whose standard base64 has the property. */
  private static byte[] findCertificate(java.util.function.Predicate<String> base64Property) throws Exception {
    for (X509Certificate ca : cas()) {
      if (base64Property.test(Base64.getEncoder().encodeToString(ca.getEncoded()))) {
        return ca.getEncoded();
      }
    }
    throw new AssertionError("no pool certificate has the wanted base64 form");
  }

  @Test
  void X509_19_keyParametersMustMatchTheCertificate() {
    ObjectNode mismatched = x509Entry(ca(0));
    ObjectNode other = x509Entry(ca(1));
    mismatched.put("x", other.get("x").textValue()).put("y", other.get("y").textValue());
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(mismatched)));
    ObjectNode wrongType = x509Entry(ca(0)).put("kty", "RSA");
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(wrongType)));
    ObjectNode noParameters = x509Entry(ca(5));
    noParameters.remove("n");
    rejected("X509-19", () -> SpiffeBundle.parse(TD, docBytes(noParameters)));
  }

  @Test
  void X509_18_marshalWritesOneX509SvidEntryPerAuthority() {
    SpiffeBundle bundle = SpiffeBundle.of(TD, List.of(ca(0), ca(5), ca(7)), Map.of());
    JsonNode keys = tree(bundle.marshal()).get("keys");
    assertEquals(3, keys.size());
    List<String> types = List.of("EC", "RSA", "OKP");
    for (int i = 0; i < 3; i++) {
      JsonNode key = keys.get(i);
      assertEquals("x509-svid", key.get("use").textValue());
      assertFalse(key.has("kid"));
      assertEquals(types.get(i), key.get("kty").textValue());
      assertEquals(1, key.get("x5c").size());
      assertArrayEquals(CertificateCodec.encoded(bundle.x509Authorities().get(i)),
          Base64.getDecoder().decode(key.get("x5c").get(0).textValue()));
    }
  }

  @Test
  void RFC7517_jwtSvidEntryX5cMustHoldTheEntrysOwnKey() throws Exception {
    // ca(1) is a certificate for jwtKey(1), another key than the entry's.
    ObjectNode otherKey = jwtEntry("a", jwtKey(0));
    otherKey.putArray("x5c").add(Base64.getEncoder().encodeToString(ca(1).getEncoded()));
    BundleException e = rejected(null, () -> SpiffeBundle.parse(TD, docBytes(x509Entry(ca(2)), otherKey)));
    assertEquals("keys[1] key parameters do not match its x5c certificate (RFC 7517 §4.7)", e.reason());
    ObjectNode otherType = jwtEntry("a", jwtKey(0));
    otherType.putArray("x5c").add(Base64.getEncoder().encodeToString(ca(5).getEncoded()));
    rejected(null, () -> SpiffeBundle.parse(TD, docBytes(otherType)));

    // ca(0) holds jwtKey(0): the entry's key, and still the key the bundle keeps. Further values are not read.
    ObjectNode sameKey = jwtEntry("a", jwtKey(0));
    sameKey.putArray("x5c").add(Base64.getEncoder().encodeToString(ca(0).getEncoded())).add("not base64 !").add(7);
    ObjectNode emptyX5c = jwtEntry("b", jwtKey(3));
    emptyX5c.putArray("x5c");
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(sameKey, emptyX5c));
    assertEquals(JwtBundle.of(TD, Map.of("a", jwtKey(0), "b", jwtKey(3))), bundle.jwtBundle());
    assertTrue(bundle.x509Authorities().isEmpty(), "a jwt-svid entry's certificate is no X.509 authority");
  }

  @Test
  void RFC7517_jwtSvidEntryWithMalformedX5cRejected() throws Exception {
    byte[] der = ca(0).getEncoded();
    JsonNodeFactory nodes = JsonNodeFactory.instance;
    List<JsonNode> malformed = List.of(
        nodes.textNode(Base64.getEncoder().encodeToString(der)),
        nodes.arrayNode().add(1),
        nodes.arrayNode().add("not*base64!"),
        nodes.arrayNode().add("MIIB-_-_"),
        nodes.arrayNode().add(Base64.getEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(der, 4))),
        nodes.arrayNode().add(Base64.getEncoder().encodeToString(new byte[] {0x30, 0x03, 2, 1, 5})),
        nodes.arrayNode().add(Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(der, der.length - 3))));
    for (JsonNode x5c : malformed) {
      ObjectNode entry = jwtEntry("a", jwtKey(0));
      entry.set("x5c", x5c);
      BundleException e = rejected(null, () -> SpiffeBundle.parse(TD, docBytes(entry)));
      assertTrue(e.reason().startsWith("keys[0].x5c"), e.reason());
    }
  }

  @Test
  void JWT_12_marshalWritesJwtSvidEntriesWithKid() {
    JsonNode root = tree(SpiffeBundle.of(TD, List.of(), jwtKeys(2)).marshal());
    assertEquals(1, root.size());
    for (JsonNode key : root.get("keys")) {
      assertEquals("jwt-svid", key.get("use").textValue());
      assertTrue(key.get("kid").textValue().startsWith("kid-"));
      assertFalse(key.has("x5c"));
    }
  }

  @Test
  void JWT_12_jwtEntryWithoutKidRejected() {
    ObjectNode entry = jwtEntry("a", jwtKey(0));
    entry.remove("kid");
    rejected("JWT-12", () -> SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)), entry)));
  }

  @Test
  void JWT_12_duplicateKidRejected() {
    rejected("JWT-12", () -> SpiffeBundle.parse(TD, docBytes(jwtEntry("a", jwtKey(0)), jwtEntry("a", jwtKey(0)))));
  }

  @Test
  void X509_18_kidOnX509EntryIsToleratedAndNotAJwtKey() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)).put("kid", "k")));
    assertEquals(List.of(ca(0)), bundle.x509Authorities());
    assertTrue(bundle.jwtAuthorities().isEmpty());
  }

  @Test
  void JWT_13_onlyJwtSvidEntriesBecomeJwtAuthorities() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)), jwtEntry("a", jwtKey(4))));
    assertEquals(JwtBundle.of(TD, Map.of("a", jwtKey(4))), bundle.jwtBundle());
    assertEquals(X509Bundle.of(TD, List.of(ca(0))), bundle.x509Bundle());
  }

  @Test
  void JWT_03_ed25519JwtEntryIgnored() {
    ObjectNode ed = x509Entry(ca(7)).put("use", "jwt-svid").put("kid", "ed");
    ed.remove("x5c");
    assertTrue(SpiffeBundle.parse(TD, docBytes(ed)).isEmpty());
  }

  @Test
  void privateKeyMaterialRejectedInAnyEntry() {
    rejected(null, () -> SpiffeBundle.parse(TD, docBytes(x509Entry(ca(0)).put("d", "AAAA"))));
    rejected(null, () -> SpiffeBundle.parse(TD, docBytes(jwtEntry("a", jwtKey(5)).put("qi", "AAAA"))));
  }

  @Test
  void BUN_03_sequenceNumberHoldsAnyUint64() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD, withTopLevel("\"spiffe_sequence\":18446744073709551615"));
    assertEquals(Optional.of(MAX_UINT64), bundle.sequenceNumber());
    assertEquals(bundle, SpiffeBundle.parse(TD, bundle.marshal()));
    assertTrue(text(bundle.marshal()).contains("\"spiffe_sequence\":18446744073709551615"));
    assertEquals(Optional.of(BigInteger.ZERO),
        SpiffeBundle.parse(TD, withTopLevel("\"spiffe_sequence\":0")).sequenceNumber());
  }

  @Test
  void BUN_03_sequenceNumberMustBeANonNegativeIntegerInRange() {
    for (String bad : List.of("18446744073709551616", "-1", "1.0", "1.5", "1e3", "\"5\"", "null", "true", "[1]")) {
      rejected("BUN-03", () -> SpiffeBundle.parse(TD, withTopLevel("\"spiffe_sequence\":" + bad)));
    }
  }

  @Test
  void BUN_04_refreshHintIsWholeSeconds() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD, withTopLevel("\"spiffe_refresh_hint\":300"));
    assertEquals(Optional.of(Duration.ofMinutes(5)), bundle.refreshHint());
    assertTrue(text(bundle.marshal()).contains("\"spiffe_refresh_hint\":300"));
    assertEquals(bundle, SpiffeBundle.parse(TD, bundle.marshal()));
  }

  @Test
  void BUN_04_refreshHintMustBeANonNegativeInteger() {
    for (String bad : List.of("1.5", "300.0", "-1", "3e2", "\"300\"", "null", "9223372036854775808")) {
      rejected("BUN-04", () -> SpiffeBundle.parse(TD, withTopLevel("\"spiffe_refresh_hint\":" + bad)));
    }
  }

  @Test
  void BUN_12_onlyTheSpiffePrefixedRefreshHintCounts() {
    assertEquals(Optional.empty(), SpiffeBundle.parse(TD, withTopLevel("\"refresh_hint\":\"x\"")).refreshHint());
  }

  @Test
  void BUN_02_unknownMembersAllowed() {
    SpiffeBundle bundle = SpiffeBundle.parse(TD,
        withTopLevel("\"x-vendor\":{\"a\":[1,2]},\"spiffe_other\":null"));
    assertEquals(List.of(ca(0)), bundle.x509Authorities());
  }

  @Test
  void strictJsonOnly() {
    rejected(null, () -> SpiffeBundle.parse(TD, withTopLevel("\"keys\":[]")));
    rejected(null, () -> SpiffeBundle.parse(TD, utf8("{'keys':[]}")));
    rejected(null, () -> SpiffeBundle.parse(TD, utf8("{\"keys\":[]} trailing")));
    rejected(null, () -> SpiffeBundle.parse(TD, utf8("{\"keys\":[] /* comment */}")));
    rejected(null, () -> SpiffeBundle.parse(TD, new byte[] {'{', (byte) 0xff, '}'}));
    rejected("BUN-01", () -> SpiffeBundle.parse(TD, utf8("[]")));
  }

  @Test
  void roundTripWithEverything() {
    SpiffeBundle bundle = SpiffeBundle.builder(TD)
        .x509Authorities(cas())
        .jwtAuthorities(jwtKeys(7))
        .sequenceNumber(BigInteger.valueOf(42))
        .refreshHint(Duration.ofSeconds(17))
        .build();
    SpiffeBundle parsed = SpiffeBundle.parse(TD, bundle.marshal());
    assertEquals(bundle, parsed);
    assertEquals(bundle.hashCode(), parsed.hashCode());
    assertEquals(cas(), parsed.x509Authorities());
    assertEquals(bundle, bundle.toBuilder().build());
  }

  @Test
  void equalityCoversEveryPart() {
    SpiffeBundle bundle = SpiffeBundle.builder(TD).addX509Authority(ca(0)).addJwtAuthority("a", jwtKey(0))
        .sequenceNumber(BigInteger.ONE).refreshHint(Duration.ofSeconds(5)).build();
    assertNotEquals(bundle, bundle.toBuilder().sequenceNumber(BigInteger.TWO).build());
    assertNotEquals(bundle, bundle.toBuilder().sequenceNumber(null).build());
    assertNotEquals(bundle, bundle.toBuilder().refreshHint(Duration.ofSeconds(6)).build());
    assertNotEquals(bundle, bundle.toBuilder().x509Authorities(List.of(ca(1))).build());
    assertNotEquals(bundle, bundle.toBuilder().jwtAuthorities(Map.of("b", jwtKey(0))).build());
    assertNotEquals(bundle, SpiffeBundle.parse(OTHER_TD, bundle.marshal()));
  }

  @Test
  void builderRejectsOutOfRangeValues() {
    SpiffeBundle.Builder builder = SpiffeBundle.builder(TD);
    assertThrows(IllegalArgumentException.class, () -> builder.sequenceNumber(MAX_UINT64.add(BigInteger.ONE)));
    assertThrows(IllegalArgumentException.class, () -> builder.sequenceNumber(BigInteger.valueOf(-1)));
    assertThrows(IllegalArgumentException.class, () -> builder.refreshHint(Duration.ofMillis(1500)));
    assertThrows(IllegalArgumentException.class, () -> builder.refreshHint(Duration.ofSeconds(-1)));
    builder.addJwtAuthority("a", jwtKey(0));
    assertThrows(IllegalArgumentException.class, () -> builder.addJwtAuthority("a", jwtKey(1)));
    rejected("JWT-03", () -> SpiffeBundle.builder(TD).addJwtAuthority("ed", TestAuthorities.ed25519().getPublic())
        .build());
    assertEquals(Optional.of(MAX_UINT64), builder.sequenceNumber(MAX_UINT64).build().sequenceNumber());
  }

  @Test
  void FED_05_viewsOfDifferentTrustDomainsAreNotMerged() {
    X509Bundle x509 = X509Bundle.of(TD, List.of(ca(0)));
    JwtBundle jwt = JwtBundle.of(OTHER_TD, jwtKeys(1));
    assertThrows(IllegalArgumentException.class, () -> SpiffeBundle.of(x509, jwt));
    SpiffeBundle joined = SpiffeBundle.of(x509, JwtBundle.of(TD, jwtKeys(1)));
    assertSame(x509, joined.x509Bundle());
    assertEquals(SpiffeBundle.of(TD, List.of(ca(0)), jwtKeys(1)), joined);
  }

  @Test
  void BUN_01_sourcesAnswerOnlyForTheBundlesTrustDomain() {
    SpiffeBundle bundle = SpiffeBundle.of(TD, List.of(ca(0)), jwtKeys(1));
    assertEquals(bundle.x509Bundle(), bundle.x509BundleFor(TD));
    assertEquals(bundle.jwtBundle(), bundle.jwtBundleFor(TD));
    assertThrows(BundleNotFoundException.class, () -> bundle.x509BundleFor(OTHER_TD));
    assertThrows(BundleNotFoundException.class, () -> bundle.jwtBundleFor(OTHER_TD));
    assertEquals(TD, bundle.trustDomain());
    assertEquals(Optional.of(jwtKey(0)), bundle.findJwtAuthority("kid-0"));
  }

  @Test
  void singleKindFactoriesLeaveTheOtherKindEmpty() {
    assertTrue(SpiffeBundle.of(X509Bundle.of(TD, List.of(ca(0)))).jwtAuthorities().isEmpty());
    assertTrue(SpiffeBundle.of(JwtBundle.of(TD, jwtKeys(1))).x509Authorities().isEmpty());
  }

  @Test
  void marshalRejectsAuthorityKeysWithoutJwkForm() throws Exception {
    java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("DSA");
    generator.initialize(2048);
    java.security.KeyPair dsa = generator.generateKeyPair();
    X509Certificate dsaCa = io.spiffe4j.mint.CertificateMinter.ca(dsa.getPublic(), TD.id())
        .signatureAlgorithm("SHA256withDSA").sign(dsa.getPrivate());
    SpiffeBundle bundle = SpiffeBundle.of(TD, List.of(dsaCa), Map.of());
    assertEquals(X509Bundle.of(TD, List.of(dsaCa)), X509Bundle.parsePem(TD, bundle.x509Bundle().marshalPem()));
    rejected(null, bundle::marshal);
  }

  @Test
  void toStringShowsNoKeyMaterial() {
    SpiffeBundle bundle = SpiffeBundle.builder(TD).addX509Authority(ca(0)).addJwtAuthority("a", jwtKey(0))
        .sequenceNumber(BigInteger.TEN).build();
    String shown = bundle.toString();
    assertTrue(shown.contains("example.org") && shown.contains("[a]") && shown.contains("10"), shown);
    String x = doc(jwtEntry("a", jwtKey(0))).get("keys").get(0).get("x").textValue();
    assertFalse(shown.contains(x.substring(0, 10)), shown);
  }
}
