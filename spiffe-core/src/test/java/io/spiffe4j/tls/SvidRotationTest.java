package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.CLIENT;
import static io.spiffe4j.tls.TestPki.EXAMPLE;
import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.tls.Handshakes.Outcome;
import io.spiffe4j.tls.Handshakes.Transport;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * SVID rotation under load: both sides' sources switch SVIDs (EC and RSA keys mixed) as fast as a thread can while
 * concurrent handshakes run. If a key manager ever paired one SVID's chain with another's key, the peer would reject
 * the CertificateVerify signature and the handshake would fail; so zero failures is the assertion.
 */
class SvidRotationTest {
  private static final int THREADS = 4;
  private static final int HANDSHAKES_PER_THREAD = 10;

  private static List<X509Svid> pool(io.spiffe4j.id.SpiffeId id) {
    return List.of(TestPki.svid(id, KeyAlgorithm.EC_P256), TestPki.svid(id, KeyAlgorithm.RSA_2048),
        TestPki.svid(id, KeyAlgorithm.EC_P256), TestPki.svid(id, KeyAlgorithm.EC_P256));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void everyHandshakePresentsAConsistentChainAndKeyWhileSourcesRotate(Transport transport) throws Exception {
    List<X509Svid> serverPool = pool(SERVER);
    List<X509Svid> clientPool = pool(CLIENT);
    AtomicReference<X509Svid> serverSvid = new AtomicReference<>(serverPool.get(0));
    AtomicReference<X509Svid> clientSvid = new AtomicReference<>(clientPool.get(0));
    SSLContext server = SpiffeSslContextBuilder.mtlsServer(serverSvid::get, TestPki.bundles(EXAMPLE),
        Authorizer.id(CLIENT)).build();
    SSLContext client = SpiffeSslContextBuilder.mtlsClient(clientSvid::get, TestPki.bundles(EXAMPLE),
        Authorizer.id(SERVER)).build();

    AtomicBoolean stop = new AtomicBoolean();
    Thread rotator = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        serverSvid.set(serverPool.get(i % serverPool.size()));
        clientSvid.set(clientPool.get((i / 3) % clientPool.size()));
        Thread.yield();
      }
    }, "svid-rotator");
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    Set<X509Certificate> serverLeavesSeen = ConcurrentHashMap.newKeySet();
    Set<X509Certificate> clientLeavesSeen = ConcurrentHashMap.newKeySet();
    ExecutorService workers = Executors.newFixedThreadPool(THREADS);
    rotator.start();
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        runs.add(workers.submit(() -> {
          for (int i = 0; i < HANDSHAKES_PER_THREAD; i++) {
            try {
              Outcome outcome = transport.run(server, client);
              outcome.assertBothSucceeded();
              serverLeavesSeen.add(outcome.client.peerLeaf());
              clientLeavesSeen.add(outcome.server.peerLeaf());
            } catch (Throwable e) {
              failures.add(e);
            }
          }
          return null;
        }));
      }
      for (Future<?> run : runs) {
        run.get(60, TimeUnit.SECONDS);
      }
    } finally {
      stop.set(true);
      rotator.join();
      workers.shutdownNow();
    }

    assertEquals(List.of(), List.copyOf(failures));
    assertTrue(leavesOf(serverPool).containsAll(serverLeavesSeen));
    assertTrue(leavesOf(clientPool).containsAll(clientLeavesSeen));
    // The rotation really happened during the handshakes.
    assertTrue(serverLeavesSeen.size() > 1 && clientLeavesSeen.size() > 1,
        () -> "server leaves seen " + serverLeavesSeen.size() + ", client leaves seen " + clientLeavesSeen.size());
  }

  private static Set<X509Certificate> leavesOf(List<X509Svid> pool) {
    Set<X509Certificate> leaves = ConcurrentHashMap.newKeySet();
    pool.forEach(svid -> leaves.add(svid.leaf()));
    return leaves;
  }
}
