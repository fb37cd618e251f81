package io.spiffe4j.testkit.spire;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Unix user and group a workload runs as, which is what SPIRE's {@code unix} workload attestor sees.
 *
 * <p>Every process a test starts has the test JVM's uid, so two workloads of one test can only be told apart by
 * selectors that differ between them. This fixture separates them by uid: an entry with the selector
 * {@link #uidSelector()} matches exactly the processes of that uid. {@link #current()} is the test JVM itself;
 * {@link #of(int, int)} is another uid, and {@link #command(List)} runs a command as that uid through
 * {@code setpriv --reuid=UID --regid=GID --clear-groups}. Changing uid needs root (CI runs as root); the uid needs
 * no account in {@code /etc/passwd}.
 *
 * <p>A process started as another uid keeps one capability, {@code CAP_DAC_READ_SEARCH} (inheritable and
 * ambient), so that it can read and execute what the test JVM can: the SPIRE binaries under {@code ~/.cache}, the
 * JDK, the Maven repository and {@code target/} directories typically sit below {@code /root}, which other uids
 * cannot enter. It cannot write there: give it a directory it owns (see {@link Spire#newWorkloadDirectory}) and
 * start JVMs with {@code -XX:-UsePerfData}. The capability does not change the uid the agent attests.
 *
 * <p>Immutable and thread-safe.
 */
public final class WorkloadUser {
    private static volatile WorkloadUser current;

    private final int uid;
    private final int gid;

    private WorkloadUser(int uid, int gid) {
        this.uid = uid;
        this.gid = gid;
    }

    /** The user and group of this JVM (its effective uid and gid, as the attestor reads them). */
    public static WorkloadUser current() {
        WorkloadUser user = current;
        if (user == null) {
            // Racing threads read the same file and get equal values.
            user = read();
            current = user;
        }
        return user;
    }

    private static WorkloadUser read() {
        try {
            int uid = -1;
            int gid = -1;
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                // "Uid:\treal\teffective\tsaved\tfs": the unix attestor takes the effective id.
                if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.split("\\s+")[2]);
                } else if (line.startsWith("Gid:")) {
                    gid = Integer.parseInt(line.split("\\s+")[2]);
                }
            }
            if (uid < 0 || gid < 0) {
                throw new SpireException("/proc/self/status has no Uid or Gid line: the SPIRE fixtures need Linux");
            }
            return new WorkloadUser(uid, gid);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read this JVM's uid from /proc/self/status (the SPIRE fixtures need Linux)", e);
        }
    }

    /**
     * Another user and group, for a second workload identity.
     *
     * @throws IllegalArgumentException if {@code uid} or {@code gid} is negative
     */
    public static WorkloadUser of(int uid, int gid) {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid and gid must not be negative: uid=" + uid + ", gid=" + gid);
        }
        return new WorkloadUser(uid, gid);
    }

    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** Whether this is the test JVM's own user and group, so commands run without changing identity. */
    public boolean isCurrent() {
        return equals(current());
    }

    /** The selector matching this user's processes, {@code unix:uid:<uid>}. */
    public String uidSelector() {
        return "unix:uid:" + uid;
    }

    /**
     * A process builder running {@code command} as this user: the command itself for {@link #current()}, else
     * wrapped in {@code setpriv} as described in the class documentation. The environment and working directory are
     * inherited.
     *
     * @throws SpireException if the command must change uid and this JVM is not root
     */
    public ProcessBuilder command(List<String> command) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty()) {
            throw new IllegalArgumentException("command must not be empty");
        }
        if (isCurrent()) {
            return new ProcessBuilder(command);
        }
        int self = current().uid;
        if (self != 0) {
            throw new SpireException("running a workload as uid " + uid + " needs root (setpriv changes the uid), but"
                    + " this JVM runs as uid " + self + ". Run the SPIRE tests as root, as CI does.");
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups",
                "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--"));
        wrapped.addAll(command);
        return new ProcessBuilder(wrapped);
    }

    /** See {@link #command(List)}. */
    public ProcessBuilder command(String... command) {
        return command(List.of(command));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkloadUser && ((WorkloadUser) o).uid == uid && ((WorkloadUser) o).gid == gid;
    }

    @Override
    public int hashCode() {
        return 31 * uid + gid;
    }

    @Override
    public String toString() {
        return "uid=" + uid + " gid=" + gid;
    }
}
