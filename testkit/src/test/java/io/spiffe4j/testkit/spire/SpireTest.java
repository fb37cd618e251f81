package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A real SPIRE Server and Agent, shared by the class: identities reach workloads through the agent, are told apart by
 * uid, are refused without an entry, and survive an agent crash. Each test uses its own uids, so entries of one test
 * never match the workloads of another.
 */
@Tag("spire")
class SpireTest {
    private static final Duration SVID_TTL = Duration.ofSeconds(45);

    @RegisterExtension
    static final SpireExtension SPIRE = SpireExtension.of(Spire.builder()
            .trustDomain("spiffe4j.test")
            .defaultX509SvidTtl(SVID_TTL));

    /** The test JVM's identity: the only entry for its uid, so its fetches return exactly this SVID. */
    private static final SpiffeId JVM_ID = SpiffeId.parse("spiffe://spiffe4j.test/jvm");

    private final Spire spire = SPIRE.spire();

    @BeforeAll
    static void registerTestJvm() {
        SPIRE.spire().createEntry(JVM_ID, WorkloadUser.current().uidSelector());
    }

    @Test
    void fetchX509_testJvmUid_writesSvidThatVerifiesAgainstTheBundle() {
        X509FetchResult fetched = spire.agent().fetchX509(WorkloadUser.current());

        assertTrue(fetched.succeeded(), fetched::toString);
        X509Svid svid = X509Svid.parse(fetched.svidPem(), fetched.keyPem());
        X509Bundle bundle = X509Bundle.parsePem(spire.trustDomain(), fetched.bundlePem().getBytes(StandardCharsets.US_ASCII));
        VerifiedX509Svid verified = X509SvidVerifier.of(bundle).verify(svid.chain());
        assertEquals(JVM_ID, verified.id());
        assertEquals(JVM_ID, svid.id());
        assertEquals(spire.serverBundle(), bundle, "the workload gets the server's bundle");
        Duration left = Duration.between(Instant.now(), svid.expiresAt());
        assertTrue(left.compareTo(SVID_TTL) <= 0 && left.compareTo(SVID_TTL.dividedBy(3)) > 0,
                "the SVID lives about default_x509_svid_ttl, has " + left + " left");
    }

    @Test
    void fetchX509_anotherUid_getsItsOwnSvid() {
        WorkloadUser other = WorkloadUser.of(4242, 4242);
        SpiffeId otherId = SpiffeId.parse("spiffe://spiffe4j.test/uid/4242");
        spire.createEntry(otherId, other.uidSelector());

        X509FetchResult theirs = spire.agent().fetchX509(other);
        X509FetchResult mine = spire.agent().fetchX509(WorkloadUser.current());

        assertTrue(theirs.succeeded(), theirs::toString);
        assertTrue(mine.succeeded(), mine::toString);
        X509SvidVerifier verifier = X509SvidVerifier.of(spire.serverBundle());
        assertEquals(otherId, verifier.verify(theirs.x509Svid().chain()).id());
        assertEquals(JVM_ID, verifier.verify(mine.x509Svid().chain()).id());
        assertNotEquals(theirs.x509Svid().leaf().getPublicKey(), mine.x509Svid().leaf().getPublicKey());
    }

    @Test
    void fetchX509_uidWithoutEntry_isPermissionDenied() {
        X509FetchResult fetched = spire.agent().fetchX509(WorkloadUser.of(4243, 4243));

        assertFalse(fetched.succeeded(), fetched::toString);
        assertEquals(1, fetched.command().exitCode(), fetched::toString);
        assertTrue(fetched.permissionDenied(), fetched::toString);
        assertTrue(fetched.command().output().contains("no identity issued"), fetched::toString);
    }

    @Test
    void deleteEntry_workloadIsDeniedAgain() {
        WorkloadUser user = WorkloadUser.of(4245, 4245);
        SpireEntry entry = spire.createEntry(SpiffeId.parse("spiffe://spiffe4j.test/deleted"), user.uidSelector());
        assertTrue(spire.agent().fetchX509(user).succeeded());

        spire.deleteEntry(entry);

        X509FetchResult fetched = spire.agent().fetchX509(user);
        assertTrue(fetched.permissionDenied(), fetched::toString);
        assertFalse(spire.entries().contains(entry));
    }

    @Test
    void killAgent_thenRestart_resumesWithoutNewAttestationAndServesAllEntries() {
        WorkloadUser user = WorkloadUser.of(4244, 4244);
        SpiffeId id = SpiffeId.parse("spiffe://spiffe4j.test/survivor");
        spire.createEntry(id, user.uidSelector());
        assertTrue(spire.agent().fetchX509(user).succeeded());
        long firstPid = spire.agent().pid();

        spire.killAgent();

        assertFalse(spire.agent().isRunning());
        X509FetchResult whileDown = spire.agent().fetchX509(user);
        assertFalse(whileDown.succeeded(), whileDown::toString);
        assertFalse(whileDown.permissionDenied(), "nobody answers, so nobody denies: " + whileDown);
        WorkloadUser latecomer = WorkloadUser.of(4246, 4246);
        SpiffeId latecomerId = SpiffeId.parse("spiffe://spiffe4j.test/latecomer");
        spire.createEntry(latecomerId, latecomer.uidSelector());

        spire.restartAgent();

        assertNotEquals(firstPid, spire.agent().pid());
        X509SvidVerifier verifier = X509SvidVerifier.of(spire.serverBundle());
        X509FetchResult fetched = spire.agent().fetchX509(user);
        assertTrue(fetched.succeeded(), fetched::toString);
        assertEquals(id, verifier.verify(fetched.x509Svid().chain()).id());
        X509FetchResult late = spire.agent().fetchX509(latecomer);
        assertTrue(late.succeeded(), "an entry created while the agent was down is served right after restart: " + late);
        assertEquals(latecomerId, verifier.verify(late.x509Svid().chain()).id());
        CommandResult agents = spire.server().cli("agent", "list");
        assertTrue(agents.output().contains("Found 1 attested agent"), "the agent resumed rather than attesting again: " + agents);
    }
}
