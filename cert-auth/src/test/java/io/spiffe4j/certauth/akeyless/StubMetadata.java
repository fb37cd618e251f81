package io.spiffe4j.certauth.akeyless;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/** A GCE metadata server or Azure IMDS stand-in: answers GETs with the handler's text, or 404 for null. */
final class StubMetadata implements AutoCloseable {
  private final HttpServer server;
  private volatile URI last;

  StubMetadata(Function<HttpExchange, String> handler) {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", exchange -> {
      try (exchange) {
        last = exchange.getRequestURI();
        String answer;
        try {
          answer = handler.apply(exchange);
        } catch (AssertionError e) {
          answer = null;
        }
        byte[] body = (answer == null ? "not found" : answer).getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(answer == null ? 404 : 200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  String lastPath() {
    return last.getPath();
  }

  String lastQuery() {
    return last.getRawQuery();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
