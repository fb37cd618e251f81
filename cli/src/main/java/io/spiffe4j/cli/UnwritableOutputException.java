package io.spiffe4j.cli;

import java.io.IOException;
import java.nio.file.Path;

/** An output file could not be written; the CLI exits with code 3, as for an unreadable input. */
final class UnwritableOutputException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UnwritableOutputException(Path path, IOException cause) {
    super("cannot write " + path + ": " + UnreadableInputException.describe(cause), cause);
  }
}
