package io.spiffe4j.testkit.authority;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.authority.UpstreamAuthorities;
import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.testkit.oracle.GoSpiffeOracle;
import io.spiffe4j.testkit.oracle.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of the embedded authority by go-spiffe v2.9.0: the X509-SVIDs it issues pass {@code x509svid.ParseRaw}
 * and {@code x509svid.ParseAndVerify} against its bundle, its JWT-SVIDs pass {@code jwtsvid.ParseAndValidate}
 * against its JWT bundle, and {@code spiffebundle.Parse} reads its bundle, before and after CA rotation, for a
 * self-signed authority and for one under the disk upstream (with and without an intermediate upstream CA).
 *
 * <p>X.509 is judged at the authority's clock, which the test moves through a rotation (the oracle takes the
 * instant); JWT-SVIDs are judged by go-spiffe at the real time (it has no clock option), so their authorities run on
 * the real clock and rotate by force.
 */
class AuthorityGoSpiffeAcceptanceTest {
    private static final TrustDomain TD = TrustDomain.parse("example.org");
    private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
    private static final String AUDIENCE = "spiffe://example.org/payments";
    private static final Duration CA_TTL = Duration.ofHours(6);

    // Building Go takes minutes on a cold machine: one oracle serves the whole class.
    private static GoSpiffeOracle oracle;

    @TempDir
    Path dir;

    @BeforeAll
    static void startOracle() {
        oracle = GoSpiffeOracle.start();
    }

    @AfterAll
    static void stopOracle() {
        if (oracle != null) {
            oracle.close();
        }
    }

    /** A clock the test moves; thread-safe. */
    private static final class MovingClock extends Clock {
        private volatile Instant now;

        MovingClock(Instant now) {
            this.now = now;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void selfSignedAuthority_svidsAcceptedBeforeAndAfterRotation() {
        MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try (SpiffeAuthority authority = onClock(SpiffeAuthority.builder(TD), clock)) {
            rotateAndCheckX509(authority, clock);
        }
    }

    @Test
    void diskUpstreamAuthority_svidsAcceptedBeforeAndAfterRotation() throws IOException {
        MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        KeyPair rootKey = KeyAlgorithm.EC_P384.generate();
        X509Certificate root = root(rootKey, clock.instant());
        Path cert = Files.writeString(dir.resolve("upstream.crt"), pem(root));
        Path key = Files.writeString(dir.resolve("upstream.key"), pkcs8(rootKey));
        UpstreamAuthority upstream = UpstreamAuthorities.disk(cert, key).withClock(clock);
        try (SpiffeAuthority authority = onClock(SpiffeAuthority.builder(TD).upstream(upstream), clock)) {
            assertEquals(List.of(root), authority.bundle().x509Authorities());
            rotateAndCheckX509(authority, clock);
        }
    }

    @Test
    void diskUpstreamWithAnIntermediateAndABundleFile_svidsAcceptedBeforeAndAfterRotation() throws IOException {
        MovingClock clock = new MovingClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        KeyPair rootKey = KeyAlgorithm.RSA_2048.generate();
        KeyPair intermediateKey = KeyAlgorithm.EC_P256.generate();
        X509Certificate root = root(rootKey, clock.instant());
        X509Certificate intermediate = CertificateMinter.bare(intermediateKey.getPublic())
                .subject(new X500Principal("O=Acceptance, CN=upstream intermediate"))
                .ca(true)
                .keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN))
                .validFor(clock.instant(), Duration.ofDays(30))
                .issuedBy(root, rootKey.getPrivate())
                .sign(null);
        Path cert = Files.writeString(dir.resolve("intermediate.crt"), pem(intermediate));
        Path key = Files.writeString(dir.resolve("intermediate.key"), pkcs8(intermediateKey));
        Path bundle = Files.writeString(dir.resolve("bundle.crt"), pem(root));
        UpstreamAuthority upstream = UpstreamAuthorities.disk(cert, key, bundle).withClock(clock);
        try (SpiffeAuthority authority = onClock(SpiffeAuthority.builder(TD).upstream(upstream), clock)) {
            assertEquals(List.of(authority.activeCa().certificate(), intermediate), authority.activeCa().chain());
            rotateAndCheckX509(authority, clock);
        }
    }

    @Test
    void jwtSvidsAcceptedBeforeAndAfterAForcedRotation_selfSignedAndUnderTheDiskUpstream() throws IOException {
        KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
        Path cert = Files.writeString(dir.resolve("jwt-upstream.crt"), pem(root(rootKey, Instant.now())));
        Path key = Files.writeString(dir.resolve("jwt-upstream.key"), pkcs8(rootKey));
        List<Supplier<SpiffeAuthority>> authorities = List.of(
                () -> SpiffeAuthority.builder(TD).withoutTimer().build(),
                () -> SpiffeAuthority.builder(TD).keyAlgorithm(KeyAlgorithm.RSA_2048).withoutTimer().build(),
                () -> SpiffeAuthority.builder(TD).upstream(UpstreamAuthorities.disk(cert, key)).withoutTimer().build());
        for (Supplier<SpiffeAuthority> make : authorities) {
            try (SpiffeAuthority authority = make.get()) {
                JwtSvid before = authority.mintJwtSvid(WEB, List.of(AUDIENCE));
                assertJwtAccepted(authority, before);
                authority.prepareNextCa();
                assertJwtAccepted(authority, before);
                authority.activateNextCa();
                JwtSvid after = authority.mintJwtSvid(WEB, List.of(AUDIENCE));
                assertEquals(authority.activeCa().jwtKeyId(), after.keyId());
                assertJwtAccepted(authority, after);
                assertJwtAccepted(authority, before);
                // The X.509 side at the real time too, for the disk upstream on the system clock.
                assertX509Accepted(authority, authority.mintX509Svid(WEB), Instant.now());
            }
        }
    }

