package io.spiffe4j.cli;

import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code spiffe4j} command. Exit codes: 0 every input valid, 1 any input invalid, 2 usage error, 3 an input
 * file could not be read.
 */
@Command(
    name = "spiffe4j",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Parse, verify and inspect SPIFFE IDs, X509-SVIDs, JWT-SVIDs and bundles.",
    subcommands = {IdCommand.class, X509Command.class, JwtCommand.class, BundleCommand.class,
        DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main {
  static final int EXIT_INVALID = 1;
  static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;
  static final int EXIT_UNREADABLE = 3;

  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true);
    PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
    System.exit(run(out, err, args));
  }

  /** Runs the command line on the given streams and returns the exit code. */
  static int run(PrintWriter out, PrintWriter err, String... args) {
    CommandLine commandLine = new CommandLine(new Main()).setOut(out).setErr(err);
    commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
      if (e instanceof UnreadableInputException) {
        cmd.getErr().println("spiffe4j: " + e.getMessage());
        return EXIT_UNREADABLE;
      }
      if (e instanceof CommandLine.ParameterException) {
        cmd.getErr().println("spiffe4j: " + e.getMessage());
        return EXIT_USAGE;
      }
      throw e;
    });
    return commandLine.execute(args);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"spiffe4j " + (version != null ? version : "development build")};
    }
  }
}
