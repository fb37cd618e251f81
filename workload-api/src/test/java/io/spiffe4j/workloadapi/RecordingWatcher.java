package io.spiffe4j.workloadapi;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records a watch's callbacks in queues, and the threads they ran on, for tests to await. */
final class RecordingWatcher<T> implements Watcher<T> {
  static final Duration WAIT = Duration.ofSeconds(10);

  final BlockingQueue<T> updates = new LinkedBlockingQueue<>();
  final BlockingQueue<WorkloadApiException> errors = new LinkedBlockingQueue<>();
  final BlockingQueue<WorkloadApiException> stops = new LinkedBlockingQueue<>();
  final BlockingQueue<Thread> threads = new LinkedBlockingQueue<>();

  @Override
  public void onUpdate(T update) {
    threads.add(Thread.currentThread());
    updates.add(update);
  }

  @Override
  public void onError(WorkloadApiException error) {
    threads.add(Thread.currentThread());
    errors.add(error);
  }

  @Override
  public void onStopped(WorkloadApiException error) {
    threads.add(Thread.currentThread());
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
}
