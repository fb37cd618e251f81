package io.spiffe4j.cli;

import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.X509Context;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Writes an X.509 context into a directory under the names {@code spire-agent api fetch x509 -write} uses, so
 * scripts written for it keep working: for the i-th SVID, {@code svid.i.pem} (the chain, leaf first),
 * {@code svid.i.key} (PKCS#8 PEM, mode 0600), {@code bundle.i.pem} (the X.509 authorities of the SVID's trust domain)
 * and {@code federated_bundle.i.j.pem} for every other trust domain, in trust domain name order. Public files get
 * mode 0644.
 */
final class SvidFiles {
  private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

  private SvidFiles() {}

  /**
   * Writes the files, creating the directory if needed, and returns their paths in writing order.
   *
   * @throws UnwritableOutputException if a file cannot be written
   */
  static List<Path> write(X509Context context, Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UnwritableOutputException(dir, e);
    }
    List<Path> written = new ArrayList<>();
    for (int i = 0; i < context.svids().size(); i++) {
      X509Svid svid = context.svids().get(i);
      TrustDomain own = svid.id().trustDomain();
      written.add(write(dir.resolve("svid." + i + ".pem"), svid.marshalChainPem(), PUBLIC));
      byte[] key = svid.marshalKeyPem();
      try {
        written.add(write(dir.resolve("svid." + i + ".key"), key, PRIVATE));
      } finally {
        Arrays.fill(key, (byte) 0);
      }
      written.add(write(dir.resolve("bundle." + i + ".pem"), context.x509BundleFor(own).marshalPem(), PUBLIC));
      List<TrustDomain> federated = context.bundles().trustDomains().stream().filter(td -> !td.equals(own))
          .sorted(Comparator.comparing(TrustDomain::name)).collect(Collectors.toList());
      for (int j = 0; j < federated.size(); j++) {
        written.add(write(dir.resolve("federated_bundle." + i + "." + j + ".pem"),
            context.x509BundleFor(federated.get(j)).marshalPem(), PUBLIC));
      }
    }
    return written;
  }

  /**
   * Writes a temporary file created with its final mode, then moves it over {@code file}: a reader never sees half a
   * file, and a key is never readable by others, not even for a moment.
   */
  private static Path write(Path file, byte[] content, Set<PosixFilePermission> mode) {
    Path dir = file.toAbsolutePath().getParent();
    boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    Path temporary = null;
    try {
      temporary = posix
          ? Files.createTempFile(dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(mode))
          : Files.createTempFile(dir, "." + file.getFileName(), ".tmp");
      Files.write(temporary, content);
      if (posix) {
        // The umask may have narrowed a public file's mode at creation.
        Files.setPosixFilePermissions(temporary, mode);
      }
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return file;
    } catch (IOException e) {
      deleteQuietly(temporary);
      throw new UnwritableOutputException(file, e);
    }
  }

  private static void deleteQuietly(Path temporary) {
    if (temporary == null) {
      return;
    }
    try {
      Files.deleteIfExists(temporary);
    } catch (IOException ignored) {
      // The write failed already; that is the error to report.
    }
  }
}
