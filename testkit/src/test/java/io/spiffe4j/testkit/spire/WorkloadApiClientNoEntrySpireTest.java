package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.workloadapi.Watch;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.X509Context;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The test JVM as a workload the agent has no entry for, until a test creates one. Every test gets a fresh SPIRE
 * (about a second to start), since the JVM's uid cannot be told apart from itself once it has an entry.
 */
@Tag("spire")
class WorkloadApiClientNoEntrySpireTest {
    private static final SpiffeId LATE_ID = SpiffeId.parse("spiffe://spiffe4j.test/registered-late");

    @RegisterExtension
    final SpireExtension spireExtension = SpireExtension.of(Spire.builder().trustDomain("spiffe4j.test"));

    @Test
    void oneShotCalls_withoutEntry_areNoIdentity_retryable() {
        try (WorkloadApiClient client = WorkloadApiClient.create(spireExtension.spire().workloadSocketAddress())) {
            WorkloadApiException x509 = assertThrows(WorkloadApiException.class, client::fetchX509Context);
            WorkloadApiException jwt = assertThrows(WorkloadApiException.class, () -> client.fetchJwtSvid("anyone"));

            for (WorkloadApiException denied : new WorkloadApiException[] {x509, jwt}) {
                assertEquals(WorkloadApiException.Kind.NO_IDENTITY, denied.kind(), denied::toString);
                assertEquals(Optional.of("PERMISSION_DENIED"), denied.statusCode());
                assertTrue(denied.isRetryable());
            }
        }
    }

    @Test
    void watchX509Context_withoutEntry_keepsRetryingWithBackoff_thenGetsTheSvidOnceRegistered() {
        Spire spire = spireExtension.spire();
        RecordingWatcher<X509Context> watcher = new RecordingWatcher<>();
        // The default no-identity backoff (1 s doubling to 10 s), as an application would run it.
        try (WorkloadApiClient client = WorkloadApiClient.create(spire.workloadSocketAddress());
                Watch watch = client.watchX509Context(watcher)) {
            WorkloadApiException first = watcher.nextError(Duration.ofSeconds(10));
            long firstAt = System.nanoTime();
            WorkloadApiException second = watcher.nextError(Duration.ofSeconds(10));
            Duration between = Duration.ofNanos(System.nanoTime() - firstAt);

            assertEquals(WorkloadApiException.Kind.NO_IDENTITY, first.kind(), first::toString);
            assertEquals(WorkloadApiException.Kind.NO_IDENTITY, second.kind(), second::toString);
            assertTrue(between.compareTo(Duration.ofMillis(500)) > 0, "retried after " + between + ", not backing off");
            assertTrue(watch.isActive(), "PERMISSION_DENIED must not stop the watch (WEP-13)");
            assertTrue(watcher.updates.isEmpty());

            spire.createEntry(LATE_ID, WorkloadUser.current().uidSelector());

            X509Context context = watcher.nextUpdate(Duration.ofSeconds(30));
            assertEquals(LATE_ID, context.defaultSvid().id());
            assertTrue(watcher.stops.isEmpty(), () -> "the watch stopped: " + watcher.stops);
        }
    }
}
