package io.spiffe4j.workloadapi;

import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the live sources share. It keeps the source's state, an immutable value of type {@code S}, in one volatile
 * field: each update of one of the source's watches folds into a new state that replaces the old one wholesale
 * (WAPI-04/05), so a reader sees one update or the next, never a mix. Updates of several watches are folded one at a
 * time under a lock; readers take no lock.
 *
 * <p>It also waits for the first usable state, keeps the health figures, notifies listeners (each on its own
 * executor, in order, a throwing one logged and skipped), and on close stops the watches and the client if the
 * source created it.
 *
 * @param <S> the source's state
 * @param <L> what listeners receive, derived from the state
 */
final class SourceSupport<S, L> {
  private static final Logger LOG = LoggerFactory.getLogger(SourceSupport.class);

  private final String name;
  private final WorkloadApiClient client;
  private final boolean ownsClient;
  private final Clock clock;
  private final Function<S, String> problem;
  private final Function<S, L> published;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final Object lock = new Object();
  private volatile S state;
  private volatile boolean closed;

  // Guarded by lock.
  private final List<WatchState<?>> streams = new ArrayList<>();
  private final List<Listener> listeners = new ArrayList<>();
  private boolean awaiting;
  private Instant lastUpdate;
  private WorkloadApiException lastError;

  /**
   * Opens or takes the client; no watch yet.
   *
   * @param kind the source's type name, for messages
   * @param initial the state before any update
   * @param problem why a state cannot be served, or null if it can
   * @param published what listeners get of a state
   */
  SourceSupport(String kind, SourceOptions options, S initial, Function<S, String> problem, Function<S, L> published) {
    this.client = options.openClient();
    this.ownsClient = options.ownsClient();
    this.name = kind + " at " + client.address();
    this.clock = options.clock();
    this.problem = problem;
    this.published = published;
    this.state = initial;
  }

