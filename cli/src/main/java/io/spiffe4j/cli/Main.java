package io.spiffe4j.cli;

import io.spiffe4j.certauth.CertAuthException;
import io.spiffe4j.certauth.akeyless.AkeylessException;
import io.spiffe4j.workloadapi.WorkloadApiException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spiffe4j} command. Exit codes: 0 every input valid, 1 any input invalid (including a key that cannot be
 * used or decrypted), 2 usage error (including a missing or malformed Workload API address), 3 a file could not be
 * read or written, 4 the Workload API failed: the endpoint is unavailable, has no identity for this process, refused
 * the call or broke the standard; or Akeyless failed: the gateway is unreachable or untrusted, refused the
 * credentials or the request, or its answer was not the Akeyless API.
 */
@Command(
    name = "spiffe4j",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Parse, verify and inspect SPIFFE IDs, X509-SVIDs, JWT-SVIDs and bundles; fetch and watch them"
        + " from the Workload API.",
    subcommands = {IdCommand.class, X509Command.class, JwtCommand.class, BundleCommand.class,
        FetchCommand.class, WatchCommand.class, AkeylessCommand.class,
        CommandLine.HelpCommand.class})
public final class Main {
  static final int EXIT_INVALID = 1;
  static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
  static final int EXIT_UNREADABLE = 3;
  static final int EXIT_WORKLOAD_API = 4;
  /** The same code as the Workload API's: a remote service failed. */
  static final int EXIT_AKEYLESS = EXIT_WORKLOAD_API;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(out, err, args));
  }

  /** Runs the command line on the given streams and returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Main()).setOut(out).setErr(err);
    commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
      if (e instanceof UnreadableInputException || e instanceof UnwritableOutputException) {
        cmd.getErr().println("spiffe4j: " + e.getMessage());
        return EXIT_UNREADABLE;
      }
      if (e instanceof CertAuthException) {
        // A key or certificate file: missing (3), or unusable as given (1); the message names the file.
        cmd.getErr().println("spiffe4j: " + e.getMessage());
        return ((CertAuthException) e).kind() == CertAuthException.Kind.UNREADABLE_FILE
            ? EXIT_UNREADABLE : EXIT_INVALID;
      }
      if (e instanceof AkeylessException) {
        // One line (the client makes server texts printable): operation, status, redacted error text and kind.
        AkeylessException akeyless = (AkeylessException) e;
        cmd.getErr().println("spiffe4j: " + akeyless.getMessage());
        return akeyless.kind() == AkeylessException.Kind.INVALID_INPUT ? EXIT_USAGE : EXIT_AKEYLESS;
      }
      if (e instanceof WorkloadApiException) {
        // One line naming the endpoint, the call and the status; never a gRPC stack trace.
        String message = e.getMessage().replaceAll("\\s*\\R\\s*", " ");
        cmd.getErr().println("spiffe4j: " + message + hint((WorkloadApiException) e));
        return EXIT_WORKLOAD_API;
      }
      if (e instanceof CommandLine.ParameterException) {
        cmd.getErr().println("spiffe4j: " + e.getMessage());
        return EXIT_USAGE;
      }
      throw e;
    });
    return commandLine.execute(args);
  }

  private static String hint(WorkloadApiException e) {
    return e.kind() == WorkloadApiException.Kind.UNAVAILABLE
        ? " (is the agent running, and is this its socket?)"
        : "";
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"spiffe4j " + (version != null ? version : "development build")};
    }
  }
}
