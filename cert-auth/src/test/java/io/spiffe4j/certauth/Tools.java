package io.spiffe4j.certauth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code openssl} and {@code ssh-keygen}, the independent producers and checkers of key files and signatures.
 * A missing tool fails the test with a message saying so: these tests never skip.
 */
final class Tools {
  private Tools() {}

  /** Runs {@code command} in {@code dir} and returns its standard output; fails unless it exits 0. */
  static String run(Path dir, String... command) {
    Result result = runAllowingFailure(dir, command);
    if (result.exitCode != 0) {
      throw new AssertionError(String.join(" ", command) + " exited " + result.exitCode + ": " + result.err);
    }
    return result.out;
  }

  static Result runAllowingFailure(Path dir, String... command) {
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).start();
    } catch (IOException e) {
      throw new AssertionError(command[0] + " is required by this test but cannot be run (" + e.getMessage()
          + "); install it (Debian: apt-get install openssl openssh-client) and put it on PATH", e);
    }
    try {
      process.getOutputStream().close();
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(120, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish within 120 s");
      }
      return new Result(process.exitValue(), new String(out, StandardCharsets.UTF_8),
          new String(err.join(), StandardCharsets.UTF_8));
    } catch (IOException | InterruptedException e) {
      throw new AssertionError("running " + List.of(command) + " failed", e);
    }
  }

  private static byte[] readAll(java.io.InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }

  static final class Result {
    final int exitCode;
    final String out;
    final String err;

    Result(int exitCode, String out, String err) {
      this.exitCode = exitCode;
      this.out = out;
      this.err = err;
    }
  }
}
