package io.spiffe4j.workloadapi.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The socket files of Unix endpoints: cleared before binding, restricted after, removed at the end if still ours. */
final class SocketFiles {
  private static final Logger LOG = LoggerFactory.getLogger(SocketFiles.class);

  private SocketFiles() {
  }

  /**
   * Makes way for a new socket at {@code path}: a stale socket left by a process that died is removed, but a socket
   * something still listens on, or any other kind of file, is left alone and refused.
   */
  static void clear(Path path) throws IOException {
    BasicFileAttributes attributes;
    try {
      attributes = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (!attributes.isOther()) {
      throw new FileAlreadyExistsException(path.toString(), null, "exists and is not a socket");
    }
    if (isListening(path)) {
      throw new FileAlreadyExistsException(path.toString(), null, "another server is listening on this socket");
    }
    Files.delete(path);
  }

  private static boolean isListening(Path path) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      return channel.connect(UnixDomainSocketAddress.of(path));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Sets the permissions of the new socket (connecting needs write permission) and returns its identity, so that
   * {@link #deleteIfSame} never removes a socket another server bound at the same path later.
   */
  static Object restrict(Path path, Set<PosixFilePermission> permissions) throws IOException {
    try {
      Files.setPosixFilePermissions(path, permissions);
    } catch (UnsupportedOperationException e) {
      LOG.debug("the file system of {} has no POSIX permissions; leaving them as created", path);
    }
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }

  /** Removes the socket if it is still the one {@link #restrict} saw. Netty normally removed it already. */
  static void deleteIfSame(Path path, Object fileKey) {
    try {
      Object current = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
      if (fileKey != null && Objects.equals(fileKey, current)) {
        Files.delete(path);
      }
    } catch (NoSuchFileException e) {
      // Already gone.
    } catch (IOException e) {
      LOG.warn("could not remove the Workload API socket {}: {}", path, e.getMessage());
    }
  }
}
