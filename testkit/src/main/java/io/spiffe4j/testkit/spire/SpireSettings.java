package io.spiffe4j.testkit.spire;

import io.spiffe4j.id.TrustDomain;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A snapshot of {@link Spire.Builder}, validated there. {@code logDirectory} is null when logs go with the fixture. */
record SpireSettings(
        TrustDomain trustDomain,
        Duration defaultX509SvidTtl,
        Duration defaultJwtSvidTtl,
        Duration caTtl,
        Duration agentSvidTtl,
        Duration syncInterval,
        String logLevel,
        List<String> serverPluginStanzas,
        Duration startTimeout,
        Duration entryTimeout,
        Path logDirectory,
        SpireInstallation installation) {

    SpireSettings {
        serverPluginStanzas = List.copyOf(serverPluginStanzas);
    }

    /** An HCL string literal. */
    static String quote(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** A Go duration in whole seconds, as SPIRE's configuration takes it. */
    static String seconds(Duration duration) {
        return quote(duration.toSeconds() + "s");
    }
}
