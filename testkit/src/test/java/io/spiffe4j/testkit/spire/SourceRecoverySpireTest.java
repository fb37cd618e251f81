package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.workloadapi.BundleSource;
import io.spiffe4j.workloadapi.JwtSource;
import io.spiffe4j.workloadapi.SourceHealth;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.X509Source;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The three live sources, sharing one client, through an agent crash: while the agent is gone they say so in their
 * health and keep serving what they cached; once it is back they reconnect by themselves, with no call from the
 * application; and closing them leaves no thread or socket behind.
 */
@Tag("spire")
class SourceRecoverySpireTest {
    /** Bounds every wait for the sources to notice the crash or the return: reconnect backoff is up to 30 s. */
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String AUDIENCE = "spiffe4j-recovery";

    @RegisterExtension
    static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().trustDomain("spiffe4j.test"));

    private static final TrustDomain TD = TrustDomain.parse("spiffe4j.test");
    private static final SpiffeId JVM_ID = SpiffeId.parse("spiffe://spiffe4j.test/recovering");

    @Test
    void sources_survivingAgentKillAndRestart_serveCachedStateWhileDown_recoverAlone_andLeakNothing() throws Exception {
        Spire spire = SPIRE.spire();
        spire.createEntry(JVM_ID, WorkloadUser.current().uidSelector());
        LeakCheck leaks = LeakCheck.before();
        AtomicInteger x509Updates = new AtomicInteger();
        AtomicInteger jwtUpdates = new AtomicInteger();
        AtomicInteger bundleUpdates = new AtomicInteger();
        Queue<String> servingFailures = new ConcurrentLinkedQueue<>();
        AtomicBoolean sampling = new AtomicBoolean(true);

        // A short deadline, so that a fetch while the agent is down fails in bounded time whatever gRPC's state.
        try (WorkloadApiClient client = WorkloadApiClient.builder().address(spire.workloadSocketAddress())
                        .deadline(Duration.ofSeconds(5)).build();
                X509Source x509 = X509Source.builder().client(client).build();
                JwtSource jwt = JwtSource.builder().client(client).build();
                BundleSource bundles = BundleSource.builder().client(client).build()) {
            x509.addListener(context -> x509Updates.incrementAndGet(), Runnable::run);
            jwt.addListener(set -> jwtUpdates.incrementAndGet(), Runnable::run);
            bundles.addListener(snapshot -> bundleUpdates.incrementAndGet(), Runnable::run);
            List<Supplier<SourceHealth>> health = List.of(x509::health, jwt::health, bundles::health);
            awaitAll(health, SourceHealth::connected, "connected at start");
            X509Svid before = x509.x509Svid();
            assertEquals(JVM_ID, before.id());
            JwtSvid tokenBefore = jwt.fetchJwtSvid(AUDIENCE);

            // What an application reads, sampled through the whole crash: it must never fail nor be expired.
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    try {
                        X509Svid svid = x509.x509Svid();
                        if (!svid.expiresAt().isAfter(Instant.now())) {
                            servingFailures.add("served an SVID expired at " + svid.expiresAt());
                        }
                        x509.x509BundleFor(TD);
                        bundles.x509BundleFor(TD);
                        bundles.jwtBundleFor(TD);
                        jwt.jwtBundleFor(TD);
                    } catch (RuntimeException e) {
                        servingFailures.add(e.toString());
                    }
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "recovery-test-sampler");
            sampler.setDaemon(true);
            sampler.start();
            try {

                spire.killAgent();
                awaitAll(health, h -> !h.connected(), "disconnected after the agent was killed");
                for (Supplier<SourceHealth> source : health) {
                    SourceHealth down = source.get();
                    assertTrue(down.serving(), down::toString);
                    assertTrue(down.lastError().map(WorkloadApiException::isRetryable).orElse(false), down::toString);
                }
                assertEquals(before.leaf().getSerialNumber(), x509.x509Svid().leaf().getSerialNumber(),
                        "the cached SVID is served while the agent is down");
                assertEquals(tokenBefore.token(), jwt.fetchJwtSvid(AUDIENCE).token(), "the cached JWT-SVID is served");
                WorkloadApiException unreachable = assertThrows(WorkloadApiException.class,
                        () -> jwt.fetchJwtSvid(AUDIENCE + "-while-down"));
                assertTrue(unreachable.isRetryable(), unreachable::toString);
                int x509Down = x509Updates.get();
                int jwtDown = jwtUpdates.get();
                int bundleDown = bundleUpdates.get();

                long restarted = System.nanoTime();
                spire.restartAgent();
                awaitAll(health, SourceHealth::connected, "connected again after the agent restarted");
                LeakCheck.awaitTrue(WAIT, () -> x509Updates.get() > x509Down && jwtUpdates.get() > jwtDown
                                && bundleUpdates.get() > bundleDown,
                        () -> "no update after the restart: x509 " + x509Updates + ", jwt " + jwtUpdates + ", bundles "
                                + bundleUpdates);
                System.out.printf("sources reconnected %d ms after the agent restart began%n",
                        (System.nanoTime() - restarted) / 1_000_000);

                X509Svid after = x509.x509Svid();
                assertEquals(JVM_ID, X509SvidVerifier.of(bundles).verify(after.chain()).id());
                JwtSvid fresh = jwt.fetchJwtSvid(AUDIENCE + "-after-restart");
                assertNotEquals(tokenBefore.token(), fresh.token());
                JwtSvidValidator validator = JwtSvidValidator.builder().bundleSource(jwt)
                        .expectAudience(AUDIENCE + "-after-restart").build();
                assertEquals(JVM_ID, validator.validate(fresh.token()).id());
                assertTrue(leaks.clientThreadsStarted(), "the client runs threads of its own");

            } finally {
                sampling.set(false);
                sampler.interrupt();
                sampler.join(WAIT.toMillis());
            }
            assertTrue(servingFailures.isEmpty(), () -> "the sources failed to serve: " + servingFailures);
        }

        leaks.assertNothingLeft();
    }

    private static void awaitAll(List<Supplier<SourceHealth>> sources, Predicate<SourceHealth> state,
            String what) {
        LeakCheck.awaitTrue(WAIT, () -> sources.stream().map(Supplier::get).allMatch(state),
                () -> "not all sources " + what + " within " + WAIT + ": "
                        + sources.stream().map(s -> s.get().toString()).reduce((a, b) -> a + ", " + b).orElse(""));
    }
}
