package io.spiffe4j.workloadapi;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Records what a source's listener receives, for tests to await; also lists the threads sources leave behind. */
final class RecordingListener<T> implements Consumer<T> {
  final BlockingQueue<T> received = new LinkedBlockingQueue<>();

  @Override
  public void accept(T value) {
    received.add(value);
  }

  T next() throws InterruptedException {
    T value = received.poll(RecordingWatcher.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertNotNull(value, "no notification within " + RecordingWatcher.WAIT);
    return value;
  }

  /** Skips notifications until one matches. */
  T nextMatching(Predicate<T> condition) throws InterruptedException {
    while (true) {
      T value = next();
      if (condition.test(value)) {
        return value;
      }
    }
  }

  /** Threads of Workload API clients and of gRPC (not the fake server's {@code fakewapi-*}). */
  static List<String> clientThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(name -> name.startsWith("spiffe4j-") || name.startsWith("grpc-"))
        .collect(Collectors.toList());
  }
}
