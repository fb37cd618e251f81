package io.spiffe4j.examples.demo;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.tls.AuthorizationException;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import io.spiffe4j.tls.SpiffeTls;
import io.spiffe4j.workloadapi.WorkloadApiAddress;
import io.spiffe4j.workloadapi.web.JwtSvidAuthenticator;
import io.spiffe4j.workloadapi.web.httpserver.JwtSvidHttpFilter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;

/**
 * The server workload: an HTTPS server on 127.0.0.1 that requires mTLS and admits one client ID. Two endpoints:
 * <ul>
 *   <li>{@code /hello} greets the client the TLS handshake authenticated;
 *   <li>{@code /orders} also wants a JWT-SVID for the server's audience ({@code Authorization: Bearer}), and answers
 *       401 to any other token.
 * </ul>
 * Its SVID, the bundle it trusts clients by, and the JWT bundle it checks tokens with all come from its Workload API
 * socket, kept current by pushes: after a rotation the next handshake uses the new SVID, with no restart.
 *
 * <p>Thread-safe. {@link #close()} stops the HTTPS server, then the Workload API sources.
 */
final class ServerWorkload implements AutoCloseable {
  /**
   * Closes each connection after one exchange, refusals included. Clients would otherwise keep connections open and
   * reuse them; the demo wants a new handshake per request, to show which SVIDs each one presents.
   */
  private static final Filter ONE_EXCHANGE_PER_CONNECTION = new Filter() {
    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
      exchange.getResponseHeaders().set("Connection", "close");
      chain.doFilter(exchange);
    }

    @Override
    public String description() {
      return "Connection: close";
    }
  };

  private final WorkloadIdentity identity;
  private final HttpsServer https;
  /** What the server's authorizer refused, for the demo's report. */
  private final List<String> refusals;
  /** The client SVID of the last accepted connection, for the demo's report. */
  private volatile VerifiedX509Svid lastClient;

  private ServerWorkload(WorkloadIdentity identity, HttpsServer https, List<String> refusals) {
    this.identity = identity;
    this.https = https;
    this.refusals = refusals;
  }

  /**
   * Fetches the server's identity from the Workload API at {@code address} and starts serving HTTPS.
   *
   * @param allowedClient the one client ID that may connect
   * @param audience the audience a JWT-SVID must have for {@code /orders}
   */
  static ServerWorkload start(WorkloadApiAddress address, SpiffeId allowedClient, String audience) {
    WorkloadIdentity identity = WorkloadIdentity.connect(address);
    try {
      List<String> refusals = new CopyOnWriteArrayList<>();
      Authorizer onlyTheClient = Authorizer.id(allowedClient);
      // The decision is Authorizer.id's; the wrapper only notes refusals so that the demo can show them.
      Authorizer reportingRefusals = peer -> {
        try {
          onlyTheClient.authorize(peer);
        } catch (AuthorizationException e) {
          refusals.add(e.getMessage());
          throw e;
        }
      };
      // The X509Source is both the key material (the server's SVID) and the trust material (the bundles): one
      // handshake reads the latest of each, so a rotation applies on the next connection.
      SSLContext tls = SpiffeSslContextBuilder.mtlsServer(identity.x509(), identity.x509(), reportingRefusals).build();
      HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      // The default configurator applies the context's parameters, which require a client certificate.
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      ServerWorkload server = new ServerWorkload(identity, https, refusals);
      server.route(audience);
      https.start();
      return server;
    } catch (IOException e) {
      identity.close();
      throw new UncheckedIOException("cannot start the server workload's HTTPS server: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      identity.close();
      throw e;
    }
  }

  private void route(String audience) {
    HttpContext hello = https.createContext("/hello", exchange ->
        respond(exchange, "hello " + authenticatedClient(exchange).id()));
    hello.getFilters().add(ONE_EXCHANGE_PER_CONNECTION);

    HttpContext orders = https.createContext("/orders", exchange -> {
      authenticatedClient(exchange);
      // The filter let the request through, so a valid JWT-SVID for the audience named this caller.
      SpiffeId caller = (SpiffeId) exchange.getAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE);
      respond(exchange, "order accepted from " + caller);
    });
    orders.getFilters().add(ONE_EXCHANGE_PER_CONNECTION);
    // Validates the bearer token locally against the JWT bundles the JwtSource keeps current; 401 otherwise.
    orders.getFilters().add(new JwtSvidHttpFilter(JwtSvidAuthenticator.local(identity.jwt(), audience)));
  }

  /** The client as the handshake verified and authorized it: no certificate is parsed again. */
  private VerifiedX509Svid authenticatedClient(HttpExchange exchange) {
    VerifiedX509Svid client = SpiffeTls.peerSvid(((HttpsExchange) exchange).getSSLSession());
    lastClient = client;
    return client;
  }

  private static void respond(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The URI of an endpoint of this server. */
  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + https.getAddress().getPort() + path);
  }

  /** The server's Workload API view: its SVID and bundles. */
  WorkloadIdentity identity() {
    return identity;
  }

  /** The client SVID of the last connection the server accepted, as its handshake verified it. */
  VerifiedX509Svid lastClient() {
    return lastClient;
  }

  /** Why the server's authorizer refused clients, oldest first. */
  List<String> refusals() {
    return List.copyOf(refusals);
  }

  @Override
  public void close() {
    https.stop(0);
    identity.close();
  }
}
