package io.spiffe4j.certauth;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads key and certificate files, naming the path (never the content) when that fails. */
final class InputFiles {
  /** Far above any key or certificate chain; a larger file is a mistake (a log, a disk image), not a key. */
  static final int MAX_BYTES = 1 << 20;

  private InputFiles() {}

  /**
   * The whole file.
   *
   * @param what what the file should hold, for the message ("key file", "certificate file")
   * @throws CertAuthException of kind {@code UNREADABLE_FILE} if it is missing, a directory, too large or unreadable
   */
  static byte[] read(Path path, String what) {
    try {
      if (Files.isDirectory(path)) {
        throw unreadable(path, what, "is a directory");
      }
      if (Files.size(path) > MAX_BYTES) {
        throw unreadable(path, what, "is larger than " + MAX_BYTES + " bytes");
      }
      return Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw unreadable(path, what, "no such file");
    } catch (AccessDeniedException e) {
      throw unreadable(path, what, "permission denied");
    } catch (IOException e) {
      throw new CertAuthException(CertAuthException.Kind.UNREADABLE_FILE,
          "cannot read " + what + " " + path + ": " + e.getClass().getSimpleName(), e);
    }
  }

  private static CertAuthException unreadable(Path path, String what, String problem) {
    return new CertAuthException(CertAuthException.Kind.UNREADABLE_FILE,
        "cannot read " + what + " " + path + ": " + problem);
  }
}
