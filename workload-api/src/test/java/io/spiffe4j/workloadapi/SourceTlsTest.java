package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.TestMaterial.DB;
import static io.spiffe4j.workloadapi.TestMaterial.EXAMPLE;
import static io.spiffe4j.workloadapi.TestMaterial.WEB;
import static io.spiffe4j.workloadapi.WorkloadApiClientTest.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import io.spiffe4j.workloadapi.SourceMaterial.Ca;
import io.spiffe4j.workloadapi.SourceMaterial.Leaf;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketException;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * spiffe-core's TLS on live sources: real TLS 1.3 handshakes over loopback between a server workload (WEB) and a
 * client workload (DB), both served by one fake endpoint and told apart by SVID hints, while the endpoint rotates
 * both SVIDs under a new intermediate CA each time.
 */
class SourceTlsTest {
  private static final int ROTATIONS = 8;
  private static final int HANDSHAKES_PER_GENERATION = 3;

  @TempDir
  Path dir;

  private final Ca root = SourceMaterial.root(EXAMPLE, "root");
  private FakeWorkloadApi server;
  private WorkloadApiClient client;
  private final Map<X509Certificate, X509Certificate> issuerOfLeaf = new ConcurrentHashMap<>();

  @BeforeEach
  void start() {
    server = FakeWorkloadApi.start(dir.resolve("agent.sock"), Transport.Io.best());
    client = WorkloadApiClient.builder().address(server.address()).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  /** Both workloads' SVIDs under a new intermediate; returns their leaves, WEB first. */
  private List<X509Certificate> rotate(int generation) {
    Ca intermediate = root.intermediate(EXAMPLE, "intermediate-" + generation);
    Instant now = Instant.now();
    Leaf web = intermediate.leaf(WEB, now.minusSeconds(60), now.plusSeconds(3600));
    Leaf db = intermediate.leaf(DB, now.minusSeconds(60), now.plusSeconds(3600));
    issuerOfLeaf.put(web.certificate, intermediate.certificate);
    issuerOfLeaf.put(db.certificate, intermediate.certificate);
    List<X509Certificate> chainTail = List.of(intermediate.certificate);
    server.setX509Context(X509SVIDResponse.newBuilder()
        .addSvids(SourceMaterial.svid(WEB, "web", web, chainTail, root.certificate))
        .addSvids(SourceMaterial.svid(DB, "db", db, chainTail, root.certificate))
        .build());
    return List.of(web.certificate, db.certificate);
  }

  private X509Source source(String hint) {
    return X509Source.builder().client(client).svidHint(hint).initTimeout(Duration.ofSeconds(10)).build();
  }

  /**
   * Handshakes run back to back on two threads while the endpoint rotates. A key manager that paired a new chain
   * with an old key would fail the handshake's CertificateVerify; a trust manager with a stale bundle would reject
   * the new chain. So zero failures is the assertion, and each peer must have shown a chain whose intermediate is
   * the one its leaf was issued with.
   */
  @Test
  void rotationTakesEffectOnTheNextHandshake_withZeroFailedHandshakes() throws Exception {
    rotate(0);
    try (X509Source webSource = source("web"); X509Source dbSource = source("db");
        TlsServer tlsServer = new TlsServer(
            SpiffeSslContextBuilder.mtlsServer(webSource, webSource, Authorizer.id(DB)).build())) {
      SSLContext clientContext = SpiffeSslContextBuilder.mtlsClient(dbSource, dbSource, Authorizer.id(WEB)).build();
      AtomicBoolean stop = new AtomicBoolean();
      ConcurrentLinkedQueue<Throwable> clientFailures = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<Certificate[]> serverChains = new ConcurrentLinkedQueue<>();
      AtomicInteger handshakes = new AtomicInteger();
      ExecutorService clients = Executors.newFixedThreadPool(2);
      List<Future<?>> loops = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        loops.add(clients.submit(() -> {
          while (!stop.get()) {
            try {
              serverChains.add(tlsServer.exchange(clientContext));
            } catch (IOException | RuntimeException e) {
              clientFailures.add(e);
            }
            handshakes.incrementAndGet();
          }
        }));
      }
      List<X509Certificate> last = null;
      try {
        // Paced by handshakes rather than time, so that a slow machine still sees several per generation.
        for (int generation = 1; generation <= ROTATIONS; generation++) {
          awaitHandshakes(handshakes, HANDSHAKES_PER_GENERATION);
          last = rotate(generation);
        }
        X509Certificate lastWeb = last.get(0);
        X509Certificate lastDb = last.get(1);
        awaitTrue(() -> webSource.x509Svid().leaf().equals(lastWeb) && dbSource.x509Svid().leaf().equals(lastDb),
            "the sources have the last rotation");
        awaitHandshakes(handshakes, HANDSHAKES_PER_GENERATION);
      } finally {
        stop.set(true);
        for (Future<?> loop : loops) {
          loop.get(20, TimeUnit.SECONDS);
        }
        clients.shutdown();
      }

      assertEquals(List.of(), List.copyOf(clientFailures), "client-side failures");
      assertEquals(List.of(), List.copyOf(tlsServer.failures), "server-side failures");
      assertTrue(serverChains.size() >= ROTATIONS * HANDSHAKES_PER_GENERATION, "handshakes: " + serverChains.size());
      long serverLeavesSeen = serverChains.stream().map(chain -> chain[0]).distinct().count();
      assertTrue(serverLeavesSeen >= 3, "the rotations reached the handshakes: " + serverLeavesSeen + " leaves");
      for (Certificate[] chain : serverChains) {
        assertChainAsIssued(chain);
      }
      for (Certificate[] chain : tlsServer.clientChains) {
        assertChainAsIssued(chain);
      }

      // The next handshake after the sources got the last rotation presents it, on both sides.
      tlsServer.clientChains.clear();
      Certificate[] serverChain = tlsServer.exchange(clientContext);
      assertEquals(last.get(0), serverChain[0]);
      awaitTrue(() -> !tlsServer.clientChains.isEmpty(), "the server recorded the client");
      assertEquals(last.get(1), tlsServer.clientChains.peek()[0]);
    }
  }

