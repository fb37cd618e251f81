package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.tls.AuthorizationException;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.X509Source;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.SocketException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * mTLS between two live {@link X509Source}s of one real agent while SPIRE rotates their SVIDs every few seconds: the
 * TLS key and trust managers read the sources on every handshake, so rotation must cost no handshake, and the
 * authorizers must keep refusing identities they were not given.
 *
 * <p>The test JVM is three workloads at once: its uid has three entries, told apart by their hints, so one
 * FetchX509SVID stream carries all three SVIDs and each source picks its own by hint.
 */
@Tag("spire")
class SourceRotationSpireTest {
    /** SPIRE backdates SVIDs by 10 s and the agent renews at half the lifetime: a rotation every ~5 s. */
    private static final Duration SVID_TTL = Duration.ofSeconds(20);
    private static final int ROTATIONS = 3;
    private static final Duration ROTATION_BOUND = Duration.ofSeconds(120);
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int IO_TIMEOUT_MILLIS = 10_000;

    @RegisterExtension
    static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().trustDomain("spiffe4j.test")
            .defaultX509SvidTtl(SVID_TTL));

    private static final SpiffeId SERVER_ID = SpiffeId.parse("spiffe://spiffe4j.test/server");
    private static final SpiffeId CLIENT_ID = SpiffeId.parse("spiffe://spiffe4j.test/client");
    private static final SpiffeId INTRUDER_ID = SpiffeId.parse("spiffe://spiffe4j.test/intruder");

    private WorkloadApiClient workloadApi;
    private X509Source serverSource;
    private X509Source clientSource;
    private final Set<BigInteger> servedToServer = Collections.synchronizedSet(new LinkedHashSet<>());
    private final Set<BigInteger> servedToClient = Collections.synchronizedSet(new LinkedHashSet<>());

    @BeforeAll
    static void registerThreeIdentitiesForTheJvm() {
        Spire spire = SPIRE.spire();
        String uid = WorkloadUser.current().uidSelector();
        spire.newEntry(SERVER_ID).selectors(uid).hint("server").create();
        spire.newEntry(CLIENT_ID).selectors(uid).hint("client").create();
        spire.newEntry(INTRUDER_ID).selectors(uid).hint("intruder").create();
    }

    @BeforeEach
    void openSources() {
        workloadApi = WorkloadApiClient.create(SPIRE.spire().workloadSocketAddress());
        serverSource = X509Source.builder().client(workloadApi).svidHint("server").build();
        clientSource = X509Source.builder().client(workloadApi).svidHint("client").build();
        // The listeners see every update the agent pushes, so they record each SVID the sources ever served.
        serverSource.addListener(context -> record(context, "server", servedToServer), Runnable::run);
        clientSource.addListener(context -> record(context, "client", servedToClient), Runnable::run);
    }

    @AfterEach
    void closeSources() {
        clientSource.close();
        serverSource.close();
        workloadApi.close();
    }

    @Test
    void mtls_keepsHandshakingAcrossRotationsOfBothSvids_withZeroFailures() throws Exception {
        assertEquals(SERVER_ID, serverSource.x509Svid().id());
        assertEquals(CLIENT_ID, clientSource.x509Svid().id());
        SSLContext serverTls = SpiffeSslContextBuilder.mtlsServer(serverSource, serverSource, Authorizer.id(CLIENT_ID)).build();
        SSLContext clientTls = SpiffeSslContextBuilder.mtlsClient(clientSource, clientSource, Authorizer.id(SERVER_ID)).build();
        Set<BigInteger> clientSawFromServer = new LinkedHashSet<>();
        Set<BigInteger> serverSawFromClient = new LinkedHashSet<>();
        List<Throwable> failures = new ArrayList<>();
        int handshakes = 0;
        long started = System.nanoTime();

        try (MtlsServer server = new MtlsServer(serverTls)) {
            while (!(rotatedEnough(servedToServer) && rotatedEnough(servedToClient)
                    && clientSawFromServer.size() > ROTATIONS && serverSawFromClient.size() > ROTATIONS)) {
                assertTrue(System.nanoTime() - started < ROTATION_BOUND.toNanos(), () -> "not " + ROTATIONS
                        + " rotations of both SVIDs within " + ROTATION_BOUND + ": served to the server " + servedToServer
                        + ", to the client " + servedToClient + ", seen by the client " + clientSawFromServer
                        + ", by the server " + serverSawFromClient);
                handshakes++;
                try {
                    X509Certificate serverLeaf = exchange(clientTls, server.port());
                    assertEquals(SERVER_ID.toString(), uriSan(serverLeaf));
                    clientSawFromServer.add(serverLeaf.getSerialNumber());
                } catch (IOException e) {
                    failures.add(e);
                }
                Object outcome = server.nextOutcome();
                if (outcome instanceof X509Certificate) {
                    assertEquals(CLIENT_ID.toString(), uriSan((X509Certificate) outcome));
                    serverSawFromClient.add(((X509Certificate) outcome).getSerialNumber());
                } else {
                    failures.add((Throwable) outcome);
                }
                // Paces the loop so that it samples every rotation without taking a core of the shared machine.
                Thread.sleep(20);
            }
        }

        assertTrue(failures.isEmpty(), () -> failures.size() + " of the handshakes failed, first: " + failures.get(0));
        assertTrue(servedToServer.containsAll(clientSawFromServer), "the server presented only SVIDs its source served");
        assertTrue(servedToClient.containsAll(serverSawFromClient), "the client presented only SVIDs its source served");
        System.out.printf("%d handshakes, 0 failed, across %d server and %d client SVIDs in %d ms%n", handshakes,
                clientSawFromServer.size(), serverSawFromClient.size(), (System.nanoTime() - started) / 1_000_000);
    }

    @Test
    void server_refusesAVerifiedPeerItsAuthorizerDoesNotName() throws Exception {
        try (X509Source intruderSource = X509Source.builder().client(workloadApi).svidHint("intruder").build();
                MtlsServer server = new MtlsServer(
                        SpiffeSslContextBuilder.mtlsServer(serverSource, serverSource, Authorizer.id(CLIENT_ID)).build())) {
            assertEquals(INTRUDER_ID, intruderSource.x509Svid().id());
            SSLContext intruderTls = SpiffeSslContextBuilder
                    .mtlsClient(intruderSource, intruderSource, Authorizer.id(SERVER_ID)).build();

            assertThrows(IOException.class, () -> exchange(intruderTls, server.port()));

            Throwable refused = assertInstanceOf(Throwable.class, server.nextOutcome(), "the server accepted the intruder");
            assertCausedByAuthorization(refused, INTRUDER_ID);
        }
    }

    @Test
    void client_refusesAServerWhoseIdItDoesNotExpect() throws Exception {
        SSLContext clientExpectingOther = SpiffeSslContextBuilder
                .mtlsClient(clientSource, clientSource, Authorizer.id(SpiffeId.parse("spiffe://spiffe4j.test/other"))).build();
        try (MtlsServer server = new MtlsServer(
                SpiffeSslContextBuilder.mtlsServer(serverSource, serverSource, Authorizer.id(CLIENT_ID)).build())) {
            IOException refused = assertThrows(IOException.class, () -> exchange(clientExpectingOther, server.port()));

            assertCausedByAuthorization(refused, SERVER_ID);
            assertInstanceOf(Throwable.class, server.nextOutcome(), "the server completed an exchange the client refused");
        }
    }

    private static boolean rotatedEnough(Set<BigInteger> served) {
        return served.size() > ROTATIONS;
    }

    private static void record(X509Context context, String hint, Set<BigInteger> served) {
        context.svidWithHint(hint).ifPresent(svid -> served.add(svid.leaf().getSerialNumber()));
    }

    private static String uriSan(X509Certificate leaf) throws CertificateParsingException {
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
            if (Integer.valueOf(6).equals(san.get(0))) {
                return (String) san.get(1);
            }
        }
        throw new AssertionError("no URI SAN in " + leaf.getSubjectX500Principal());
    }

    private static void assertCausedByAuthorization(Throwable failure, SpiffeId refusedId) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException) {
                assertTrue(t.getMessage().contains(refusedId.toString()), t::getMessage);
                return;
            }
        }
        throw new AssertionError("not refused by the authorizer", failure);
    }

    /**
     * One exchange as a client: handshake, send a byte, read the answer. The read matters: in TLS 1.3 the client's
     * handshake completes before the server has checked the client certificate, so a refusal shows only here.
     *
     * @return the server's leaf certificate
     */
    private static X509Certificate exchange(SSLContext tls, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(IO_TIMEOUT_MILLIS);
            socket.startHandshake();
            OutputStream out = socket.getOutputStream();
            out.write(1);
            out.flush();
            int answer = socket.getInputStream().read();
            if (answer != 2) {
                throw new IOException("the server answered " + answer + " instead of 2");
            }
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /**
     * An mTLS server that serves one connection at a time and reports each as an outcome: the client's leaf
     * certificate, or what failed.
     */
    private static final class MtlsServer implements AutoCloseable {
        private final SSLServerSocket socket;
        private final Thread acceptor;
        private final BlockingQueue<Object> outcomes = new LinkedBlockingQueue<>();

        MtlsServer(SSLContext tls) throws IOException {
            socket = (SSLServerSocket) tls.getServerSocketFactory().createServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(this::serve, "rotation-test-mtls-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        Object nextOutcome() throws InterruptedException {
            Object outcome = outcomes.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(outcome, "the server reported no connection within " + WAIT);
            return outcome;
        }

        private void serve() {
            while (!socket.isClosed()) {
                SSLSocket connection;
                try {
                    connection = (SSLSocket) socket.accept();
                } catch (SocketException closed) {
                    return;
                } catch (IOException e) {
                    outcomes.add(e);
                    continue;
                }
                try (SSLSocket c = connection) {
                    c.setSoTimeout(IO_TIMEOUT_MILLIS);
                    c.startHandshake();
                    InputStream in = c.getInputStream();
                    if (in.read() != 1) {
                        throw new IOException("the client sent no request");
                    }
                    c.getOutputStream().write(2);
                    c.getOutputStream().flush();
                    outcomes.add(c.getSession().getPeerCertificates()[0]);
                } catch (IOException | RuntimeException e) {
                    outcomes.add(e);
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(WAIT.toMillis());
        }
    }
}
