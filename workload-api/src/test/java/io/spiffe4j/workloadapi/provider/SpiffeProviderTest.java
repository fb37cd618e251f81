package io.spiffe4j.workloadapi.provider;

import static io.spiffe4j.workloadapi.TestEndpoint.DB;
import static io.spiffe4j.workloadapi.TestEndpoint.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeTls;
import io.spiffe4j.workloadapi.TestEndpoint;
import io.spiffe4j.workloadapi.X509Source;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyStore;
import java.security.KeyStoreException;
import java.security.Security;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Spiffe4j key and trust manager factories, with explicit parameters and with the default source. */
class SpiffeProviderTest {
  @TempDir
  Path dir;

  private TestEndpoint endpoint;
  private X509Source web;
  private X509Source db;

  @BeforeEach
  void start() {
    endpoint = TestEndpoint.start(dir.resolve("agent.sock"));
    web = endpoint.x509Source("web");
    db = endpoint.x509Source("db");
  }

  @AfterEach
  void stop() {
    SpiffeProvider.shutdown();
    DefaultSource.reset();
    web.close();
    db.close();
    endpoint.close();
  }

  @Test
  void factoriesWithParameters_mutualTlsHandshakeAuthenticatesBothSides() throws Exception {
    SSLContext server = context(SpiffeManagerParameters.of(web, Authorizer.id(DB)));
    SSLContext client = context(SpiffeManagerParameters.of(db, Authorizer.id(WEB)));

    Peers peers = handshake(server, client);

    assertEquals(DB, peers.ofServer);
    assertEquals(WEB, peers.ofClient);
  }

  @Test
  void factoriesWithParameters_authorizerRejectsTheServer_handshakeFails() throws Exception {
    SSLContext server = context(SpiffeManagerParameters.of(web, Authorizer.id(DB)));
    SSLContext client = context(SpiffeManagerParameters.of(db, Authorizer.id(SpiffeId.parse("spiffe://example.org/x"))));

    assertThrows(SSLHandshakeException.class, () -> handshake(server, client));
  }

  @Test
  void factoriesWithSplitParameters_keyAndTrustFromTheirOwnParameters() throws Exception {
    SSLContext server = context(SpiffeManagerParameters.forKeyManager(web),
        SpiffeManagerParameters.forTrustManager(web, Authorizer.memberOf(DB.trustDomain())));
    SSLContext client = context(SpiffeManagerParameters.of(db, Authorizer.id(WEB)));

    assertEquals(DB, handshake(server, client).ofServer);
  }

  @Test
  void parametersMissingWhatTheFactoryNeeds_initFails() throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
    TrustManagerFactory trust = TrustManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
    ManagerFactoryParameters foreign = new ManagerFactoryParameters() { };

