package io.spiffe4j.testkit.spire;

import io.spiffe4j.svid.x509.X509Svid;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code spire-agent api fetch x509 -write DIR} did for one workload: the command's result and, when it
 * succeeded, the files it wrote for the first SVID ({@code svid.0.pem}: leaf then intermediates,
 * {@code svid.0.key}: PKCS#8, {@code bundle.0.pem}: the trust domain's X.509 authorities). Immutable and
 * thread-safe; the files live until the fixture closes.
 */
public final class X509FetchResult {
    private final CommandResult result;
    private final Path directory;

    X509FetchResult(CommandResult result, Path directory) {
        this.result = result;
        this.directory = directory;
    }

    /** Whether the agent issued an X509-SVID and the files were written. */
    public boolean succeeded() {
        return result.succeeded();
    }

    /**
     * Whether the agent refused because no entry matches the caller: the Workload API's PERMISSION_DENIED, which
     * the CLI prints as {@code code = PermissionDenied} and exits with 1.
     */
    public boolean permissionDenied() {
        return !result.succeeded() && result.output().contains("code = PermissionDenied");
    }

    /** The CLI run: command line, exit code and output. */
    public CommandResult command() {
        return result;
    }

    /** The directory the files were written into. */
    public Path directory() {
        return directory;
    }

    /** {@code svid.0.pem}: the X509-SVID's chain, leaf first. */
    public String svidPem() {
        return read("svid.0.pem");
    }

    /** {@code svid.0.key}: the SVID's private key (PKCS#8 PEM). Never print it. */
    public String keyPem() {
        return read("svid.0.key");
    }

    /** {@code bundle.0.pem}: the X.509 authorities of the SVID's trust domain. */
    public String bundlePem() {
        return read("bundle.0.pem");
    }

    /**
     * The written SVID parsed by spiffe-core.
     *
     * @throws SpireException if the fetch failed
     * @throws io.spiffe4j.svid.x509.X509SvidException if the files do not hold a valid X509-SVID
     */
    public X509Svid x509Svid() {
        return X509Svid.parse(svidPem(), keyPem());
    }

    @Override
    public String toString() {
        return result.toString();
    }

    private String read(String name) {
        if (!result.succeeded()) {
            throw new SpireException("the fetch wrote no " + name + ": " + result);
        }
        try {
            return Files.readString(directory.resolve(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + directory.resolve(name) + " although " + result, e);
        }
    }
}
