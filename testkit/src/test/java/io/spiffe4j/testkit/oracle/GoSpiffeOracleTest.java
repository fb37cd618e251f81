package io.spiffe4j.testkit.oracle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoSpiffeOracleTest {
    private static final String TD = "example.org";
    private static final String WORKLOAD = "spiffe://example.org/workload";
    private static final AtomicLong SERIALS = new AtomicLong(1);

    // Building Go takes minutes on a cold machine: one oracle serves the whole class.
    private static GoSpiffeOracle oracle;

    @BeforeAll
    static void startOracle() {
        long started = System.nanoTime();
        oracle = GoSpiffeOracle.start();
        System.out.printf("go-spiffe oracle ready after %.1f s%n", (System.nanoTime() - started) / 1e9);
    }

    @AfterAll
    static void closeOracle() {
        oracle.close();
    }

    @Test
    void isBuiltWithGoSpiffeV290() {
        Verdict version = oracle.version();
        assertEquals("v2.9.0", version.text("go_spiffe_version"), version::toString);
    }

    @Test
    void acceptsAWellFormedId() {
        Verdict verdict = oracle.idParse("spiffe://example.org/a/b");
        assertTrue(verdict.ok(), verdict::toString);
        assertNull(verdict.error());
        assertEquals("spiffe://example.org/a/b", verdict.spiffeId());
        assertEquals("example.org", verdict.text("trust_domain"));
        assertEquals("/a/b", verdict.text("path"));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "spiffe://Example.org/a      | trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
        "spiffe://example.org/a/     | path cannot have a trailing slash",
        "spiffe://td:443             | trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
        "spiffe://example.org/a%20b  | path segment characters are limited to letters, numbers, dots, dashes, and underscores",
        "spiffe://ex%41mple.org/a    | trust domain characters are limited to lowercase letters, numbers, dots, dashes, and underscores",
    })
    void rejectsMalformedIdsWithGoSpiffesError(String id, String error) {
        Verdict verdict = oracle.idParse(id);
        assertFalse(verdict.ok(), verdict::toString);
        assertEquals(error, verdict.error());
        assertTrue(verdict.fields().isEmpty(), verdict::toString);
    }

    @Test
    void answersTheOtherIdOps() {
        assertEquals("example.org", oracle.trustDomainParse("spiffe://example.org/x").text("trust_domain"));
        assertEquals("spiffe://example.org/a/b", oracle.idFromSegments(TD, List.of("a", "b")).spiffeId());
        assertEquals("path segment characters are limited to letters, numbers, dots, dashes, and underscores",
                oracle.idFromSegments(TD, List.of("a/b")).error());
        assertEquals("path must have a leading slash", oracle.idFromPath(TD, "a").error());
    }

    @Test
    void batchOf2000IdsComesBackInOrder() {
        Random random = new Random(42);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            // Every third ID has an uppercase trust domain, so order mistakes show up as ok/not-ok mismatches too.
            String td = i % 3 == 0 ? "TD" + i : "td" + i;
            ids.add("spiffe://" + td + ".example/" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "/n" + i);
        }

        long started = System.nanoTime();
        List<Verdict> verdicts = oracle.idParseAll(ids);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("id_parse batch: %d requests in %.3f s = %.0f requests/s%n", ids.size(), seconds, ids.size() / seconds);

        assertEquals(ids.size(), verdicts.size());
        for (int i = 0; i < ids.size(); i++) {
            Verdict verdict = verdicts.get(i);
            if (i % 3 == 0) {
                assertFalse(verdict.ok(), "verdict " + i);
            } else {
                assertEquals(ids.get(i), verdict.spiffeId(), "verdict " + i);
            }
        }
    }

    @Test
    void aMalformedRequestThrowsAndLeavesTheOracleUsable() {
        GoSpiffeOracleException e = assertThrows(GoSpiffeOracleException.class,
                () -> oracle.bundleParse("no-such-format", TD, new byte[0]));
        assertInstanceOf(IllegalStateException.class, e);
        assertTrue(e.getMessage().contains("unknown bundle format \"no-such-format\""), e::getMessage);

        assertTrue(oracle.idParse(WORKLOAD).ok());
    }

    @Test
    void aMalformedRequestInABatchThrowsAfterTheWholeBatch() {
        List<OracleRequest> batch = List.of(
                OracleRequest.idParse(WORKLOAD),
                OracleRequest.bundleParse("no-such-format", TD, new byte[0]),
                OracleRequest.idParse(WORKLOAD));
        assertThrows(GoSpiffeOracleException.class, () -> oracle.runAll(batch));

        assertTrue(oracle.idParse(WORKLOAD).ok());
    }

    @Test
    void closeEndsTheProcess() {
        GoSpiffeOracle second = GoSpiffeOracle.start();
        long pid = second.pid();
        assertTrue(second.idParse(WORKLOAD).ok());

        second.close();

        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "oracle process " + pid + " still alive");
        assertThrows(GoSpiffeOracleException.class, () -> second.idParse(WORKLOAD));
        second.close();
    }

    @Test
    void verifiesAValidX509SvidChain() throws Exception {
        Instant now = Instant.now();
        KeyPair caKey = ecKeyPair();
        X509Certificate ca = caCertificate(caKey, now);
        KeyPair leafKey = ecKeyPair();
        X509Certificate leaf = leafCertificate(leafKey, caKey.getPrivate(), now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)));

        Verdict verdict = oracle.x509Verify(List.of(leaf.getEncoded()), TD, List.of(ca.getEncoded()), now);
        assertTrue(verdict.ok(), verdict::toString);
        assertEquals(WORKLOAD, verdict.spiffeId());

        Verdict parsed = oracle.x509Parse(List.of(leaf.getEncoded()), leafKey.getPrivate().getEncoded());
        assertEquals(WORKLOAD, parsed.spiffeId(), parsed::toString);
    }

    @Test
    void rejectsAnExpiredX509Svid() throws Exception {
        Instant now = Instant.now();
        KeyPair caKey = ecKeyPair();
        X509Certificate ca = caCertificate(caKey, now);
        X509Certificate expired = leafCertificate(ecKeyPair(), caKey.getPrivate(), now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)));

        Verdict verdict = oracle.x509Verify(List.of(expired.getEncoded()), TD, List.of(ca.getEncoded()), now);
        assertFalse(verdict.ok(), verdict::toString);
        assertTrue(verdict.error().startsWith("x509svid: could not verify leaf certificate: x509: certificate has expired"), verdict::toString);
    }

    @Test
    void validatesAJwtSvid() throws Exception {
        KeyPair key = ecKeyPair();
        long exp = Instant.now().plus(Duration.ofMinutes(5)).getEpochSecond();
        String token = es256Jwt(key.getPrivate(), "k1", WORKLOAD, "svc", exp);

        Verdict verdict = oracle.jwtValidate(token, TD, jwks(key, "k1"), List.of("svc"));
        assertTrue(verdict.ok(), verdict::toString);
        assertEquals(WORKLOAD, verdict.spiffeId());
        assertEquals(List.of("svc"), verdict.texts("audience"));
        assertEquals(exp, verdict.number("expiry"));

        assertEquals(WORKLOAD, oracle.jwtParseInsecure(token, List.of("svc")).spiffeId());
    }

    @Test
    void rejectsAnExpiredJwtSvid() throws Exception {
        KeyPair key = ecKeyPair();
        // Beyond go-jose's 60 s leeway.
        long exp = Instant.now().minus(Duration.ofMinutes(10)).getEpochSecond();
        String token = es256Jwt(key.getPrivate(), "k1", WORKLOAD, "svc", exp);

        Verdict verdict = oracle.jwtValidate(token, TD, jwks(key, "k1"), List.of("svc"));
        assertEquals("jwtsvid: token has expired", verdict.error(), verdict::toString);
    }

    @Test
    void parsesBundles() throws Exception {
        KeyPair caKey = ecKeyPair();
        X509Certificate ca = caCertificate(caKey, Instant.now());
        KeyPair jwtKey = ecKeyPair();
        String spiffeBundle = "{\"spiffe_sequence\":18446744073709551615,\"spiffe_refresh_hint\":300,\"keys\":["
                + jwk(caKey, "\"use\":\"x509-svid\",\"x5c\":[\"" + Base64.getEncoder().encodeToString(ca.getEncoded()) + "\"]")
                + "," + jwk(jwtKey, "\"use\":\"jwt-svid\",\"kid\":\"k1\"") + "]}";

        Verdict verdict = oracle.bundleParse("spiffe", TD, spiffeBundle.getBytes(StandardCharsets.UTF_8));
        assertTrue(verdict.ok(), verdict::toString);
        assertEquals(1, verdict.number("x509_authorities"));
        assertEquals(List.of("k1"), verdict.texts("jwt_kids"));
        assertEquals(new BigInteger("18446744073709551615"), verdict.fields().get("sequence"));
        assertEquals(300, verdict.number("refresh_hint_seconds"));

        Verdict der = oracle.bundleParse("x509_der", TD, ca.getEncoded());
        assertEquals(1, der.number("x509_authorities"), der::toString);
    }

    private static KeyPair ecKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate caCertificate(KeyPair key, Instant now) throws Exception {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=test-ca"),
                BigInteger.valueOf(SERIALS.getAndIncrement()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name("CN=test-ca"), key.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, "spiffe://" + TD)));
        return sign(builder, key.getPrivate());
    }

    private static X509Certificate leafCertificate(KeyPair key, PrivateKey caKey, Instant notBefore, Instant notAfter) throws Exception {
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name("CN=test-ca"),
                BigInteger.valueOf(SERIALS.getAndIncrement()), Date.from(notBefore), Date.from(notAfter),
                new X500Name("CN=workload"), key.getPublic())
                .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                .addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, WORKLOAD)));
        return sign(builder, caKey);
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey signer)
            throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
    }

    private static String es256Jwt(PrivateKey key, String kid, String subject, String audience, long exp)
            throws GeneralSecurityException {
        String header = "{\"alg\":\"ES256\",\"kid\":\"" + kid + "\",\"typ\":\"JWT\"}";
        String claims = "{\"sub\":\"" + subject + "\",\"aud\":[\"" + audience + "\"],\"exp\":" + exp + "}";
        String signingInput = base64Url(header.getBytes(StandardCharsets.UTF_8)) + "." + base64Url(claims.getBytes(StandardCharsets.UTF_8));
        // JWS wants ECDSA signatures as fixed-length R||S, which is the JDK's P1363 format.
        Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
        signature.initSign(key);
        signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + base64Url(signature.sign());
    }

    private static String jwks(KeyPair key, String kid) {
        return "{\"keys\":[" + jwk(key, "\"use\":\"jwt-svid\",\"kid\":\"" + kid + "\"") + "]}";
    }

    private static String jwk(KeyPair key, String extraMembers) {
        ECPublicKey publicKey = (ECPublicKey) key.getPublic();
        return "{\"kty\":\"EC\",\"crv\":\"P-256\",\"x\":\"" + base64Url(coordinate(publicKey.getW().getAffineX()))
                + "\",\"y\":\"" + base64Url(coordinate(publicKey.getW().getAffineY())) + "\"," + extraMembers + "}";
    }

    /** A P-256 coordinate as the 32 big-endian bytes JWK requires, without BigInteger's sign byte. */
    private static byte[] coordinate(BigInteger value) {
        byte[] bytes = value.toByteArray();
        byte[] fixed = new byte[32];
        int length = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - length, fixed, 32 - length, length);
        return fixed;
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