    assertThrows(InvalidAlgorithmParameterException.class,
        () -> keys.init(SpiffeManagerParameters.forTrustManager(web, Authorizer.any())));
    assertThrows(InvalidAlgorithmParameterException.class, () -> keys.init(foreign));
    assertThrows(InvalidAlgorithmParameterException.class,
        () -> trust.init(SpiffeManagerParameters.forKeyManager(web)));
    assertThrows(InvalidAlgorithmParameterException.class, () -> trust.init(foreign));
    assertThrows(IllegalStateException.class, keys::getKeyManagers);
    assertThrows(IllegalStateException.class, trust::getTrustManagers);
  }

  @Test
  void defaultSource_fromTheEndpointSocketAndAcceptProperty_servesTheFirstSvid() throws Exception {
    useDefault(endpoint.address(), DB.toString());
    SSLContext server = defaultContext();
    SSLContext client = context(SpiffeManagerParameters.of(db, Authorizer.id(WEB)));

    Peers peers = handshake(server, client);

    assertEquals(DB, peers.ofServer);
    assertEquals(WEB, peers.ofClient);
  }

  @Test
  void defaultSource_acceptPropertyDoesNotListThePeer_handshakeFails() throws Exception {
    useDefault(endpoint.address(), "spiffe://example.org/other, spiffe://example.org/another");
    SSLContext server = defaultContext();
    SSLContext client = context(SpiffeManagerParameters.of(db, Authorizer.id(WEB)));

    assertThrows(IOException.class, () -> handshake(server, client));
  }

  @Test
  void defaultSource_withoutAcceptProperty_trustFactoryFailsBeforeMakingASource() throws Exception {
    AtomicInteger environmentReads = new AtomicInteger();
    DefaultSource.configure(name -> {
      environmentReads.incrementAndGet();
      return endpoint.address();
    }, Map.<String, String>of()::get);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());

    KeyStoreException e = assertThrows(KeyStoreException.class, () -> trust.init((KeyStore) null));

    assertTrue(e.getMessage().contains(SpiffeProvider.ACCEPT_PROPERTY), e.getMessage());
    assertEquals(0, environmentReads.get());
  }

  @Test
  void defaultSource_acceptPropertyWithAnInvalidId_trustFactoryFails() throws Exception {
    useDefault(endpoint.address(), "spiffe://example.org/ok, https://example.org/not-spiffe");
    TrustManagerFactory trust = TrustManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());

    KeyStoreException e = assertThrows(KeyStoreException.class, () -> trust.init((KeyStore) null));

    assertTrue(e.getMessage().contains("invalid SPIFFE ID"), e.getMessage());
  }

  @Test
  void defaultSource_withoutEndpointSocket_keyFactoryFailsNamingTheVariable() throws Exception {
    useDefault(null, DB.toString());
    KeyManagerFactory keys = KeyManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());

    KeyStoreException e = assertThrows(KeyStoreException.class, () -> keys.init(null, null));

    assertTrue(e.getMessage().contains("SPIFFE_ENDPOINT_SOCKET"), e.getMessage());
  }

  @Test
  void defaultSource_concurrentFirstUses_shareOneSource() throws Exception {
    useDefault(endpoint.address(), DB.toString());
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      Future<X509Source> first = threads.submit(DefaultSource::get);
      Future<X509Source> second = threads.submit(DefaultSource::get);
      assertSame(first.get(10, TimeUnit.SECONDS), second.get(10, TimeUnit.SECONDS));
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void shutdown_closesTheDefaultSource_andTheNextUseMakesANewOne() throws Exception {
    useDefault(endpoint.address(), DB.toString());
    SSLContext server = defaultContext();
    X509Source before = DefaultSource.get();
    SSLContext client = context(SpiffeManagerParameters.of(db, Authorizer.id(WEB)));

    SpiffeProvider.shutdown();

    assertThrows(IOException.class, () -> handshake(server, client));
    SSLContext renewed = defaultContext();
    assertNotSame(before, DefaultSource.get());
    assertEquals(DB, handshake(renewed, client).ofServer);
  }

  @Test
  void install_isIdempotent_andMakesTheFactoriesAvailableByName() throws Exception {
    Security.removeProvider(SpiffeProvider.NAME);
    try {
      assertTrue(SpiffeProvider.install());
      assertFalse(SpiffeProvider.install());
      assertSame(SpiffeProvider.get(), Security.getProvider(SpiffeProvider.NAME));
      assertSame(SpiffeProvider.get(), KeyManagerFactory.getInstance("Spiffe4j").getProvider());
      assertSame(SpiffeProvider.get(), TrustManagerFactory.getInstance("Spiffe4j").getProvider());
    } finally {
      Security.removeProvider(SpiffeProvider.NAME);
    }
  }

  private void useDefault(String address, String accepted) {
    DefaultSource.configure(name -> "SPIFFE_ENDPOINT_SOCKET".equals(name) ? address : null,
        name -> SpiffeProvider.ACCEPT_PROPERTY.equals(name) ? accepted : null);
  }

  private static SSLContext context(SpiffeManagerParameters parameters) throws Exception {
    return context(parameters, parameters);
  }

  private static SSLContext context(SpiffeManagerParameters keyParameters, SpiffeManagerParameters trustParameters)
      throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
    keys.init(keyParameters);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
    trust.init(trustParameters);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** A context from factories initialised as a framework does, with a key store the provider ignores. */
  private static SSLContext defaultContext() throws Exception {
    KeyManagerFactory keys = KeyManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
    keys.init(null, new char[0]);
    TrustManagerFactory trust = TrustManagerFactory.getInstance(SpiffeProvider.ALGORITHM, SpiffeProvider.get());
    trust.init((KeyStore) null);
    SSLContext context = SSLContext.getInstance("TLSv1.3");
    context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
    return context;
  }

  /** The SPIFFE IDs each side authenticated in one mutual TLS handshake over loopback. */
  private static Peers handshake(SSLContext server, SSLContext client) throws Exception {
    ExecutorService acceptor = Executors.newSingleThreadExecutor();
    try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      listener.setNeedClientAuth(true);
      Future<SpiffeId> serverSide = acceptor.submit(() -> {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
          socket.setSoTimeout(5000);
          socket.startHandshake();
          socket.getOutputStream().write(1);
          socket.getOutputStream().flush();
          return SpiffeTls.peerId(socket.getSession());
        }
      });
      SpiffeId ofClient;
      try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
          .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
        socket.setSoTimeout(5000);
        socket.startHandshake();
        if (socket.getInputStream().read() != 1) {
          throw new IOException("the server closed the connection after the handshake");
        }
        ofClient = SpiffeTls.peerId(socket.getSession());
      }
      // Only after the client closed: the server's close waits for the client's close_notify.
      return new Peers(serverSide.get(10, TimeUnit.SECONDS), ofClient);
    } finally {
      acceptor.shutdownNow();
    }
  }

  private static final class Peers {
    final SpiffeId ofServer;
    final SpiffeId ofClient;

    Peers(SpiffeId ofServer, SpiffeId ofClient) {
      this.ofServer = ofServer;
      this.ofClient = ofClient;
    }
  }
}
