package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.CLIENT;
import static io.spiffe4j.tls.TestPki.EXAMPLE;
import static io.spiffe4j.tls.TestPki.OTHER;
import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import io.spiffe4j.svid.x509.X509SvidSource;
import io.spiffe4j.tls.Handshakes.Outcome;
import io.spiffe4j.tls.Handshakes.Transport;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Real handshakes between contexts from {@link SpiffeSslContextBuilder}, over loopback sockets and SSLEngines. */
class SpiffeTlsHandshakeTest {
  private static final X509BundleSource TRUST_EXAMPLE = TestPki.bundles(EXAMPLE);
  private static final X509Svid SERVER_SVID = TestPki.svid(SERVER, KeyAlgorithm.EC_P256);
  private static final X509Svid CLIENT_SVID = TestPki.svid(CLIENT, KeyAlgorithm.EC_P256);

  static Stream<Arguments> transportsAndKeys() {
    return Stream.of(Transport.values()).flatMap(transport -> Stream.of(KeyAlgorithm.EC_P256, KeyAlgorithm.RSA_2048)
        .map(algorithm -> Arguments.of(transport, algorithm)));
  }

  private static SSLContext mtlsServer(X509SvidSource svid, Authorizer clientAuthorizer) {
    return SpiffeSslContextBuilder.mtlsServer(svid, TRUST_EXAMPLE, clientAuthorizer).build();
  }

  private static SSLContext mtlsClient(X509SvidSource svid, Authorizer serverAuthorizer) {
    return SpiffeSslContextBuilder.mtlsClient(svid, TRUST_EXAMPLE, serverAuthorizer).build();
  }

  @ParameterizedTest
  @MethodSource("transportsAndKeys")
  void mtls_eachSideAuthorizesAndLearnsThePeerId(Transport transport, KeyAlgorithm algorithm) throws Exception {
    X509Svid serverSvid = TestPki.svid(SERVER, algorithm);
    X509Svid clientSvid = TestPki.svid(CLIENT, algorithm);
    Outcome outcome = transport.run(mtlsServer(serverSvid, Authorizer.id(CLIENT)),
        mtlsClient(clientSvid, Authorizer.id(SERVER)));
    outcome.assertBothSucceeded();
    assertEquals(CLIENT, outcome.server.peerId());
    assertEquals(SERVER, outcome.client.peerId());
    assertEquals(clientSvid.leaf(), outcome.server.peerLeaf());
    assertEquals(serverSvid.leaf(), outcome.client.peerLeaf());
    assertEquals("TLSv1.3", outcome.client.session.getProtocol());
    assertEquals("TLSv1.3", outcome.server.session.getProtocol());
  }

