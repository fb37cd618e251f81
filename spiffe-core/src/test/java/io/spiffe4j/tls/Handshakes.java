package io.spiffe4j.tls;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.spiffe4j.id.SpiffeId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * Runs one real TLS connection between two contexts, over loopback sockets or two in-memory SSLEngines, and reports
 * what each side saw. After the handshake each side sends one message and must receive the other's, so a rejection
 * the peer only learns about after its own handshake finished (a TLS 1.3 client whose certificate the server
 * refuses) still shows up as that side's failure.
 */
final class Handshakes {
  private static final byte[] PING = "ping".getBytes(StandardCharsets.US_ASCII);
  /** Server sides of socket exchanges; not the common pool, which has a single thread on a 2-core machine. */
  private static final ExecutorService SERVER_SIDES = Executors.newCachedThreadPool(runnable -> {
    Thread thread = new Thread(runnable, "handshake-server");
    thread.setDaemon(true);
    return thread;
  });

  enum Transport {
    SOCKET, ENGINE;

    Outcome run(SSLContext server, SSLContext client) throws Exception {
      return this == SOCKET ? overSockets(server, client) : overEngines(server, client);
    }
  }

  /** One side: its session once the exchange succeeded, or why it failed. */
  static final class Side {
    final SSLSession session;
    final Throwable error;

    private Side(SSLSession session, Throwable error) {
      this.session = session;
      this.error = error;
    }

    SpiffeId peerId() {
      assertNull(error, () -> "expected success, got " + error);
      return SpiffeTls.peerId(session);
    }

    X509Certificate peerLeaf() {
      assertNull(error, () -> "expected success, got " + error);
      try {
        return (X509Certificate) session.getPeerCertificates()[0];
      } catch (SSLPeerUnverifiedException e) {
        throw new AssertionError("peer unverified", e);
      }
    }

    /** Asserts this side failed and returns the outermost exception of the given type in its cause chain. */
    <T extends Throwable> T failure(Class<T> type) {
      assertNotNull(error, "expected a failure, but the exchange succeeded");
      for (Throwable t = error; t != null; t = t.getCause()) {
        if (type.isInstance(t)) {
          return type.cast(t);
        }
      }
      return fail("no " + type.getSimpleName() + " in the failure chain", error);
    }

    boolean failed() {
      return error != null;
    }
  }

  static final class Outcome {
    final Side server;
    final Side client;

    Outcome(Side server, Side client) {
      this.server = server;
      this.client = client;
    }

    void assertBothSucceeded() {
      assertNull(server.error, () -> "server failed: " + server.error);
      assertNull(client.error, () -> "client failed: " + client.error);
    }
  }

  private Handshakes() {
  }

  static Outcome overSockets(SSLContext serverContext, SSLContext clientContext) throws Exception {
    return overSockets(serverContext, clientContext, 1).get(0);
  }

  /** Several connections, one after another, from the client context to one listening socket. */
  static List<Outcome> overSockets(SSLContext serverContext, SSLContext clientContext, int connections)
      throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    List<Outcome> outcomes = new ArrayList<>();
    try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 1, loopback)) {
      listener.setSoTimeout(10_000);
      for (int i = 0; i < connections; i++) {
        CompletableFuture<Side> server = CompletableFuture.supplyAsync(() -> {
          try (SSLSocket socket = (SSLSocket) listener.accept()) {
            return exchange(socket);
          } catch (IOException e) {
            return new Side(null, e);
          }
        }, SERVER_SIDES);
        Side client;
        try (SSLSocket socket = (SSLSocket) clientContext.getSocketFactory()
            .createSocket(loopback, listener.getLocalPort())) {
          client = exchange(socket);
        } catch (IOException e) {
          client = new Side(null, e);
        }
        outcomes.add(new Outcome(server.get(20, TimeUnit.SECONDS), client));
      }
    }
    return outcomes;
  }

  private static Side exchange(SSLSocket socket) {
    try {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      OutputStream out = socket.getOutputStream();
      out.write(PING);
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] received = in.readNBytes(PING.length);
      if (received.length != PING.length) {
        return new Side(null, new IOException("connection closed by peer"));
      }
      return new Side(socket.getSession(), null);
    } catch (IOException | RuntimeException e) {
      return new Side(null, e);
    }
  }

  static Outcome overEngines(SSLContext serverContext, SSLContext clientContext) {
    return overEngines(serverContext.createSSLEngine(), clientContext.createSSLEngine());
  }

  /** For engines a test configured itself. */
  static Outcome overEngines(SSLEngine serverEngine, SSLEngine clientEngine) {
    return new EnginePair(serverEngine, clientEngine).run();
  }

  /** Pumps records between two engines until neither makes progress. */
  private static final class EnginePair {
    private final Peer server;
    private final Peer client;

    EnginePair(SSLEngine serverEngine, SSLEngine clientEngine) {
      server = new Peer(serverEngine);
      client = new Peer(clientEngine);
    }

    Outcome run() {
      for (int round = 0; round < 1_000; round++) {
        boolean progress = client.wrapInto(server) | server.wrapInto(client);
        progress |= server.unwrap() | client.unwrap();
        if (!progress) {
          break;
        }
      }
      return new Outcome(server.outcome(), client.outcome());
    }
  }

  private static final class Peer {
    final SSLEngine engine;
    final ByteBuffer toSend = ByteBuffer.wrap(PING.clone());
    final ByteBuffer inbox;
    final ByteBuffer received;
    Throwable error;

    Peer(SSLEngine engine) {
      this.engine = engine;
      SSLSession session = engine.getSession();
      inbox = ByteBuffer.allocate(session.getPacketBufferSize() * 4);
      received = ByteBuffer.allocate(session.getApplicationBufferSize() * 2);
    }

    /** Wraps whatever this engine has to send (handshake, alert or the message) into the other's inbox. */
    boolean wrapInto(Peer other) {
      if (engine.isOutboundDone()) {
        return false;
      }
      boolean progress = false;
      try {
        while (true) {
          SSLEngineResult result = engine.wrap(toSend, other.inbox);
          runTasks();
          if (result.bytesProduced() == 0) {
            // Finishing a handshake can produce nothing (a TLS 1.3 server that issues no session ticket).
            return progress || result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED;
          }
          progress = true;
        }
      } catch (SSLException | RuntimeException e) {
        recordError(e);
        return true;
      }
    }

    boolean unwrap() {
      if (engine.isInboundDone()) {
        return false;
      }
      boolean progress = false;
      inbox.flip();
      try {
        while (inbox.hasRemaining()) {
          SSLEngineResult result = engine.unwrap(inbox, received);
          runTasks();
          if (result.bytesConsumed() == 0 && result.bytesProduced() == 0) {
            progress |= result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED;
            break;
          }
          progress = true;
        }
      } catch (SSLException | RuntimeException e) {
        recordError(e);
        progress = true;
      } finally {
        inbox.compact();
      }
      return progress;
    }

    private void runTasks() {
      Runnable task;
      while ((task = engine.getDelegatedTask()) != null) {
        task.run();
      }
    }

    private void recordError(Throwable e) {
      if (error == null) {
        error = e;
      }
    }

    Side outcome() {
      if (error != null) {
        return new Side(null, error);
      }
      if (received.position() != PING.length) {
        return new Side(null, new IOException("no message from the peer (received " + received.position()
            + " bytes, handshake " + engine.getHandshakeStatus() + ")"));
      }
      return new Side(engine.getSession(), null);
    }
  }
}
