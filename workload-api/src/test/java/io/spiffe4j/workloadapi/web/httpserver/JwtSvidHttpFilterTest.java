package io.spiffe4j.workloadapi.web.httpserver;

import static io.spiffe4j.workloadapi.TestEndpoint.WEB;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpServer;
import io.spiffe4j.workloadapi.TestEndpoint;
import io.spiffe4j.workloadapi.web.JwtSvidAuthenticator;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JDK HttpServer filter, called over real HTTP. */
class JwtSvidHttpFilterTest {
  private static final String AUDIENCE = "spiffe://example.org/orders";

  @TempDir
  Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger handled = new AtomicInteger();
  private HttpServer server;
  private URI uri;

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void start(JwtSvidAuthenticator authenticator) throws Exception {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    HttpContext context = server.createContext("/orders", exchange -> {
      handled.incrementAndGet();
      byte[] body = String.valueOf(exchange.getAttribute(JwtSvidAuthenticator.CALLER_ID_ATTRIBUTE))
          .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    context.getFilters().add(new JwtSvidHttpFilter(authenticator));
    server.start();
    uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/orders");
  }

  private HttpResponse<String> get(String... authorization) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri);
    for (String value : authorization) {
      request.header("Authorization", value);
    }
    return http.send(request.build(), BodyHandlers.ofString());
  }

  @Test
  void validToken_reachesTheHandlerWithTheCallerIdAttribute() throws Exception {
    start(JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE));

    HttpResponse<String> response = get("Bearer " + TestEndpoint.token(WEB, AUDIENCE));

    assertEquals(200, response.statusCode());
    assertEquals(WEB.toString(), response.body());
  }

  @Test
  void JWT_11_noOrTwoAuthorizationHeaders_401WithBareBearerChallenge() throws Exception {
    start(JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE));
    String token = TestEndpoint.token(WEB, AUDIENCE);

    for (HttpResponse<String> response : new HttpResponse[] {get(), get("Bearer " + token, "Bearer " + token)}) {
      assertEquals(401, response.statusCode());
      assertEquals(Optional.of("Bearer"), response.headers().firstValue("WWW-Authenticate"));
    }
    assertEquals(0, handled.get());
  }

  @Test
  void invalidToken_401InvalidTokenWithoutDetails() throws Exception {
    start(JwtSvidAuthenticator.local(TestEndpoint.jwtBundle(), AUDIENCE));

    HttpResponse<String> response = get("Bearer " + TestEndpoint.expiredToken(WEB, AUDIENCE));

    assertEquals(401, response.statusCode());
    assertEquals(Optional.of("Bearer error=\"invalid_token\""), response.headers().firstValue("WWW-Authenticate"));
    assertEquals("", response.body());
    assertEquals(0, handled.get());
  }

  @Test
  void viaWorkloadApi_validForgedAndUnavailable() throws Exception {
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
