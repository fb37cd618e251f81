package io.spiffe4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** An input file could not be read; the CLI exits with code 3. */
final class UnreadableInputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnreadableInputException(Path path, IOException cause) {
    super("cannot read " + path + ": " + describe(cause), cause);
  }

  UnreadableInputException(Path path, String problem) {
    super("cannot use " + path + ": " + problem);
  }

  static String describe(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }

  /** Reads a whole file, turning any I/O failure into this exception. */
  static byte[] read(Path path) {
    try {
      if (Files.isDirectory(path)) {
        throw new java.nio.file.FileSystemException(path.toString(), null, "is a directory");
      }
      return Files.readAllBytes(path);
    } catch (IOException e) {
      throw new UnreadableInputException(path, e);
    }
  }
}
