package io.spiffe4j.certauth.akeyless;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A scriptable stand-in for an Akeyless Gateway on the JDK HTTP server: each operation gets a handler that sees
 * the parsed JSON request and returns a reply; every request is recorded (path, headers, parsed body). Requests
 * under a base path ({@code /api/v2}) are routed by their last segment, so the client's URL joining is checked.
 */
final class StubGateway implements AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  /** What the stub answers. */
  static final class Reply {
    final int status;
    final String contentType;
    final byte[] body;

    Reply(int status, String contentType, byte[] body) {
      this.status = status;
      this.contentType = contentType;
      this.body = body;
    }

    static Reply json(int status, String json) {
      return new Reply(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    static Reply ok(Object... keysAndValues) {
      ObjectNode body = JSON.createObjectNode();
      for (int i = 0; i < keysAndValues.length; i += 2) {
        body.set((String) keysAndValues[i], JSON.valueToTree(keysAndValues[i + 1]));
      }
      return json(200, body.toString());
    }

    static Reply error(int status, String message) {
      ObjectNode body = JSON.createObjectNode().put("error", message);
      return json(status, body.toString());
    }
  }

  /** One request as the stub saw it. */
  static final class Recorded {
    final String method;
    final String path;
    final Headers headers;
    final byte[] rawBody;
    final JsonNode body;

    Recorded(String method, String path, Headers headers, byte[] rawBody, JsonNode body) {
      this.method = method;
      this.path = path;
      this.headers = headers;
      this.rawBody = rawBody;
      this.body = body;
    }

    String op() {
      return path.substring(path.lastIndexOf('/') + 1);
    }
  }

  @FunctionalInterface
  interface Handler {
    Reply handle(JsonNode request) throws Exception;
  }

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private final String basePath;
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  final List<Recorded> requests = new CopyOnWriteArrayList<>();

  private StubGateway(HttpServer server, String basePath) {
    this.server = server;
    this.basePath = basePath;
    server.createContext("/", this::serve);
    server.setExecutor(executor);
    server.start();
  }

  static StubGateway http(String basePath) {
    try {
      return new StubGateway(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0),
          basePath);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static StubGateway http() {
    return http("/api/v2");
  }

  static StubGateway https(SSLContext serverContext) {
    try {
      HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      server.setHttpsConfigurator(new HttpsConfigurator(serverContext));
      return new StubGateway(server, "/api/v2");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  StubGateway on(String op, Handler handler) {
    handlers.put(op, handler);
    return this;
  }

  /** The gateway URL a client is configured with. */
  String url() {
    String scheme = server instanceof HttpsServer ? "https" : "http";
    String host = server instanceof HttpsServer ? "localhost" : "127.0.0.1";
    return scheme + "://" + host + ":" + server.getAddress().getPort() + basePath;
  }

  int port() {
    return server.getAddress().getPort();
  }

  List<Recorded> requests(String op) {
    return requests.stream().filter(r -> r.op().equals(op)).collect(java.util.stream.Collectors.toList());
  }

  private void serve(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] raw = exchange.getRequestBody().readAllBytes();
      String path = exchange.getRequestURI().getPath();
      JsonNode body = raw.length == 0 ? null : JSON.readTree(raw);
      Recorded recorded = new Recorded(exchange.getRequestMethod(), path, exchange.getRequestHeaders(), raw, body);
      requests.add(recorded);
      Handler handler = path.startsWith(basePath + "/") ? handlers.get(recorded.op()) : null;
      Reply reply;
      try {
        reply = handler == null ? Reply.error(404, "no such operation " + path) : handler.handle(body);
      } catch (Exception e) {
        reply = Reply.error(500, "stub handler failed: " + e);
      }
      if (reply.contentType != null) {
        exchange.getResponseHeaders().set("Content-Type", reply.contentType);
      }
      exchange.sendResponseHeaders(reply.status, reply.body.length == 0 ? -1 : reply.body.length);
      if (reply.body.length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(reply.body);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
