package io.spiffe4j.workloadapi.server;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.Watcher;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Records a client watch's callbacks for tests to await; and the waiting helpers of this package's tests. */
final class Recorder<T> implements Watcher<T> {
  static final Duration WAIT = Duration.ofSeconds(10);

  final BlockingQueue<T> updates = new LinkedBlockingQueue<>();
  final BlockingQueue<WorkloadApiException> errors = new LinkedBlockingQueue<>();
  final BlockingQueue<WorkloadApiException> stops = new LinkedBlockingQueue<>();

  @Override
  public void onUpdate(T update) {
    updates.add(update);
  }

  @Override
  public void onError(WorkloadApiException error) {
    errors.add(error);
  }

  @Override
  public void onStopped(WorkloadApiException error) {
    stops.add(error);
  }

  T nextUpdate() {
    return next(updates, "update");
  }

  WorkloadApiException nextError() {
    return next(errors, "error");
  }

  WorkloadApiException nextStop() {
    return next(stops, "stop");
  }

  private static <E> E next(BlockingQueue<E> queue, String what) {
    try {
      E element = queue.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertNotNull(element, "no " + what + " within " + WAIT);
      return element;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      Thread.sleep(10);
    }
  }
}
