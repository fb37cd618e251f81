package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.CLIENT;
import static io.spiffe4j.tls.TestPki.EXAMPLE;
import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package documentation's examples, run as written: an mTLS {@code HttpsServer} that answers with the caller's
 * SPIFFE ID, called through {@code HttpClient} and {@code HttpsURLConnection}. The URL names {@code localhost},
 * which is in neither SVID, so success also shows that no host name check gets in the way.
 */
class SpiffeHttpsTest {
  private static final X509Svid SERVER_SVID = TestPki.svid(SERVER, KeyAlgorithm.EC_P256);
  private static final X509Svid CLIENT_SVID = TestPki.svid(CLIENT, KeyAlgorithm.RSA_2048);
  private static HttpsServer server;
  private static URI uri;

  @BeforeAll
  static void startServer() throws IOException {
    SSLContext serverTls = SpiffeSslContextBuilder
        .mtlsServer(SERVER_SVID, TestPki.bundles(EXAMPLE), Authorizer.id(CLIENT))
        .build();
    server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    // The default configurator applies the context's default parameters, which require a client SVID.
    server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
    server.createContext("/", exchange -> {
      SpiffeId caller = SpiffeTls.peerId(((HttpsExchange) exchange).getSSLSession());
      byte[] body = caller.toString().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    uri = URI.create("https://localhost:" + server.getAddress().getPort() + "/");
  }

  @AfterAll
  static void stopServer() {
    server.stop(0);
  }

  private static SSLContext clientTls(Authorizer serverAuthorizer) {
    return SpiffeSslContextBuilder
        .mtlsClient(CLIENT_SVID, TestPki.bundles(EXAMPLE), serverAuthorizer)
        .build();
  }

  private static HttpResponse<String> get(SSLContext clientTls) throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(clientTls).connectTimeout(Duration.ofSeconds(10)).build();
    return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), BodyHandlers.ofString());
  }

  private static String read(HttpsURLConnection connection) throws IOException {
    connection.setConnectTimeout(10_000);
    connection.setReadTimeout(10_000);
    try (InputStream body = connection.getInputStream()) {
      return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      connection.disconnect();
    }
  }

  @Test
  void httpClient_mutuallyAuthenticated() throws Exception {
    HttpResponse<String> response = get(clientTls(Authorizer.id(SERVER)));
    assertEquals(200, response.statusCode());
    assertEquals(CLIENT.toString(), response.body());
    assertEquals(SERVER, SpiffeTls.peerId(response.sslSession().orElseThrow()));
  }

  @Test
  void httpClient_refusesServerTheAuthorizerRejects() {
    SSLContext clientTls = clientTls(Authorizer.id(SpiffeId.parse("spiffe://example.org/elsewhere")));
    assertThrows(IOException.class, () -> get(clientTls));
  }

  @Test
  void httpClient_withoutSvidIsRefusedByTheServer() {
    SSLContext anonymous = SpiffeSslContextBuilder.tlsClient(TestPki.bundles(EXAMPLE), Authorizer.id(SERVER)).build();
    assertThrows(IOException.class, () -> get(anonymous));
  }

  @Test
  void httpsUrlConnection_withTheJdkDefaultHostnameVerifier() throws Exception {
    HttpsURLConnection connection = (HttpsURLConnection) uri.toURL().openConnection();
    connection.setSSLSocketFactory(clientTls(Authorizer.id(SERVER)).getSocketFactory());
    assertEquals(CLIENT.toString(), read(connection));
  }

  @Test
  void httpsUrlConnection_withSpiffeHostnameVerifier() throws Exception {
    HttpsURLConnection connection = (HttpsURLConnection) uri.toURL().openConnection();
    connection.setSSLSocketFactory(clientTls(Authorizer.id(SERVER)).getSocketFactory());
    connection.setHostnameVerifier(SpiffeTls.hostnameVerifier());
    connection.connect();
    assertEquals(SERVER_SVID.leaf(), connection.getServerCertificates()[0]);
    assertEquals(CLIENT.toString(), read(connection));
  }

  @Test
  void httpsUrlConnection_refusesServerTheAuthorizerRejects() throws Exception {
    HttpsURLConnection connection = (HttpsURLConnection) uri.toURL().openConnection();
    connection.setSSLSocketFactory(clientTls(Authorizer.memberOf(TestPki.OTHER)).getSocketFactory());
    connection.setHostnameVerifier(SpiffeTls.hostnameVerifier());
    assertThrows(IOException.class, () -> read(connection));
  }

  @Test
  void spiffeHostnameVerifierRejectsSessionsWithoutPeerSvid() {
    Handshakes.Outcome anonymousClient = Handshakes.overEngines(SpiffeSslContextBuilder.tlsServer(SERVER_SVID).build(),
        SpiffeSslContextBuilder.tlsClient(TestPki.bundles(EXAMPLE), Authorizer.id(SERVER)).build());
    anonymousClient.assertBothSucceeded();
    assertFalse(SpiffeTls.hostnameVerifier().verify("localhost", anonymousClient.server.session));
    assertTrue(SpiffeTls.hostnameVerifier().verify("localhost", anonymousClient.client.session));
  }
}
