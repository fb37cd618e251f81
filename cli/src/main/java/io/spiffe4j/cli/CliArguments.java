package io.spiffe4j.cli;

import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.TrustDomain;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** Turns bad option values into usage errors (exit code 2) that say which option was wrong. */
final class CliArguments {
  private CliArguments() {}

  /** {@code --trust-domain}, or null when not given. */
  static TrustDomain trustDomain(CommandSpec spec, String value) {
    if (value == null) {
      return null;
    }
    try {
      return TrustDomain.parse(value);
    } catch (InvalidSpiffeIdException e) {
      throw new ParameterException(spec.commandLine(), "--trust-domain: " + e.getMessage());
    }
  }

  /** Runs a build step whose IllegalArgument/IllegalState failures come from option values. */
  static <T> T orUsageError(CommandSpec spec, Supplier<T> build) {
    try {
      return build.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }
}
