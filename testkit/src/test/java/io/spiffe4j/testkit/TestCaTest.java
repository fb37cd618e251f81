package io.spiffe4j.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.testkit.oracle.GoSpiffeOracle;
import io.spiffe4j.testkit.oracle.OracleRequest;
import io.spiffe4j.testkit.oracle.Verdict;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestCaTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/workload");
    private static final Instant FIXED = Instant.parse("2030-01-02T03:04:05Z");
    private static final Clock CLOCK = Clock.fixed(FIXED, ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static GoSpiffeOracle oracle;

    @BeforeAll
    static void startOracle() {
        oracle = GoSpiffeOracle.start();
    }

    @AfterAll
    static void closeOracle() {
        oracle.close();
    }

    @Test
    void create_rootIsASelfSignedSpiffeCaOfTheTrustDomain() throws Exception {
        TestCa ca = TestCa.create(TD);
        X509Certificate root = ca.certificate();

        assertEquals(TD, ca.trustDomain());
        assertEquals(List.of(root), ca.x509Authorities());
        assertEquals(root.getSubjectX500Principal(), root.getIssuerX500Principal());
        root.verify(root.getPublicKey());
        assertTrue(root.getBasicConstraints() >= 0, "cA=true");
        assertTrue(root.getKeyUsage()[5], "keyCertSign");
        assertEquals(List.of("spiffe://example.org"), uriSans(root));
        assertEquals("EC", root.getPublicKey().getAlgorithm());
        assertEquals(ca.keyPair().getPublic(), root.getPublicKey());
    }

    @Test
    void x509Svid_isALeafOfTheIdSignedByTheCaWithAMatchingKey() throws Exception {
        TestCa ca = TestCa.builder(TD).clock(CLOCK).build();
        TestCa.IssuedSvid svid = ca.x509Svid(WORKLOAD);
        X509Certificate leaf = svid.leaf();

        assertEquals(WORKLOAD, svid.id());
        assertEquals(List.of(leaf), svid.chain());
        leaf.verify(ca.certificate().getPublicKey());
        assertEquals(List.of(WORKLOAD.toString()), uriSans(leaf));
        assertEquals(-1, leaf.getBasicConstraints(), "cA=false");
        assertTrue(leaf.getKeyUsage()[0], "digitalSignature");
        assertFalse(leaf.getKeyUsage()[5], "keyCertSign");
        assertEquals(FIXED.minusSeconds(60), leaf.getNotBefore().toInstant());
        assertEquals(FIXED.plus(Duration.ofHours(1)), leaf.getNotAfter().toInstant());
        assertKeysMatch(svid.privateKey(), leaf.getPublicKey());
        assertArrayEquals(leaf.getEncoded(), svid.chainDer());
        assertArrayEquals(svid.privateKey().getEncoded(), svid.privateKeyDer());
    }

    @Test
    void x509Svid_customizerChangesTheDefaults() throws Exception {
        TestCa ca = TestCa.builder(TD).clock(CLOCK).build();
        Instant notAfter = FIXED.minus(Duration.ofMinutes(5));

        X509Certificate leaf = ca.x509Svid(WORKLOAD,
                minter -> minter.validity(FIXED.minus(Duration.ofHours(1)), notAfter).dnsSans("workload.example")).leaf();

        assertEquals(notAfter, leaf.getNotAfter().toInstant());
        assertEquals(List.of(WORKLOAD.toString()), uriSans(leaf));
    }

    @Test
    void childCa_chainsThroughEveryIntermediateAndTrustsOnlyTheRoot() throws Exception {
        TestCa root = TestCa.create(TD);
        TestCa child = root.childCa();
        TestCa grandchild = child.childCa();
        TestCa.IssuedSvid svid = grandchild.x509Svid(WORKLOAD);

        assertEquals(List.of(svid.leaf(), grandchild.certificate(), child.certificate()), svid.chain());
        svid.leaf().verify(grandchild.certificate().getPublicKey());
        grandchild.certificate().verify(child.certificate().getPublicKey());
        child.certificate().verify(root.certificate().getPublicKey());
        assertEquals(root.x509Authorities(), grandchild.x509Authorities());
        assertEquals(root.x509Bundle(), grandchild.x509Bundle());
        assertEquals(root.jwtBundle(), grandchild.jwtBundle());
        assertTrue(child.certificate().getBasicConstraints() >= 0, "intermediate cA=true");
        assertNotEquals(root.certificate().getSubjectX500Principal(), child.certificate().getSubjectX500Principal());
        assertNotEquals(child.certificate().getSubjectX500Principal(), grandchild.certificate().getSubjectX500Principal());
        assertEquals(child.certificate().getSubjectX500Principal(), grandchild.certificate().getIssuerX500Principal());
    }

    @Test
    void bundles_holdTheRootAndTheJwtAuthority() {
        TestCa ca = TestCa.create(TD);

        assertEquals(TD, ca.x509Bundle().trustDomain());
        assertEquals(ca.x509Authorities(), ca.x509Bundle().x509Authorities());
        assertEquals(Map.of(ca.jwtKeyId(), ca.jwtAuthorities().get(ca.jwtKeyId())), ca.jwtBundle().jwtAuthorities());
        assertEquals(TD, ca.jwtBundle().trustDomain());
        assertNotEquals(ca.jwtKeyId(), TestCa.create(TD).jwtKeyId(), "each CA has its own JWT key ID");
    }

    @Test
    void jwtSvid_hasTheSpiffeClaimsAndTheCasKeyId() throws Exception {
        TestCa ca = TestCa.builder(TD).clock(CLOCK).build();
        String token = ca.jwtSvid(WORKLOAD, "svc-a", "svc-b");

        JsonNode header = part(token, 0);
        JsonNode claims = part(token, 1);
        assertEquals("ES256", header.get("alg").asText());
        assertEquals(ca.jwtKeyId(), header.get("kid").asText());
        assertEquals("JWT", header.get("typ").asText());
        assertEquals(WORKLOAD.toString(), claims.get("sub").asText());
        assertEquals(List.of("svc-a", "svc-b"), JSON.convertValue(claims.get("aud"), List.class));
        assertEquals(FIXED.plus(Duration.ofHours(1)).getEpochSecond(), claims.get("exp").asLong());
        assertEquals(FIXED.getEpochSecond(), claims.get("iat").asLong());

        String expiring = ca.jwtSvid(WORKLOAD, List.of("svc"), FIXED.plusSeconds(42));
        assertEquals(FIXED.plusSeconds(42).getEpochSecond(), part(expiring, 1).get("exp").asLong());
    }

    @Test
    void jwtSvid_customizerChangesTheDefaults() throws Exception {
        TestCa ca = TestCa.create(TD);

        String token = ca.jwtSvid(WORKLOAD, minter -> minter.audience("svc").keyId(null).claim("tenant", "blue"));

        assertFalse(part(token, 0).has("kid"));
        assertEquals("blue", part(token, 1).get("tenant").asText());
    }

    @Test
    void jwksJson_publishesTheJwtAuthorityUnderItsKid() throws Exception {
        TestCa ca = TestCa.builder(TD).jwtKeyAlgorithm(KeyAlgorithm.RSA_2048).build();

        JsonNode keys = JSON.readTree(ca.jwksJson()).get("keys");
        assertEquals(1, keys.size());
        assertEquals("RSA", keys.get(0).get("kty").asText());
        assertEquals(ca.jwtKeyId(), keys.get(0).get("kid").asText());
        assertEquals(ca.jwtBundle(), JwtBundle.parse(TD, ca.jwksJson().getBytes(StandardCharsets.UTF_8)));
        assertEquals("RS256", part(ca.jwtSvid(WORKLOAD, "svc"), 0).get("alg").asText());
    }

    @Test
    void spiffeBundleJson_holdsTheRootAndTheJwtAuthorityWithTheirUse() throws Exception {
        TestCa ca = TestCa.create(TD).childCa();

        JsonNode keys = JSON.readTree(ca.spiffeBundleJson()).get("keys");
        assertEquals(List.of("x509-svid", "jwt-svid"), List.of(keys.get(0).get("use").asText(), keys.get(1).get("use").asText()));
        SpiffeBundle parsed = SpiffeBundle.parse(TD, ca.spiffeBundleJson().getBytes(StandardCharsets.UTF_8));
        assertEquals(ca.spiffeBundle(), parsed);
        assertEquals(ca.x509Authorities(), parsed.x509Authorities());
        assertEquals(ca.jwtAuthorities(), parsed.jwtAuthorities());
    }

    @Test
    void toX509Svid_isAcceptedBySpiffe4jsOwnParserAndVerifier() {
        TestCa root = TestCa.builder(TD).clock(CLOCK).build();
        for (TestCa ca : List.of(root, root.childCa(), root.childCa().childCa())) {
            TestCa.IssuedSvid issued = ca.x509Svid(WORKLOAD);

            X509Svid svid = issued.toX509Svid();
            assertEquals(WORKLOAD, svid.id());
            assertEquals(issued.chain(), svid.chain());
            assertEquals(WORKLOAD, X509Svid.parseRaw(issued.chainDer(), issued.privateKeyDer()).id());
            VerifiedX509Svid verified = X509SvidVerifier.of(ca.x509Bundle(), CLOCK).verify(issued.chain());
            assertEquals(WORKLOAD, verified.id());
            assertEquals(root.certificate(), verified.verifiedChain().get(verified.verifiedChain().size() - 1));
        }
    }

    @Test
    void toX509Svid_rejectsWhatACustomizerBroke() {
        TestCa ca = TestCa.create(TD);
        TestCa.IssuedSvid rootPath = ca.x509Svid(WORKLOAD, minter -> minter.uriSans("spiffe://example.org"));

        assertThrows(X509SvidException.class, rootPath::toX509Svid);
    }

    @Test
    void jwtSvid_isAcceptedBySpiffe4jsValidator() {
        TestCa ca = TestCa.create(TD);
        JwtSvidValidator validator = JwtSvidValidator.builder().bundleSource(ca.jwtBundle()).expectAudience("svc").build();

        JwtSvid svid = validator.validate(ca.jwtSvid(WORKLOAD, "svc"));

        assertEquals(WORKLOAD, svid.id());
        assertThrows(JwtSvidException.class, () -> validator.validate(TestCa.create(TD).jwtSvid(WORKLOAD, "svc")));
    }

    @Test
    void builder_rejectsWhatCannotWork() {
        TestCa.Builder builder = TestCa.builder(TD);
        assertThrows(IllegalArgumentException.class, () -> builder.jwtKeyAlgorithm(KeyAlgorithm.ED25519));
        assertThrows(IllegalArgumentException.class, () -> builder.caTtl(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> builder.svidTtl(Duration.ofSeconds(-1)));
        assertThrows(NullPointerException.class, () -> builder.clock(null));
        assertThrows(NullPointerException.class, () -> TestCa.builder(null));
        TestCa ca = builder.build();
        assertThrows(IllegalArgumentException.class, () -> ca.jwtSvid(WORKLOAD));
        assertThrows(IllegalArgumentException.class, () -> ca.jwtSvid(WORKLOAD, List.of(), Instant.now()));
    }

    @Test
    void toString_showsNoKeyMaterial() {
        TestCa ca = TestCa.create(TD);
        TestCa.IssuedSvid svid = ca.x509Svid(WORKLOAD);
        String privateKey = Base64.getEncoder().encodeToString(svid.privateKeyDer());

        for (String text : List.of(ca.toString(), svid.toString())) {
            assertFalse(text.contains(privateKey.substring(0, 24)), text);
            assertFalse(text.contains(Base64.getEncoder().encodeToString(ca.keyPair().getPrivate().getEncoded()).substring(0, 24)), text);
        }
        assertTrue(svid.toString().contains(WORKLOAD.toString()), svid::toString);
    }

    /** The kit is only useful if the reference implementation accepts what it issues, for every key algorithm. */
    @ParameterizedTest
    @EnumSource(value = KeyAlgorithm.class, names = {"EC_P256", "EC_P384", "RSA_2048", "ED25519"})
    void goSpiffeAcceptsEverythingTheKitIssues(KeyAlgorithm algorithm) {
        TestCa root = TestCa.builder(TD).keyAlgorithm(algorithm).svidKeyAlgorithm(algorithm)
                .jwtKeyAlgorithm(algorithm == KeyAlgorithm.ED25519 ? KeyAlgorithm.EC_P384 : algorithm).build();
        TestCa intermediate = root.childCa().childCa();
        List<OracleRequest> requests = new ArrayList<>();
        for (TestCa ca : List.of(root, intermediate)) {
            TestCa.IssuedSvid svid = ca.x509Svid(WORKLOAD);
            requests.add(OracleRequest.x509Verify(der(svid.chain()), TD.name(), der(ca.x509Authorities()), Instant.now()));
            requests.add(OracleRequest.x509Parse(der(svid.chain()), svid.privateKeyDer()));
            requests.add(OracleRequest.jwtValidate(ca.jwtSvid(WORKLOAD, "svc"), TD.name(), ca.jwksJson(), List.of("svc")));
        }
        requests.add(OracleRequest.bundleParse("jwks", TD.name(), root.jwksJson().getBytes(StandardCharsets.UTF_8)));
        requests.add(OracleRequest.bundleParse("spiffe", TD.name(), intermediate.spiffeBundleJson().getBytes(StandardCharsets.UTF_8)));

        List<Verdict> verdicts = oracle.runAll(requests);

        for (int i = 0; i < verdicts.size() - 2; i++) {
            Verdict verdict = verdicts.get(i);
            String request = requests.get(i).op();
            assertTrue(verdict.ok(), () -> request + ": " + verdict);
            assertEquals(WORKLOAD.toString(), verdict.spiffeId());
        }
        Verdict jwks = verdicts.get(verdicts.size() - 2);
        assertEquals(List.of(root.jwtKeyId()), jwks.texts("jwt_kids"), jwks::toString);
        Verdict spiffeBundle = verdicts.get(verdicts.size() - 1);
        assertEquals(List.of(root.jwtKeyId()), spiffeBundle.texts("jwt_kids"), spiffeBundle::toString);
        assertEquals(1, spiffeBundle.number("x509_authorities"), spiffeBundle::toString);
    }

    private static List<String> uriSans(X509Certificate certificate) throws Exception {
        List<String> uris = new ArrayList<>();
        Collection<List<?>> names = certificate.getSubjectAlternativeNames();
        if (names != null) {
            for (List<?> name : names) {
                if ((Integer) name.get(0) == 6) {
                    uris.add((String) name.get(1));
                }
            }
        }
        return uris;
    }

    private static void assertKeysMatch(PrivateKey privateKey, PublicKey publicKey) throws Exception {
        String algorithm = publicKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        byte[] message = "proof of possession".getBytes(StandardCharsets.UTF_8);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(privateKey);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(publicKey);
        verifier.update(message);
        assertTrue(verifier.verify(signature), "private key matches the leaf");
    }

    private static JsonNode part(String token, int index) throws Exception {
        return JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.")[index]));
    }

    private static List<byte[]> der(List<X509Certificate> certificates) {
        List<byte[]> der = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            try {
                der.add(certificate.getEncoded());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
        return der;
    }
}
