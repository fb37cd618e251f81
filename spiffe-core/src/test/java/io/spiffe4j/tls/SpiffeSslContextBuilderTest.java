package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.CLIENT;
import static io.spiffe4j.tls.TestPki.EXAMPLE;
import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import java.net.InetAddress;
import java.security.KeyManagementException;
import java.time.Clock;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;

/** What a built context applies by itself, without the caller configuring engines or sockets. */
class SpiffeSslContextBuilderTest {
  private static final X509Svid SVID = TestPki.svid(SERVER, KeyAlgorithm.EC_P256);
  private static final X509BundleSource BUNDLES = TestPki.bundles(EXAMPLE);
  private static final String[] TLS13_ONLY = {"TLSv1.3"};

  @Test
  void mtlsServer_requiresClientCertificatesEverywhere() throws Exception {
    SSLContext context = SpiffeSslContextBuilder.mtlsServer(SVID, BUNDLES, Authorizer.id(CLIENT)).build();
    SSLParameters defaults = context.getDefaultSSLParameters();
    assertTrue(defaults.getNeedClientAuth());
    assertArrayEquals(TLS13_ONLY, defaults.getProtocols());

    SSLEngine engine = context.createSSLEngine();
    assertFalse(engine.getUseClientMode());
    assertTrue(engine.getNeedClientAuth());
    assertArrayEquals(TLS13_ONLY, engine.getEnabledProtocols());

    try (SSLServerSocket socket = (SSLServerSocket) context.getServerSocketFactory()
        .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertTrue(socket.getNeedClientAuth());
      assertArrayEquals(TLS13_ONLY, socket.getEnabledProtocols());
    }
  }

  @Test
  void clients_startInClientModeWithTls13Only() throws Exception {
    for (SSLContext context : new SSLContext[] {
        SpiffeSslContextBuilder.mtlsClient(SVID, BUNDLES, Authorizer.id(SERVER)).build(),
        SpiffeSslContextBuilder.tlsClient(BUNDLES, Authorizer.id(SERVER)).build()}) {
      SSLEngine engine = context.createSSLEngine("localhost", 443);
      assertTrue(engine.getUseClientMode());
      assertArrayEquals(TLS13_ONLY, engine.getEnabledProtocols());
      try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
        assertTrue(socket.getUseClientMode());
        assertArrayEquals(TLS13_ONLY, socket.getEnabledProtocols());
      }
      assertFalse(context.getDefaultSSLParameters().getNeedClientAuth());
    }
  }

  @Test
  void tlsServer_asksForNoClientCertificate() {
    SSLContext context = SpiffeSslContextBuilder.tlsServer(SVID).build();
    SSLEngine engine = context.createSSLEngine();
    assertFalse(engine.getUseClientMode());
    assertFalse(engine.getNeedClientAuth());
    assertFalse(engine.getWantClientAuth());
    assertFalse(context.getDefaultSSLParameters().getNeedClientAuth());
  }

  @Test
  void protocols_acceptOnlyTls13AndTls12() {
    SpiffeSslContextBuilder builder = SpiffeSslContextBuilder.mtlsServer(SVID, BUNDLES, Authorizer.any());
    assertThrows(IllegalArgumentException.class, () -> builder.protocols("TLSv1.1"));
    assertThrows(IllegalArgumentException.class, () -> builder.protocols("SSLv3"));
    assertThrows(IllegalArgumentException.class, () -> builder.protocols("TLS"));
    assertThrows(IllegalArgumentException.class, () -> builder.protocols());
    assertThrows(NullPointerException.class, () -> builder.protocols((String) null));
    SSLContext context = builder.protocols("TLSv1.2", "TLSv1.3").build();
    assertArrayEquals(new String[] {"TLSv1.2", "TLSv1.3"}, context.createSSLEngine().getEnabledProtocols());
  }

  @Test
  void tlsServer_refusesAClockItWouldNeverUse() {
    assertThrows(IllegalStateException.class, () -> SpiffeSslContextBuilder.tlsServer(SVID).clock(Clock.systemUTC()));
  }

  @Test
  void builtContextCannotBeReinitialised() {
    SSLContext context = SpiffeSslContextBuilder.tlsServer(SVID).build();
    assertThrows(KeyManagementException.class, () -> context.init(null, null, null));
  }

  @Test
  void requiredArgumentsAreRequired() {
    assertThrows(NullPointerException.class, () -> SpiffeSslContextBuilder.mtlsServer(SVID, BUNDLES, null));
    assertThrows(NullPointerException.class, () -> SpiffeSslContextBuilder.mtlsClient(SVID, BUNDLES, null));
    assertThrows(NullPointerException.class, () -> SpiffeSslContextBuilder.tlsClient(BUNDLES, null));
    assertThrows(NullPointerException.class, () -> SpiffeSslContextBuilder.tlsClient(null, Authorizer.any()));
    assertThrows(NullPointerException.class, () -> SpiffeSslContextBuilder.mtlsClient(null, BUNDLES,
        Authorizer.any()));
    assertThrows(NullPointerException.class, () -> SpiffeSslContextBuilder.tlsServer(null));
  }

  @Test
  void providerAndProtocolAreTheJdks() {
    SSLContext context = SpiffeSslContextBuilder.tlsServer(SVID).build();
    assertEquals("TLS", context.getProtocol());
    assertEquals("SunJSSE", context.getProvider().getName());
  }
}
