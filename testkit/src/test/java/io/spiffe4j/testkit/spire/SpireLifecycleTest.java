package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fixture without JUnit's help: what it starts, and that close() leaves nothing behind. */
@Tag("spire")
class SpireLifecycleTest {

    @Test
    void close_endsEveryProcessAndDeletesTheDirectory() {
        Spire spire = Spire.builder().start();
        Path dir = spire.directory();
        List<Long> running = processesMentioning(dir);
        assertTrue(running.contains(spire.server().pid()), "server " + spire.server().pid() + " not in " + running);
        assertTrue(running.contains(spire.agent().pid()), "agent " + spire.agent().pid() + " not in " + running);
        assertTrue(spire.workloadSocket().toString().length() < 100, spire.workloadSocket().toString());
        assertEquals("unix://" + spire.workloadSocket(), spire.workloadSocketAddress());
        assertTrue(Files.exists(spire.workloadSocket()));

        spire.close();

        assertEquals(List.of(), processesMentioning(dir));
        assertFalse(Files.exists(dir), dir + " still exists");
        spire.close();
        assertThrows(IllegalStateException.class,
                () -> spire.createEntry(SpiffeId.parse("spiffe://example.org/late"), "unix:uid:0"));
    }

    @Test
    void start_serverRefusesItsPlugins_failsWithTheServerLog() {
        // An upstream authority stanza naming a plugin that does not exist: the server must refuse to start, and the
        // failure must say so with the server's own words.
        SpireException e = assertThrows(SpireException.class, () -> Spire.builder()
                .serverPlugin("UpstreamAuthority \"nonexistent\" {\n  plugin_data {}\n}")
                .start());

        assertTrue(e.getMessage().contains("spire-server exited with code"), e.getMessage());
        assertTrue(e.getMessage().contains("--- spire-server log"), e.getMessage());
        assertTrue(e.getMessage().contains("nonexistent"), e.getMessage());
    }

    /** The processes whose command line names {@code dir}: every SPIRE process of a fixture does. */
    static List<Long> processesMentioning(Path dir) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .filter(p -> commandLine(p).contains(dir.toString()))
                    .map(p -> Long.parseLong(p.getFileName().toString()))
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError("cannot list /proc", e);
        }
    }

    private static String commandLine(Path proc) {
        try {
            return new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }
}
