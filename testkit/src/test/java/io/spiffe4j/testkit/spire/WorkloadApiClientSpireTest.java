package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.workloadapi.Watch;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.X509Context;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Our Workload API client against a real SPIRE agent: the one-shot calls, local and agent-side JWT-SVID validation,
 * and a watch that outlives an agent crash. The test JVM's uid has exactly one entry, {@link #JVM_ID}.
 */
@Tag("spire")
class WorkloadApiClientSpireTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String AUDIENCE = "spiffe4j-spire-test";

    @RegisterExtension
    static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().trustDomain("spiffe4j.test"));

    private static final TrustDomain TD = TrustDomain.parse("spiffe4j.test");
    private static final SpiffeId JVM_ID = SpiffeId.parse("spiffe://spiffe4j.test/client");

    private final Spire spire = SPIRE.spire();
    private WorkloadApiClient client;

    @BeforeAll
    static void registerTestJvm() {
        SPIRE.spire().createEntry(JVM_ID, WorkloadUser.current().uidSelector());
    }

    @BeforeEach
    void connect() {
        // A client per test: the crash test must not leave a shared channel reconnecting for the tests after it.
        client = WorkloadApiClient.create(spire.workloadSocketAddress());
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void fetchX509Context_returnsTheJvmSvid_verifiedByTheFetchedBundle_whichIsTheServers() {
        X509Context context = client.fetchX509Context();

        assertEquals(1, context.svids().size(), context::toString);
        X509Svid svid = context.defaultSvid();
        assertEquals(JVM_ID, svid.id());
        assertEquals(JVM_ID, X509SvidVerifier.of(context.bundles()).verify(svid.chain()).id());
        assertEquals(spire.serverBundle(), context.x509BundleFor(TD), "the workload gets the server's bundle");
        assertEquals(Set.of(TD), context.bundles().trustDomains());
        assertTrue(svid.expiresAt().isAfter(Instant.now()));
    }

    @Test
    void fetchJwtSvid_validatesLocallyAgainstFetchedJwtBundles_andViaTheAgent() {
        JwtSvid svid = client.fetchJwtSvid(AUDIENCE);

        assertEquals(JVM_ID, svid.id());
        assertEquals(List.of(AUDIENCE), svid.audience());
        JwtSvidValidator local = JwtSvidValidator.builder().bundleSource(client.fetchJwtBundles())
                .expectAudience(AUDIENCE).build();
        assertEquals(JVM_ID, local.validate(svid.token()).id());
        JwtSvid byAgent = client.validateJwtSvid(svid.token(), AUDIENCE);
        assertEquals(JVM_ID, byAgent.id());
        assertEquals(svid.expiry(), byAgent.expiry());
    }

    @Test
    void fetchJwtSvid_forTheJvmIdExplicitly_andForAnIdItHasNot() {
        assertEquals(JVM_ID, client.fetchJwtSvid(JVM_ID, AUDIENCE).id());

        WorkloadApiException denied = assertThrows(WorkloadApiException.class,
                () -> client.fetchJwtSvid(SpiffeId.parse("spiffe://spiffe4j.test/someone-else"), AUDIENCE));
        assertEquals(WorkloadApiException.Kind.NO_IDENTITY, denied.kind(), denied::toString);
    }

    @Test
    void validateJwtSvid_agentRefusesWrongAudienceAndTamperedToken_notRetryable() {
        String token = client.fetchJwtSvid(AUDIENCE).token();
        int signature = token.lastIndexOf('.') + 1;
        String tampered = token.substring(0, signature) + "AAAA" + token.substring(signature + 4);

        for (String[] call : List.of(new String[] {token, "another-audience"}, new String[] {tampered, AUDIENCE})) {
            WorkloadApiException refused = assertThrows(WorkloadApiException.class,
                    () -> client.validateJwtSvid(call[0], call[1]));
            assertEquals(WorkloadApiException.Kind.INVALID_ARGUMENT, refused.kind(), refused::toString);
            assertFalse(refused.isRetryable());
            assertFalse(refused.getMessage().contains(token.substring(token.lastIndexOf('.'))), "no token in messages");
        }
    }

    @Test
    void fetchBundles_x509AndJwtBundlesAreTheServers() {
        BundleSet x509 = client.fetchX509Bundles();
        BundleSet jwt = client.fetchJwtBundles();

        assertEquals(Set.of(TD), x509.trustDomains());
        assertEquals(spire.serverBundle(), x509.x509BundleFor(TD));
        assertEquals(Set.of(TD), jwt.trustDomains());
        JwtBundle serverJwt = serverSpiffeBundle().jwtBundle();
        assertFalse(serverJwt.jwtAuthorities().isEmpty());
        assertEquals(serverJwt, jwt.jwtBundleFor(TD));
    }

    @Test
    void watchX509Context_survivesAgentKillAndRestart_andCloseLeavesNoThreadOrSocket() {
        LeakCheck leaks = LeakCheck.before();
        RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
        try (WorkloadApiClient watching = WorkloadApiClient.create(spire.workloadSocketAddress())) {
            Watch watch = watching.watchX509Context(watcher);
            assertEquals(JVM_ID, watcher.nextUpdate(WAIT).defaultSvid().id());

            spire.killAgent();
            WorkloadApiException lost = watcher.nextError(WAIT);
            assertTrue(lost.isRetryable(), lost::toString);
            // Errors come after every update of the lost stream, so what is queued now predates the crash.
            watcher.updates.clear();
            spire.restartAgent();

            X509Context recovered = watcher.nextUpdate(WAIT);
            assertEquals(JVM_ID, recovered.defaultSvid().id());
            X509SvidVerifier verifier = X509SvidVerifier.of(spire.serverBundle());
            assertEquals(JVM_ID, verifier.verify(recovered.defaultSvid().chain()).id());
            assertTrue(watch.isActive());
            assertTrue(watcher.stops.isEmpty(), () -> "the watch stopped: " + watcher.stops);
            assertTrue(leaks.clientThreadsStarted(), "the watching client runs threads of its own");
        }

        leaks.assertNothingLeft();
    }

    private SpiffeBundle serverSpiffeBundle() {
        CommandResult shown = spire.server().cli("bundle", "show", "-format", "spiffe");
        assertTrue(shown.succeeded(), shown::toString);
        return SpiffeBundle.parse(TD, shown.output().getBytes(StandardCharsets.UTF_8));
    }
}
