package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.atomic.AtomicInteger;

/** Fresh directories inside the fixture, each owned by the workload user that writes into it. Thread-safe. */
final class WorkDirs {
    private final Path root;
    private final AtomicInteger count = new AtomicInteger();

    WorkDirs(Path root) {
        this.root = root;
    }

    Path newFor(WorkloadUser user) {
        Path dir = root.resolve(user.uid() + "-" + count.incrementAndGet());
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (!user.isCurrent()) {
                Files.setAttribute(dir, "unix:uid", user.uid());
                Files.setAttribute(dir, "unix:gid", user.gid());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a directory for the workload " + user + " in " + root, e);
        }
    }
}