  /**
   * Starts a watch whose updates fold into the state. Readiness is judged only once {@link #awaitReady} runs, after
   * every watch of the source is started, so a source with two watches never starts on the first one's update.
   */
  <T> void watch(String method, BiFunction<WorkloadApiClient, Watcher<T>, Watch> start, BiFunction<S, T, S> fold) {
    WatchState<T> stream = new WatchState<>(method, fold);
    synchronized (lock) {
      streams.add(stream);
    }
    try {
      Watch watch = start.apply(client, stream);
      synchronized (lock) {
        stream.watch = watch;
      }
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /**
   * Blocks until the state can be served, for at most {@code timeout}; on failure the source is closed.
   *
   * @throws SourceException of kind {@code INIT_TIMEOUT}, {@code STOPPED} or {@code CLOSED}
   */
  void awaitReady(Duration timeout) {
    synchronized (lock) {
      awaiting = true;
      completeIfReady();
    }
    try {
      ready.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      SourceException failure = initTimeout(timeout);
      close();
      throw failure;
    } catch (ExecutionException e) {
      close();
      throw (SourceException) e.getCause();
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new SourceException(SourceException.Kind.CLOSED, name + ": interrupted while waiting for the first update",
          null);
    }
  }

  /** The current state, read without a lock. */
  S state() {
    checkOpen();
    return state;
  }

  void checkOpen() {
    if (closed) {
      throw closedException();
    }
  }

  Clock clock() {
    return clock;
  }

  /** The client the source watches with: shared, or its own. */
  WorkloadApiClient client() {
    return client;
  }

  String name() {
    return name;
  }

  void addListener(Consumer<? super L> consumer, Executor executor) {
    Listener listener = new Listener(Objects.requireNonNull(consumer, "listener"),
        new SerialExecutor(Objects.requireNonNull(executor, "executor")));
    synchronized (lock) {
      checkOpen();
      listeners.add(listener);
      // Queued under the lock, so it comes before any later update.
      listener.notify(published.apply(state));
    }
  }

  boolean removeListener(Consumer<?> consumer) {
    synchronized (lock) {
      for (Iterator<Listener> it = listeners.iterator(); it.hasNext(); ) {
        Listener listener = it.next();
        if (listener.consumer == consumer) {
          listener.removed = true;
          it.remove();
          return true;
        }
      }
      return false;
    }
  }

  /** The health figures; {@code svidExpiry} gives the served SVID's notAfter of a state, or null. */
  SourceHealth health(Function<S, Instant> svidExpiry) {
    synchronized (lock) {
      boolean connected = !closed && streams.stream().allMatch(s -> s.connected);
      boolean serving = !closed && problem() == null;
      return new SourceHealth(clock.instant(), lastUpdate, svidExpiry.apply(state), connected, lastError, serving,
          closed);
    }
  }

  /** Stops the watches, then the client if the source created it. Idempotent. */
  void close() {
    List<Watch> watches = new ArrayList<>();
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      listeners.forEach(listener -> listener.removed = true);
      listeners.clear();
      for (WatchState<?> stream : streams) {
        stream.connected = false;
        if (stream.watch != null) {
          watches.add(stream.watch);
        }
      }
    }
    watches.forEach(Watch::close);
    ready.completeExceptionally(closedException());
    if (ownsClient) {
      client.close();
    }
    LOG.debug("{}: closed", name);
  }

  private SourceException closedException() {
    return new SourceException(SourceException.Kind.CLOSED, name + " is closed", null);
  }

  private <T> void onUpdate(WatchState<T> stream, T update) {
    String unservable;
    synchronized (lock) {
      if (closed) {
        return;
      }
      S next = stream.fold.apply(state, update);
      state = next;
      stream.updated = true;
      stream.connected = true;
      lastUpdate = clock.instant();
      L value = published.apply(next);
      for (Listener listener : listeners) {
        listener.notify(value);
      }
      completeIfReady();
      unservable = ready.isDone() ? problem() : null;
    }
    if (unservable != null) {
      LOG.error("{}: cannot serve after an update of {}: {}", name, stream.method, unservable);
    } else {
      LOG.debug("{}: update from {}", name, stream.method);
    }
  }

  private void onError(WatchState<?> stream, WorkloadApiException error) {
    synchronized (lock) {
      stream.connected = false;
      stream.lastError = error;
      lastError = error;
    }
  }

  private void onStopped(WatchState<?> stream, WorkloadApiException error) {
    onError(stream, error);
    SourceException stopped = new SourceException(SourceException.Kind.STOPPED,
        name + ": " + stream.method + " stopped for good: " + error.reason(), error.rule().orElse(null), error);
    if (!ready.completeExceptionally(stopped)) {
      LOG.error("{}: {} stopped for good; the source keeps its last state but gets no more updates: {}", name,
          stream.method, error.getMessage());
    }
  }

  /** Caller holds the lock. */
  private void completeIfReady() {
    if (awaiting && !ready.isDone() && problem() == null) {
      ready.complete(null);
    }
  }

  /** Why the source cannot serve now, or null: a watch without an update yet, or the state's own problem. */
  private String problem() {
    for (WatchState<?> stream : streams) {
      if (!stream.updated) {
        return stream.method + ": " + nothingYet(stream.lastError);
      }
    }
    return problem.apply(state);
  }

  private static String nothingYet(WorkloadApiException error) {
    if (error == null) {
      return "the endpoint has sent nothing yet";
    }
    if (error.kind() == Kind.NO_IDENTITY) {
      return "no identity issued yet: the endpoint answers PERMISSION_DENIED; is this workload registered?";
    }
    return error.getMessage();
  }

  private SourceException initTimeout(Duration timeout) {
    synchronized (lock) {
      WorkloadApiException cause = null;
      for (WatchState<?> stream : streams) {
        if (!stream.updated) {
          cause = stream.lastError;
          break;
        }
      }
      String rule = cause != null && cause.kind() == Kind.NO_IDENTITY ? "WEP-13" : null;
      return new SourceException(SourceException.Kind.INIT_TIMEOUT,
          name + ": no usable update within " + timeout + ": " + problem(), rule, cause);
    }
  }

  /** One watch of the source; its health fields are guarded by the source's lock. */
  private final class WatchState<T> implements Watcher<T> {
    final String method;
    final BiFunction<S, T, S> fold;
    Watch watch;
    boolean updated;
    boolean connected;
    WorkloadApiException lastError;

    WatchState(String method, BiFunction<S, T, S> fold) {
      this.method = method;
      this.fold = fold;
    }

    @Override
    public void onUpdate(T update) {
      SourceSupport.this.onUpdate(this, update);
    }

    @Override
    public void onError(WorkloadApiException error) {
      SourceSupport.this.onError(this, error);
    }

    @Override
    public void onStopped(WorkloadApiException error) {
      SourceSupport.this.onStopped(this, error);
    }
  }

  /** A listener with its own serial lane on its executor, so its notifications keep their order. */
  private final class Listener {
    final Consumer<? super L> consumer;
    final SerialExecutor executor;
    volatile boolean removed;

    Listener(Consumer<? super L> consumer, SerialExecutor executor) {
      this.consumer = consumer;
      this.executor = executor;
    }

    void notify(L value) {
      executor.execute(() -> {
        if (removed) {
          return;
        }
        try {
          consumer.accept(value);
        } catch (RuntimeException e) {
          LOG.warn("{}: a listener failed; the source and its other listeners go on", name, e);
        }
      });
    }
  }
}