    private static SpiffeAuthority onClock(SpiffeAuthority.Builder builder, Clock clock) {
        return builder.caTtl(CA_TTL).x509SvidTtl(Duration.ofHours(1)).clock(clock).withoutTimer().build();
    }

    /**
     * Takes the authority through a whole rotation (prepared at 3 h, active at 5 h, the first CA gone at 6 h),
     * asking go-spiffe at each stage about the SVIDs issued so far.
     */
    private static void rotateAndCheckX509(SpiffeAuthority authority, MovingClock clock) {
        AuthorityCa first = authority.activeCa();
        X509Svid early = authority.mintX509Svid(WEB);
        assertX509Accepted(authority, early, clock.instant());

        clock.advance(Duration.ofHours(3));
        authority.tick();
        assertTrue(authority.nextCa().isPresent(), "prepared");
        X509Svid prepared = authority.mintX509Svid(WEB);
        assertX509Accepted(authority, prepared, clock.instant());

        clock.advance(Duration.ofHours(2));
        authority.tick();
        assertFalse(authority.activeCa().equals(first), "activated");
        X509Svid activated = authority.mintX509Svid(WEB);
        assertX509Accepted(authority, activated, clock.instant());

        clock.advance(Duration.ofMinutes(30));
        X509Svid late = authority.mintX509Svid(WEB);
        clock.advance(Duration.ofMinutes(30).plusSeconds(1));
        authority.tick();
        assertX509Accepted(authority, late, clock.instant());
        Verdict expired = x509Verify(authority, prepared, clock.instant());
        assertFalse(expired.ok(), "an SVID of the first CA is refused once that CA expired: " + expired);
    }

    private static void assertX509Accepted(SpiffeAuthority authority, X509Svid svid, Instant at) {
        Verdict verify = x509Verify(authority, svid, at);
        assertTrue(verify.ok(), "x509svid.ParseAndVerify: " + verify);
        assertEquals(WEB.toString(), verify.spiffeId());
        Verdict parse = oracle.x509Parse(der(svid.chain()), svid.privateKey().getEncoded());
        assertTrue(parse.ok(), "x509svid.ParseRaw: " + parse);
        SpiffeBundle bundle = authority.bundle();
        Verdict parsed = oracle.bundleParse("spiffe", TD.name(), bundle.marshal());
        assertTrue(parsed.ok(), "spiffebundle.Parse: " + parsed);
        assertEquals(bundle.x509Authorities().size(), parsed.number("x509_authorities"));
        assertEquals(List.copyOf(new java.util.TreeSet<>(bundle.jwtAuthorities().keySet())), parsed.texts("jwt_kids"));
        assertEquals(bundle.sequenceNumber().orElseThrow().longValueExact(), parsed.number("sequence"));
    }

    private static Verdict x509Verify(SpiffeAuthority authority, X509Svid svid, Instant at) {
        return oracle.x509Verify(der(svid.chain()), TD.name(), der(authority.bundle().x509Authorities()), at);
    }

    private static void assertJwtAccepted(SpiffeAuthority authority, JwtSvid token) {
        String jwks = new String(authority.bundle().jwtBundle().marshal(), StandardCharsets.UTF_8);
        Verdict verdict = oracle.jwtValidate(token.token(), TD.name(), jwks, List.of(AUDIENCE));
        assertTrue(verdict.ok(), "jwtsvid.ParseAndValidate: " + verdict);
        assertEquals(WEB.toString(), verdict.spiffeId());
        assertEquals(List.of(AUDIENCE), verdict.texts("audience"));
    }

    private static X509Certificate root(KeyPair key, Instant now) {
        return CertificateMinter.bare(key.getPublic())
                .subject(new X500Principal("O=Acceptance, CN=upstream root"))
                .ca(true)
                .keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN))
                .validFor(now, Duration.ofDays(60))
                .sign(key.getPrivate());
    }

    private static List<byte[]> der(List<X509Certificate> certificates) {
        return certificates.stream().map(AuthorityGoSpiffeAcceptanceTest::der).toList();
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new AssertionError(e);
        }
    }

    private static String pem(X509Certificate certificate) {
        return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(der(certificate)) + "\n-----END CERTIFICATE-----\n";
    }

    private static String pkcs8(KeyPair key) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(key.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
    }
}
