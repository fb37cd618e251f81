package io.spiffe4j.certauth.akeyless;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of one operation: {@code POST base/op} with a JSON body, answered by a JSON object or a typed
 * {@link AkeylessException}. Logs the operation, status, duration and attempt at DEBUG, never a body. Thread-safe.
 */
final class Transport implements AutoCloseable {
  static final int MAX_ANSWER_BYTES = 1 << 20;

  private static final Logger LOG = LoggerFactory.getLogger(AkeylessClient.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final GatewayUrl gateway;
  private final Duration requestTimeout;
  private final Clock clock;
  private final ExecutorService executor;
  private final HttpClient http;

  Transport(GatewayUrl gateway, SSLContext sslContext, Duration connectTimeout, Duration requestTimeout,
      Clock clock) {
    this.gateway = gateway;
    this.requestTimeout = requestTimeout;
    this.clock = clock;
    this.executor = Executors.newCachedThreadPool(task -> {
      Thread thread = new Thread(task, "spiffe4j-akeyless-" + THREADS.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    HttpClient.Builder builder = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(connectTimeout)
        .executor(executor);
    if (sslContext != null) {
      builder.sslContext(sslContext);
    }
    this.http = builder.build();
  }

  /**
   * Sends the request once, with a timeout of the request timeout or what is left until {@code deadline},
   * whichever is shorter.
   */
  ObjectNode post(ApiRequest request, Instant deadline, int attempt) {
    String op = request.operation();
    Duration timeout = timeout(op, deadline);
    HttpRequest httpRequest = HttpRequest.newBuilder(gateway.operation(op))
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .header("User-Agent", "spiffe4j")
        .POST(HttpRequest.BodyPublishers.ofByteArray(request.json()))
        .build();
    long started = System.nanoTime();
    HttpResponse<byte[]> response;
    try {
      response = exchange(op, httpRequest, timeout);
    } catch (AkeylessException e) {
      LOG.debug("akeyless {} attempt {}: {} after {} ms", op, attempt, e.kind(), millisSince(started));
      throw e;
    }
    LOG.debug("akeyless {} attempt {}: HTTP {} in {} ms", op, attempt, response.statusCode(), millisSince(started));
    String contentType = response.headers().firstValue("Content-Type").orElse(null);
    return ApiResponses.interpret(op, response.statusCode(), contentType, response.body(), request.secrets());
  }

  private Duration timeout(String op, Instant deadline) {
    Duration left = Duration.between(clock.instant(), deadline);
    if (left.isNegative() || left.isZero()) {
      throw new AkeylessException(Kind.UNAVAILABLE, op, "the call's time budget is used up");
    }
    return left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
  }

  private HttpResponse<byte[]> exchange(String op, HttpRequest request, Duration timeout) {
    CompletableFuture<HttpResponse<byte[]>> future = http.sendAsync(request, info -> new BoundedBody());
    try {
      // The request timeout covers the wait for the headers only; this bound also covers a body that trickles.
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new AkeylessException(Kind.UNAVAILABLE, op, "no answer within " + timeout.toMillis() + " ms", null);
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new AkeylessException(Kind.CLOSED, op, "interrupted while waiting for the gateway", e);
    } catch (ExecutionException e) {
      throw failure(op, e.getCause(), timeout);
    }
  }

  private static AkeylessException failure(String op, Throwable cause, Duration timeout) {
    SSLException tls = find(cause, SSLException.class);
    if (tls != null) {
      return new AkeylessException(Kind.TLS, op, "the TLS handshake with the gateway failed: " + summary(tls), tls);
    }
    if (find(cause, AnswerTooLarge.class) != null) {
      return new AkeylessException(Kind.PROTOCOL, op, "the answer is larger than " + MAX_ANSWER_BYTES + " bytes",
          null);
    }
    if (find(cause, HttpConnectTimeoutException.class) != null) {
      return new AkeylessException(Kind.UNAVAILABLE, op, "could not connect to the gateway in time", cause);
    }
    if (find(cause, HttpTimeoutException.class) != null) {
      return new AkeylessException(Kind.UNAVAILABLE, op, "no answer within " + timeout.toMillis() + " ms", cause);
    }
    if (find(cause, ConnectException.class) != null) {
      return new AkeylessException(Kind.UNAVAILABLE, op, "cannot connect to the gateway", cause);
    }
    if (cause instanceof IOException) {
      return new AkeylessException(Kind.UNAVAILABLE, op, "the connection failed: " + summary(cause), cause);
    }
    return new AkeylessException(Kind.PROTOCOL, op, "the HTTP exchange failed: " + summary(cause), cause);
  }

  private static <T extends Throwable> T find(Throwable throwable, Class<T> type) {
    for (Throwable t = throwable; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** JDK network messages name hosts and causes, never what was sent; still bounded and made printable. */
  private static String summary(Throwable t) {
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return ApiResponses.clean(message, List.of());
  }

  private static long millisSince(long startedNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
  }

  /** Stops the client's threads; on JDK 21 and later also closes its connections. */
  @Override
  public void close() {
    if (http instanceof AutoCloseable) {
      try {
        ((AutoCloseable) http).close();
      } catch (Exception e) {
        LOG.debug("akeyless: closing the HTTP client failed: {}", e.getClass().getSimpleName());
      }
    }
    executor.shutdownNow();
  }

  private static final class AnswerTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    AnswerTooLarge() {
      super("answer too large");
    }
  }

  /** Collects the body, giving up (and closing the connection) once it exceeds {@link #MAX_ANSWER_BYTES}. */
  private static final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    @Override
    public CompletionStage<byte[]> getBody() {
      return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      this.subscription = subscription;
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      for (ByteBuffer buffer : buffers) {
        if (body.isDone()) {
          return;
        }
        if (bytes.size() + buffer.remaining() > MAX_ANSWER_BYTES) {
          subscription.cancel();
          body.completeExceptionally(new AnswerTooLarge());
          return;
        }
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        bytes.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable throwable) {
      body.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
      body.complete(bytes.toByteArray());
    }
  }
}
