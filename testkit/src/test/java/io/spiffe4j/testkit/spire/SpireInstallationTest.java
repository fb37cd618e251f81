package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Missing or wrong SPIRE binaries fail with what is missing and how to install it; nothing is skipped. */
class SpireInstallationTest {
    @TempDir
    Path tmp;

    @Test
    void locate_spireBinDirWithoutBinaries_namesThemAndTheInstallCommand() {
        Map<String, String> env = Map.of("SPIRE_BIN_DIR", tmp.toString());

        SpireException e = assertThrows(SpireException.class, () -> SpireInstallation.locate(env, tmp, tmp));

        assertTrue(e.getMessage().contains("SPIRE_BIN_DIR=" + tmp), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("spire-server") + " is missing"), e.getMessage());
        assertTrue(e.getMessage().contains(tmp.resolve("spire-agent") + " is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("scripts/install-spire.sh"), e.getMessage());
    }

    @Test
    void locate_emptyCacheOutsideACheckout_namesTheCacheAndTheInstallCommand() throws IOException {
        Path cache = tmp.resolve("cache");
        Path elsewhere = Files.createDirectories(tmp.resolve("not-a-checkout"));

        SpireException e = assertThrows(SpireException.class,
                () -> SpireInstallation.locate(Map.of("SPIFFE4J_CACHE", cache.toString()), elsewhere, tmp));

        assertTrue(e.getMessage().contains(cache.resolve("spire-v1.13.3/bin/spire-server") + " is missing"), e.getMessage());
        assertTrue(e.getMessage().contains("not inside a spiffe4j checkout"), e.getMessage());
        assertTrue(e.getMessage().contains("scripts/install-spire.sh"), e.getMessage());
    }

    @Test
    void in_otherSpireVersion_isRefused() throws IOException {
        fakeBinary("spire-server", "echo 1.12.0");
        fakeBinary("spire-agent", "echo 1.12.0");

        SpireException e = assertThrows(SpireException.class, () -> SpireInstallation.in(tmp));

        assertTrue(e.getMessage().contains("reported \"1.12.0\""), e.getMessage());
        assertTrue(e.getMessage().contains("exactly SPIRE 1.13.3"), e.getMessage());
    }

    private void fakeBinary(String name, String script) throws IOException {
        Path binary = tmp.resolve(name);
        Files.writeString(binary, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
