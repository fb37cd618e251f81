package io.spiffe4j.examples.demo;

import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.workloadapi.WorkloadApiAddress;
import io.spiffe4j.workloadapi.server.AuthorityIdentityProvider;
import io.spiffe4j.workloadapi.server.WorkloadApiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The demo's SPIRE Agent: it serves each workload the identity the authority issues for it, over the SPIFFE
 * Workload API, on a Unix socket of the workload's own in a private temporary directory.
 *
 * <p>The embedded server does not attest its callers as a SPIRE Agent does: whoever reaches a socket gets that
 * socket's identity. One socket per workload, each reachable only by its owner, stands in for attestation here.
 *
 * <p>Each socket has an {@link AuthorityIdentityProvider}: it issues the workload's X509-SVID when it starts, again at
 * half-life and when the authority activates a new CA, and the server pushes every change to the open watches.
 *
 * <p>Thread-safe. {@link #close()} stops the server (which removes the socket files), then the providers, and deletes
 * the directory; the authority stays open.
 */
final class EmbeddedAgent implements AutoCloseable {
  private final Path directory;
  private final List<AuthorityIdentityProvider> providers;
  private final WorkloadApiServer server;
  private final Map<SpiffeId, WorkloadApiAddress> addresses = new LinkedHashMap<>();

  private EmbeddedAgent(Path directory, List<AuthorityIdentityProvider> providers, WorkloadApiServer server,
      List<SpiffeId> workloads) {
    this.directory = directory;
    this.providers = providers;
    this.server = server;
    for (int i = 0; i < workloads.size(); i++) {
      addresses.put(workloads.get(i), server.endpoints().get(i).address());
    }
  }

  /**
   * Serves each workload's identity, issued by {@code authority}, on a socket named after the last segment of its
   * ID.
   *
   * @throws UncheckedIOException if the directory cannot be made or a socket cannot be bound
   */
  static EmbeddedAgent start(SpiffeAuthority authority, List<SpiffeId> workloads) {
    Path directory = createDirectory();
    List<AuthorityIdentityProvider> providers = new ArrayList<>();
    try {
      WorkloadApiServer.Builder server = WorkloadApiServer.builder();
      for (SpiffeId workload : workloads) {
        AuthorityIdentityProvider provider = AuthorityIdentityProvider.builder(authority).identity(workload).build();
        providers.add(provider);
        server.unix(directory.resolve(socketName(workload)), provider);
      }
      return new EmbeddedAgent(directory, providers, server.start(), workloads);
    } catch (RuntimeException e) {
      providers.forEach(AuthorityIdentityProvider::close);
      deleteDirectory(directory);
      throw e;
    }
  }

  /** The address of the socket that serves {@code workload}'s identity. */
  WorkloadApiAddress address(SpiffeId workload) {
    WorkloadApiAddress address = addresses.get(workload);
    if (address == null) {
      throw new IllegalArgumentException("the agent serves no socket for " + workload);
    }
    return address;
  }

  /** The directory that holds the sockets. */
  Path directory() {
    return directory;
  }

  private static String socketName(SpiffeId workload) {
    String path = workload.path();
    return path.substring(path.lastIndexOf('/') + 1) + ".sock";
  }

  private static Path createDirectory() {
    try {
      // Owner-only (rwx------) on POSIX file systems: other users cannot reach the sockets.
      return Files.createTempDirectory("spiffe4j-demo-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for the Workload API sockets: " + e.getMessage(), e);
    }
  }

  private static void deleteDirectory(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + directory + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    server.close();
    providers.forEach(AuthorityIdentityProvider::close);
    deleteDirectory(directory);
  }
}
