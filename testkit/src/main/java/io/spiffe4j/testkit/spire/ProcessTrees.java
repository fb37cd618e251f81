package io.spiffe4j.testkit.spire;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * Ends a process together with everything it started (SPIRE runs external plugins as children). Descendants are
 * listed before the parent dies, because once it is gone they are reparented and can no longer be found from it.
 */
final class ProcessTrees {
    private ProcessTrees() {}

    /** SIGTERM to the process, up to {@code grace} for it to exit, then SIGKILL to whatever of the tree is left. */
    static void terminate(Process process, Duration grace) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        process.destroy();
        awaitExit(process.toHandle(), grace);
        // SPIRE stops its plugins itself on SIGTERM; give them the same grace before forcing them.
        for (ProcessHandle child : descendants) {
            awaitExit(child, grace);
        }
        killAll(process.toHandle(), descendants);
    }

    /** SIGKILL to the process and all its descendants at once, then waits for the process to be gone. */
    static void kill(Process process) {
        if (process == null) {
            return;
        }
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        killAll(process.toHandle(), descendants);
    }

    private static void killAll(ProcessHandle parent, List<ProcessHandle> descendants) {
        parent.destroyForcibly();
        descendants.forEach(ProcessHandle::destroyForcibly);
        awaitExit(parent, Duration.ofSeconds(10));
        descendants.forEach(child -> awaitExit(child, Duration.ofSeconds(10)));
    }

    private static void awaitExit(ProcessHandle handle, Duration timeout) {
        CompletableFuture<ProcessHandle> exit = handle.onExit();
        try {
            exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // The caller escalates or reports; a process that ignores SIGKILL is reported by its liveness check.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
