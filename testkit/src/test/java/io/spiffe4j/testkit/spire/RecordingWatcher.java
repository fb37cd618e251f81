package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.spiffe4j.workloadapi.Watcher;
import io.spiffe4j.workloadapi.WorkloadApiException;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records a watch's callbacks in queues for a test to await, each wait bounded. Thread-safe. */
final class RecordingWatcher<T> implements Watcher<T> {
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

    T nextUpdate(Duration wait) {
        return next(updates, wait, "update");
    }

    WorkloadApiException nextError(Duration wait) {
        return next(errors, wait, "error");
    }

    private static <E> E next(BlockingQueue<E> queue, Duration wait, String what) {
        try {
            E element = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(element, "no " + what + " within " + wait);
            return element;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