  @Test
  void peerSvidIsTheChainTheTrustManagerVerified() throws Exception {
    Outcome outcome = Handshakes.overSockets(mtlsServer(SERVER_SVID, Authorizer.id(CLIENT)),
        mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)));
    outcome.assertBothSucceeded();
    VerifiedX509Svid server = SpiffeTls.peerSvid(outcome.client.session);
    assertEquals(SERVER, server.id());
    assertEquals(List.of(SERVER_SVID.leaf(), TestPki.ca(EXAMPLE).bundle().x509Authorities().get(0)),
        server.verifiedChain());
    assertEquals(CLIENT, SpiffeTls.peerSvid(outcome.server.session).id());
  }

  /** A session some other trust manager accepted has no SPIFFE peer, even though the certificate names one. */
  @Test
  void sessionsNotCheckedBySpiffeTrustManagerHaveNoSpiffePeer() throws Exception {
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    anchors.setCertificateEntry("example.org", TestPki.ca(EXAMPLE).bundle().x509Authorities().get(0));
    TrustManagerFactory pkix = TrustManagerFactory.getInstance("PKIX");
    pkix.init(anchors);
    SSLContext plainJdkClient = SSLContext.getInstance("TLS");
    plainJdkClient.init(null, pkix.getTrustManagers(), null);

    Outcome outcome = Handshakes.overEngines(SpiffeSslContextBuilder.tlsServer(SERVER_SVID).build().createSSLEngine(),
        clientMode(plainJdkClient.createSSLEngine()));
    outcome.assertBothSucceeded();
    assertEquals(SERVER_SVID.leaf(), outcome.client.peerLeaf());
    assertThrows(X509SvidException.class, () -> SpiffeTls.peerId(outcome.client.session));
    assertFalse(SpiffeTls.hostnameVerifier().verify("localhost", outcome.client.session));
  }

  private static SSLEngine clientMode(SSLEngine engine) {
    engine.setUseClientMode(true);
    return engine;
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void serverAuthorizerRejectsClient(Transport transport) throws Exception {
    SpiffeId expected = SpiffeId.parse("spiffe://example.org/someone-else");
    Outcome outcome = transport.run(mtlsServer(SERVER_SVID, Authorizer.id(expected)),
        mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)));
    AuthorizationException rejection = outcome.server.failure(AuthorizationException.class);
    assertTrue(rejection.getMessage().contains(CLIENT.toString()), rejection.getMessage());
    assertTrue(rejection.getMessage().contains(expected.toString()), rejection.getMessage());
    assertTrue(outcome.client.failed(), "the client must not get a working connection");
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void clientAuthorizerRejectsServer(Transport transport) throws Exception {
    Outcome outcome = transport.run(mtlsServer(SERVER_SVID, Authorizer.id(CLIENT)),
        mtlsClient(CLIENT_SVID, Authorizer.memberOf(OTHER)));
    outcome.client.failure(AuthorizationException.class);
    assertTrue(outcome.server.failed());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void X509_16_clientFromUntrustedTrustDomainRejected(Transport transport) throws Exception {
    X509Svid foreign = TestPki.svid(SpiffeId.parse("spiffe://other.org/client"), KeyAlgorithm.EC_P256);
    Outcome outcome = transport.run(mtlsServer(SERVER_SVID, Authorizer.any()),
        SpiffeSslContextBuilder.mtlsClient(foreign, TestPki.bundles(EXAMPLE, OTHER), Authorizer.id(SERVER)).build());
    CertificateException rejection = outcome.server.failure(CertificateException.class);
    assertInstanceOf(SpiffeException.class, rejection.getCause());
    assertTrue(rejection.getMessage().contains("other.org"), rejection.getMessage());
    assertTrue(outcome.client.failed());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void X509_16_serverFromUntrustedCaRejected(Transport transport) throws Exception {
    X509Svid forged = TestPki.rogueCa(EXAMPLE).svid(SERVER, KeyAlgorithm.EC_P256);
    Outcome outcome = transport.run(mtlsServer(forged, Authorizer.any()),
        mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)));
    outcome.client.failure(X509SvidException.class);
    assertTrue(outcome.server.failed());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void X509_16_expiredClientSvidRejected(Transport transport) throws Exception {
    Instant now = Instant.now();
    X509Svid expired = TestPki.ca(EXAMPLE).svid(CLIENT, KeyAlgorithm.EC_P256,
        now.minus(Duration.ofHours(2)), now.minus(Duration.ofHours(1)));
    Outcome outcome = transport.run(mtlsServer(SERVER_SVID, Authorizer.id(CLIENT)),
        mtlsClient(expired, Authorizer.id(SERVER)));
    outcome.server.failure(X509SvidException.class);
    assertTrue(outcome.client.failed());
  }

  @Test
  void X509_16_builderClockJudgesPeerValidity() throws Exception {
    Clock twoHoursAhead = Clock.offset(Clock.systemUTC(), Duration.ofHours(2));
    SSLContext server = SpiffeSslContextBuilder.mtlsServer(SERVER_SVID, TRUST_EXAMPLE, Authorizer.id(CLIENT))
        .clock(twoHoursAhead).build();
    Outcome outcome = Handshakes.overEngines(server, mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)));
    outcome.server.failure(X509SvidException.class);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void clientWithoutSvidCannotConnectToMtlsServer(Transport transport) throws Exception {
    Outcome outcome = transport.run(mtlsServer(SERVER_SVID, Authorizer.any()),
        SpiffeSslContextBuilder.tlsClient(TRUST_EXAMPLE, Authorizer.id(SERVER)).build());
    assertTrue(outcome.server.failed(), "an mTLS server must refuse a client without certificate");
    assertTrue(outcome.client.failed());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void tlsClientAuthenticatesTlsServer_clientStaysAnonymous(Transport transport) throws Exception {
    Outcome outcome = transport.run(SpiffeSslContextBuilder.tlsServer(SERVER_SVID).build(),
        SpiffeSslContextBuilder.tlsClient(TRUST_EXAMPLE, Authorizer.id(SERVER)).build());
    outcome.assertBothSucceeded();
    assertEquals(SERVER, outcome.client.peerId());
    assertThrows(X509SvidException.class, outcome.server::peerId);
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void tlsServerDoesNotAskForTheClientSvid(Transport transport) throws Exception {
    AtomicInteger clientSvidReads = new AtomicInteger();
    X509SvidSource countingClient = () -> {
      clientSvidReads.incrementAndGet();
      return CLIENT_SVID;
    };
    Outcome outcome = transport.run(SpiffeSslContextBuilder.tlsServer(SERVER_SVID).build(),
        mtlsClient(countingClient, Authorizer.id(SERVER)));
    outcome.assertBothSucceeded();
    assertThrows(X509SvidException.class, outcome.server::peerId);
    assertEquals(0, clientSvidReads.get());
  }

  @Test
  void tlsServerRejectsAClientCertificateEvenIfACallerAsksForOne() {
    SSLEngine server = SpiffeSslContextBuilder.tlsServer(SERVER_SVID).build().createSSLEngine();
    server.setWantClientAuth(true);
    Outcome outcome = Handshakes.overEngines(server,
        mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)).createSSLEngine());
    assertTrue(outcome.server.failure(CertificateException.class).getMessage().contains("tlsServer"));
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void tls12IsRefusedUnlessBothSidesOptIn(Transport transport) throws Exception {
    SSLContext tls12Client = SpiffeSslContextBuilder.mtlsClient(CLIENT_SVID, TRUST_EXAMPLE, Authorizer.id(SERVER))
        .protocols("TLSv1.2").build();
    Outcome refused = transport.run(mtlsServer(SERVER_SVID, Authorizer.id(CLIENT)), tls12Client);
    assertTrue(refused.server.failed());
    assertTrue(refused.client.failed());

    SSLContext tls12Server = SpiffeSslContextBuilder.mtlsServer(SERVER_SVID, TRUST_EXAMPLE, Authorizer.id(CLIENT))
        .protocols("TLSv1.3", "TLSv1.2").build();
    Outcome accepted = transport.run(tls12Server, tls12Client);
    accepted.assertBothSucceeded();
    assertEquals("TLSv1.2", accepted.client.session.getProtocol());
    assertEquals(CLIENT, accepted.server.peerId());
    assertEquals(SERVER, accepted.client.peerId());
  }

  /**
   * A resumed session skips the trust managers. A plain JDK client context caches session tickets and would resume
   * with them; the server must still verify and authorize each of its connections.
   */
  @Test
  void mtlsServerVerifiesEveryConnectionEvenOfAClientThatWouldResume() throws Exception {
    AtomicInteger serverChecks = new AtomicInteger();
    SSLContext plainJdkClient = SSLContext.getInstance("TLS");
    plainJdkClient.init(new KeyManager[] {SpiffeKeyManager.of(CLIENT_SVID)},
        new TrustManager[] {SpiffeTrustManager.of(TRUST_EXAMPLE, Authorizer.id(SERVER))}, null);
    List<Outcome> outcomes = Handshakes.overSockets(
        mtlsServer(SERVER_SVID, peer -> serverChecks.incrementAndGet()), plainJdkClient, 3);
    outcomes.forEach(Outcome::assertBothSucceeded);
    assertEquals(3, serverChecks.get());
  }

  /** A tlsServer issues session tickets like most servers; client contexts still verify each connection. */
  @Test
  void clientContextsVerifyEveryConnectionEvenWhenTheServerOffersResumption() throws Exception {
    AtomicInteger clientChecks = new AtomicInteger();
    SSLContext client = mtlsClient(CLIENT_SVID, peer -> clientChecks.incrementAndGet());
    List<Outcome> outcomes = Handshakes.overSockets(SpiffeSslContextBuilder.tlsServer(SERVER_SVID).build(), client, 3);
    outcomes.forEach(Outcome::assertBothSucceeded);
    assertEquals(3, clientChecks.get());
  }

  /**
   * For TLS 1.3 JSSE asks the key manager once per key type it could sign with. A source that changes on every read
   * (RSA, EC, RSA ...) would otherwise answer "RSA" when asked for EC and "EC" when asked for RSA.
   */
  @ParameterizedTest
  @EnumSource(Transport.class)
  void sourceIsReadOncePerHandshake(Transport transport) throws Exception {
    X509Svid rsa = TestPki.svid(SERVER, KeyAlgorithm.RSA_2048);
    AtomicInteger reads = new AtomicInteger();
    X509SvidSource flipping = () -> reads.getAndIncrement() % 2 == 0 ? rsa : SERVER_SVID;
    SSLContext server = mtlsServer(flipping, Authorizer.id(CLIENT));
    SSLContext client = mtlsClient(CLIENT_SVID, Authorizer.id(SERVER));
    for (X509Svid expected : List.of(rsa, SERVER_SVID, rsa)) {
      Outcome outcome = transport.run(server, client);
      outcome.assertBothSucceeded();
      assertEquals(expected.leaf(), outcome.client.peerLeaf());
    }
    assertEquals(3, reads.get());
  }

  @ParameterizedTest
  @EnumSource(Transport.class)
  void svidSourceFailureFailsTheHandshakeWithItsCause(Transport transport) throws Exception {
    X509SvidSource closed = () -> {
      throw new IllegalStateException("SVID source is closed");
    };
    Outcome outcome = transport.run(mtlsServer(closed, Authorizer.any()),
        mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)));
    assertEquals("SVID source is closed", outcome.server.failure(IllegalStateException.class).getMessage());
    assertTrue(outcome.client.failed());
  }

  /** SVIDs carry no DNS names: a client asking for HTTPS host name checks still connects by SPIFFE ID. */
  @Test
  void endpointIdentificationRequestedByTheClientIsIgnored() {
    SSLEngine client = mtlsClient(CLIENT_SVID, Authorizer.id(SERVER)).createSSLEngine("not-the-server.test", 443);
    SSLParameters parameters = client.getSSLParameters();
    parameters.setEndpointIdentificationAlgorithm("HTTPS");
    client.setSSLParameters(parameters);
    Outcome outcome = Handshakes.overEngines(mtlsServer(SERVER_SVID, Authorizer.id(CLIENT)).createSSLEngine(),
        client);
    outcome.assertBothSucceeded();
    assertEquals(SERVER, outcome.client.peerId());
  }
}
