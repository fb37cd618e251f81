package io.spiffe4j.akeyless.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP face of the gateway: routes {@code POST {/api/v2,/v2,}/<op>}, applies faults, turns every outcome into a
 * JSON answer (never a stack trace) and records it. Thread-safe: it holds no per-request state.
 */
final class Router implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AkeylessGateway.class);
  private static final int MAX_BODY_BYTES = 1 << 20;
  private static final int MAX_LOGGED_PATH = 200;
  private static final String[] PREFIXES = {"/api/v2/", "/v2/", "/"};
  private static final String JSON_TYPE = "application/json";
  private static final String NON_JSON_BODY =
      "<html><head><title>Bad Gateway</title></head><body><h1>injected non-JSON answer</h1></body></html>";

  /** One answer: status, content type, body, and what the request log keeps. */
  private static final class Answer {
    final int status;
    final String contentType;
    final byte[] body;
    final String error;
    final boolean injected;

    Answer(int status, String contentType, byte[] body, String error, boolean injected) {
      this.status = status;
      this.contentType = contentType;
      this.body = body;
      this.error = error;
      this.injected = injected;
    }

    static Answer json(int status, Map<String, Object> fields) {
      try {
        return new Answer(status, JSON_TYPE, RequestBody.JSON.writeValueAsBytes(fields), null, false);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot write a JSON answer", e);
      }
    }

    static Answer error(int status, String message, boolean injected) {
      Answer json = json(status, Map.of("error", message));
      return new Answer(status, JSON_TYPE, json.body, message, injected);
    }
  }

  private final AkeylessGateway gateway;

  Router(AkeylessGateway gateway) {
    this.gateway = gateway;
  }

  @Override
  public void handle(HttpExchange exchange) {
    String method = exchange.getRequestMethod();
    String rawPath = exchange.getRequestURI().getRawPath();
    String path = rawPath == null ? "" : rawPath;
    Op op = route(path);
    Answer answer;
    try {
      answer = answer(exchange, op, method);
    } catch (HttpError e) {
      answer = Answer.error(e.status(), e.reason(), false);
    } catch (RuntimeException e) {
      LOG.error("Akeyless test gateway failed on {} {}", method, shorten(path), e);
      answer = Answer.error(500, "internal error in the test gateway", false);
    }
    // Recorded before it is sent, so a test that got the answer always finds it in the log.
    gateway.record(new RequestRecord(op, method, shorten(path), answer.status, answer.error, answer.injected,
        gateway.clock().instant()));
    LOG.debug("{} {} -> {}", method, shorten(path), answer.status);
    send(exchange, method, answer);
  }

  static Op route(String path) {
    for (String prefix : PREFIXES) {
      if (path.startsWith(prefix)) {
        Op op = Op.fromSegment(path.substring(prefix.length()));
        if (op != Op.UNKNOWN) {
          return op;
        }
      }
    }
    return Op.UNKNOWN;
  }

  private Answer answer(HttpExchange exchange, Op op, String method) {
    if (op == Op.UNKNOWN) {
      return Answer.error(404, "no such operation", false);
    }
    if (!"POST".equals(method)) {
      exchange.getResponseHeaders().set("Allow", "POST");
      return Answer.error(405, "method not allowed: use POST", false);
    }
    byte[] body = readBody(exchange);
    pause(gateway.faults().latency());
    Faults.Injected fault = gateway.faults().take(op);
    if (fault != null) {
      return fault.kind == Faults.Kind.FAIL
          ? Answer.error(fault.status, "injected fault", true)
          : new Answer(fault.status, "text/html; charset=utf-8", NON_JSON_BODY.getBytes(StandardCharsets.UTF_8),
              null, true);
    }
    Map<String, Object> result = new LinkedHashMap<>(dispatch(op, body, clientAddress(exchange)));
    if (gateway.faults().unknownField()) {
      result.put(Faults.UNKNOWN_FIELD, "added by fault injection");
    }
    return Answer.json(200, result);
  }

  private Map<String, Object> dispatch(Op op, byte[] body, byte[] clientAddress) {
    switch (op) {
      case AUTH:
        return gateway.auth().auth(RequestBody.parse(body, 401), clientAddress);
      case GET_CERT_CHALLENGE:
        return gateway.auth().challenge(RequestBody.parse(body, 400));
      case GET_PKI_CERTIFICATE:
        return gateway.pki().issue(RequestBody.parse(body, gateway.pki().status(PkiFailure.BAD_REQUEST)),
            gateway.auth());
      case CREATE_PKI_CERT_ISSUER:
        return SetupOps.createPkiCertIssuer(RequestBody.parse(body, 400), gateway);
      case AUTH_METHOD_CREATE_CERT:
        return SetupOps.authMethodCreateCert(RequestBody.parse(body, 400), gateway);
      default:
        throw new IllegalStateException("no handler for " + op);
    }
  }

  private static byte[] readBody(HttpExchange exchange) {
    try (InputStream in = exchange.getRequestBody()) {
      byte[] body = in.readNBytes(MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        throw new HttpError(413, "request body is larger than " + MAX_BODY_BYTES + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw new HttpError(400, "cannot read the request body");
    }
  }

  private static byte[] clientAddress(HttpExchange exchange) {
    return exchange.getRemoteAddress().getAddress().getAddress();
  }

  private static void pause(Duration latency) {
    if (latency.isZero()) {
      return;
    }
    try {
      Thread.sleep(latency.toMillis());
    } catch (InterruptedException e) {
      // The gateway is closing: answer at once.
      Thread.currentThread().interrupt();
    }
  }

  private static void send(HttpExchange exchange, String method, Answer answer) {
    try {
      exchange.getResponseHeaders().set("Content-Type", answer.contentType);
      boolean noBody = "HEAD".equals(method) || answer.body.length == 0;
      exchange.sendResponseHeaders(answer.status, noBody ? -1 : answer.body.length);
      if (!noBody) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer.body);
        }
      }
    } catch (IOException e) {
      LOG.debug("client went away before the answer was sent: {}", e.toString());
    } finally {
      exchange.close();
    }
  }

  private static String shorten(String path) {
    return path.length() <= MAX_LOGGED_PATH ? path : path.substring(0, MAX_LOGGED_PATH) + "...";
  }
}
