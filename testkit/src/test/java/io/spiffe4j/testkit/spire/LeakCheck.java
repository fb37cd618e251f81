package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Proves that closing Workload API clients and sources leaves nothing behind: take a {@link #before()} picture, use
 * and close them, then {@link #assertNothingLeft()} waits (bounded) until no thread or socket beyond the picture
 * remains. Threads end and descriptors close asynchronously after {@code close()}, hence the wait.
 */
final class LeakCheck {
    private static final Duration SETTLE = Duration.ofSeconds(10);

    private final Set<Thread> threadsBefore;
    private final long socketsBefore;

    private LeakCheck(Set<Thread> threadsBefore, long socketsBefore) {
        this.threadsBefore = threadsBefore;
        this.socketsBefore = socketsBefore;
    }

    static LeakCheck before() {
        return new LeakCheck(clientThreads(), openSockets());
    }

    /** True once a client or source started threads beyond the picture: proof the check can fail. */
    boolean clientThreadsStarted() {
        return !threadsBefore.containsAll(clientThreads());
    }

    void assertNothingLeft() {
        awaitTrue(() -> clientThreads().stream().allMatch(threadsBefore::contains),
                () -> "threads left after close: " + clientThreads().stream().filter(t -> !threadsBefore.contains(t))
                        .map(Thread::getName).collect(Collectors.toList()));
        awaitTrue(() -> openSockets() <= socketsBefore,
                () -> "sockets open after close: " + openSockets() + ", before the client: " + socketsBefore);
    }

    /** Live threads of our client and of gRPC. */
    private static Set<Thread> clientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("spiffe4j-") || t.getName().startsWith("grpc-"))
                .collect(Collectors.toSet());
    }

    /** This JVM's open socket descriptors (Unix and TCP alike). */
    private static long openSockets() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.filter(fd -> {
                try {
                    return Files.readSymbolicLink(fd).toString().startsWith("socket:");
                } catch (IOException closedMeanwhile) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Polls {@code condition} until it holds, for at most {@code bound}. */
    static void awaitTrue(Duration bound, Supplier<Boolean> condition, Supplier<String> failure) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (!condition.get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(failure.get());
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static void awaitTrue(Supplier<Boolean> condition, Supplier<String> failure) {
        awaitTrue(SETTLE, condition, failure);
    }
}
