package io.spiffe4j.workloadapi.web.servlet;

import static io.spiffe4j.workloadapi.TestEndpoint.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.workloadapi.TestEndpoint;
import io.spiffe4j.workloadapi.web.JwtSvidAuthenticator;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The servlet filter in an embedded Jetty 12, called over real HTTP. */
class JwtSvidServletFilterTest {
  private static final String AUDIENCE = "spiffe://example.org/orders";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger handled = new AtomicInteger();
  private Server jetty;
  private URI uri;

  @AfterEach
  void stop() throws Exception {
    jetty.stop();
  }

  private void start(JwtSvidAuthenticator authenticator) throws Exception {
    jetty = new Server(new InetSocketAddress("127.0.0.1", 0));
    ServletContextHandler context = new ServletContextHandler();
    context.addFilter(new FilterHolder(new JwtSvidServletFilter(authenticator)), "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new HttpServlet() {
      @Override
      protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        handled.incrementAndGet();
        response.getWriter().print(request.getAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE));
      }
    }), "/*");
    jetty.setHandler(context);
    jetty.start();
    uri = URI.create("http://127.0.0.1:" + ((ServerConnector) jetty.getConnectors()[0]).getLocalPort() + "/orders");
  }

  private HttpResponse<String> get(String authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return http.send(request.build(), BodyHandlers.ofString());
  }

  @Test
  void validToken_reachesTheServletWithTheCallerIdAttribute() throws Exception {
    start(JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE));

    HttpResponse<String> response = get("Bearer " + TestEndpoint.token(WEB, AUDIENCE));

    assertEquals(200, response.statusCode());
    assertEquals(WEB.toString(), response.body());
  }

  @Test
  void JWT_11_noAuthorizationHeader_401WithBareBearerChallenge() throws Exception {
    start(JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE));

    HttpResponse<String> response = get(null);

    assertEquals(401, response.statusCode());
    assertEquals(Optional.of("Bearer"), response.headers().firstValue("WWW-Authenticate"));
    assertEquals(0, handled.get());
  }

  @Test
  void invalidToken_401InvalidTokenWithoutDetails() throws Exception {
    start(JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE));
    String forged = TestEndpoint.forgedToken(WEB, AUDIENCE);

    HttpResponse<String> response = get("Bearer " + forged);

    assertEquals(401, response.statusCode());
    assertEquals(Optional.of("Bearer error=\"invalid_token\""), response.headers().firstValue("WWW-Authenticate"));
    assertEquals("", response.body());
    assertEquals(0, handled.get());
  }

  @Test
  void viaWorkloadApi_validAndForgedTokens() throws Exception {
    try (TestEndpoint endpoint = TestEndpoint.start(dir.resolve("agent.sock"))) {
      start(JwtSvidAuthenticator.viaWorkloadApi(endpoint.client(), AUDIENCE));

      assertEquals(WEB.toString(), get("Bearer " + TestEndpoint.token(WEB, AUDIENCE)).body());
      assertEquals(401, get("Bearer " + TestEndpoint.forgedToken(WEB, AUDIENCE)).statusCode());
      assertEquals(2, endpoint.validateCalls());

      endpoint.failValidation();
      HttpResponse<String> unavailable = get("Bearer " + TestEndpoint.token(WEB, AUDIENCE));
      assertEquals(503, unavailable.statusCode());
      assertTrue(unavailable.headers().firstValue("WWW-Authenticate").isEmpty());
      assertEquals(1, handled.get());
    }
  }
}