  @Test
  void tlsServerAndTlsClient_onLiveSources_andAnUnauthorizedServerIsRefused() throws Exception {
    rotate(0);
    server.setX509Bundles(X509BundlesResponse.newBuilder()
        .putBundles(EXAMPLE.idString(), TestMaterial.der(root.certificate)).build());
    server.setJwtBundles(TestMaterial.jwtBundles());
    try (X509Source webSource = source("web");
        BundleSource bundles = BundleSource.builder().client(client).build();
        TlsServer tlsServer = new TlsServer(SpiffeSslContextBuilder.tlsServer(webSource).build())) {
      Certificate[] chain = tlsServer.exchange(SpiffeSslContextBuilder.tlsClient(bundles, Authorizer.id(WEB)).build());
      assertEquals(webSource.x509Svid().leaf(), chain[0]);

      SSLContext wrongPeer = SpiffeSslContextBuilder.tlsClient(bundles, Authorizer.id(DB)).build();
      assertThrowsIo(() -> tlsServer.exchange(wrongPeer));
    }
  }

  private static void awaitHandshakes(AtomicInteger handshakes, int more) throws InterruptedException {
    int target = handshakes.get() + more;
    awaitTrue(() -> handshakes.get() >= target, more + " more handshakes");
  }

  private void assertChainAsIssued(Certificate[] chain) {
    assertEquals(2, chain.length);
    X509Certificate issuer = issuerOfLeaf.get((X509Certificate) chain[0]);
    assertNotNull(issuer, "a leaf the endpoint issued");
    assertEquals(issuer, chain[1], "the leaf came with its own intermediate");
  }

  private interface IoAction {
    void run() throws IOException;
  }

  private static void assertThrowsIo(IoAction action) {
    try {
      action.run();
    } catch (IOException expected) {
      return;
    }
    throw new AssertionError("the handshake succeeded");
  }

  /** A TLS server on loopback: for each connection, reads one byte and echoes it; records client chains. */
  private static final class TlsServer implements AutoCloseable {
    final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    final ConcurrentLinkedQueue<Certificate[]> clientChains = new ConcurrentLinkedQueue<>();
    private final SSLServerSocket listener;
    private final ExecutorService connections = Executors.newCachedThreadPool();
    private final Thread acceptor;

    TlsServer(SSLContext context) throws IOException {
      listener = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50,
          InetAddress.getLoopbackAddress());
      acceptor = new Thread(this::acceptLoop, "tls-test-acceptor");
      acceptor.start();
    }

    private void acceptLoop() {
      while (true) {
        try {
          SSLSocket socket = (SSLSocket) listener.accept();
          connections.execute(() -> serve(socket));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(SSLSocket socket) {
      try (socket) {
        socket.setSoTimeout(10_000);
        InputStream in = socket.getInputStream();
        int b = in.read();
        if (b < 0) {
          return;
        }
        if (socket.getNeedClientAuth()) {
          clientChains.add(socket.getSession().getPeerCertificates());
        }
        OutputStream out = socket.getOutputStream();
        out.write(b);
        out.flush();
      } catch (IOException e) {
        failures.add(e);
      }
    }

    /** One connection from a client context: handshake, one byte each way; the server's chain. */
    Certificate[] exchange(SSLContext client) throws IOException {
      try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        socket.getOutputStream().write(42);
        socket.getOutputStream().flush();
        if (socket.getInputStream().read() != 42) {
          throw new SocketException("no echo from the server");
        }
        return socket.getSession().getPeerCertificates();
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      try {
        acceptor.join(5_000);
        connections.shutdown();
        connections.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
