package io.spiffe4j.workloadapi;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one server stream of the Workload API open for a {@link Watcher}: every valid message becomes an update;
 * an invalid one is reported and discarded (WAPI-06); when the stream ends, cleanly (WAPI-03) or with a retryable
 * code, it reopens after a jittered backoff, on the no-identity curve for {@code PERMISSION_DENIED} (WEP-13); a
 * non-retryable code stops it (WEP-14). The backoff restarts after each valid message.
 */
final class StreamWatch<Q, R, T> implements Watch {
  private static final Logger LOG = LoggerFactory.getLogger(StreamWatch.class);

  private final WorkloadApiClient client;
  private final MethodDescriptor<Q, R> method;
  private final Q request;
  private final Function<R, T> mapper;
  private final Watcher<T> watcher;
  private final SerialExecutor callbacks;
  private final String operation;

  private final Object lock = new Object();
  private boolean active = true;
  private ClientCall<Q, R> current;
  private boolean starting;
  private ScheduledFuture<?> pendingRetry;
  private int retries;
  private int noIdentityRetries;

  StreamWatch(WorkloadApiClient client, MethodDescriptor<Q, R> method, Q request, Function<R, T> mapper,
      Watcher<T> watcher) {
    this.client = client;
    this.method = method;
    this.request = request;
    this.mapper = mapper;
    this.watcher = watcher;
    this.callbacks = new SerialExecutor(client.transport().executor());
    this.operation = "watch " + method.getBareMethodName() + " at " + client.address();
  }

  void connect() {
    ClientCall<Q, R> call = client.transport().channel().newCall(method, CallOptions.DEFAULT);
    synchronized (lock) {
      if (!active) {
        return;
      }
      pendingRetry = null;
      current = call;
      starting = true;
    }
    // Started outside the lock so that gRPC never calls back into a listener while this thread holds it.
    call.start(new Listener(call), new Metadata());
    call.sendMessage(request);
    call.halfClose();
    call.request(1);
    synchronized (lock) {
      starting = false;
      if (!active) {
        call.cancel("watch closed", null);
      }
    }
  }

  @Override
  public void close() {
    stop(null);
  }

  /** Stops the watch; with a non-null error the watcher is told through {@link Watcher#onStopped}. */
  void stop(WorkloadApiException error) {
    ClientCall<Q, R> call;
    synchronized (lock) {
      if (!active) {
        return;
      }
      active = false;
      call = starting ? null : current;
      current = null;
      if (pendingRetry != null) {
        pendingRetry.cancel(false);
        pendingRetry = null;
      }
    }
    if (call != null) {
      call.cancel("watch closed", null);
    }
    client.forget(this);
    if (error != null) {
      callbacks.execute(() -> watcher.onStopped(error));
    }
  }

  @Override
  public boolean isActive() {
    synchronized (lock) {
      return active;
    }
  }

  private boolean isCurrent(ClientCall<Q, R> call) {
    synchronized (lock) {
      return active && current == call;
    }
  }

  private void deliver(Runnable callback) {
    callbacks.execute(() -> {
      if (isActive()) {
        callback.run();
      }
    });
  }

  private void onMessage(ClientCall<Q, R> call, R message) {
    T update;
    try {
      update = mapper.apply(message);
    } catch (WorkloadApiException e) {
      LOG.warn("{}: discarding an invalid message (WAPI-06): {}", operation, e.getMessage());
      deliver(() -> watcher.onError(e));
      call.request(1);
      return;
    }
    synchronized (lock) {
      if (!active || current != call) {
        return;
      }
      retries = 0;
      noIdentityRetries = 0;
    }
    LOG.debug("{}: update received", operation);
    deliver(() -> watcher.onUpdate(update));
    call.request(1);
  }

  private void onClose(ClientCall<Q, R> call, Status status) {
    if (!isCurrent(call)) {
      return;
    }
    WorkloadApiException error = status.isOk()
        ? new WorkloadApiException(Kind.UNAVAILABLE, "OK", operation + ": the endpoint ended the stream", "WAPI-03",
            null)
        : GrpcErrors.fromStatus(status, operation, client.isClosed());
    if (!error.isRetryable()) {
      LOG.warn("{}: stopped: {}", operation, error.getMessage());
      stop(error);
      return;
    }
    Duration delay;
    synchronized (lock) {
      if (!active || current != call) {
        return;
      }
      current = null;
      delay = error.kind() == Kind.NO_IDENTITY
          ? client.noIdentityBackoff().delay(++noIdentityRetries, ThreadLocalRandom.current().nextDouble())
          : client.backoff().delay(++retries, ThreadLocalRandom.current().nextDouble());
    }
    if (status.isOk()) {
      LOG.debug("{}: stream ended by the endpoint; reconnecting in {} ms", operation, delay.toMillis());
    } else {
      LOG.warn("{}: {}; retrying in {} ms", operation, error.getMessage(), delay.toMillis());
    }
    // Queued before the retry is scheduled, so the watcher sees the error before any update of the next stream.
    deliver(() -> watcher.onError(error));
    synchronized (lock) {
      if (active) {
        pendingRetry = client.transport().scheduler().schedule(this::connect, delay.toNanos(), TimeUnit.NANOSECONDS);
      }
    }
  }

  private final class Listener extends ClientCall.Listener<R> {
    private final ClientCall<Q, R> call;

    Listener(ClientCall<Q, R> call) {
      this.call = call;
    }

    @Override
    public void onMessage(R message) {
      StreamWatch.this.onMessage(call, message);
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      StreamWatch.this.onClose(call, status);
    }
  }
}
