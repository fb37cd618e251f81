package io.spiffe4j.examples.demo;

import java.io.PrintStream;

/**
 * {@code java -jar spiffe4j-demo.jar [--upstream self-signed|akeyless]}: runs the {@linkplain Demo demo} and prints a
 * line per step. Exit code 0 when every step held, 1 when one did not (one line on stderr says which), 2 for a usage
 * error.
 */
public final class DemoMain {
  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  private static final String USAGE = "usage: java -jar spiffe4j-demo.jar [--upstream " + Upstream.choices("|") + "]";

  private DemoMain() {
  }

  public static void main(String[] args) {
    System.exit(run(System.out, System.err, args));
  }

  /** Runs the demo as {@code main} does, on the given streams, and returns the exit code. */
  static int run(PrintStream out, PrintStream err, String... args) {
    Upstream upstream = Upstream.SELF_SIGNED;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        out.println(USAGE);
        return EXIT_OK;
      }
      if (!args[i].equals("--upstream") || i + 1 == args.length) {
        return usageError(err, "unexpected argument \"" + args[i] + "\"");
      }
      try {
        upstream = Upstream.fromOption(args[++i]);
      } catch (IllegalArgumentException e) {
        return usageError(err, e.getMessage());
      }
    }
    try {
      Demo.run(upstream, out);
      return EXIT_OK;
    } catch (DemoFailure e) {
      err.println("spiffe4j-demo: FAILED: " + e.getMessage());
    } catch (RuntimeException e) {
      // Setup failed (a socket, the upstream): the message says what, a stack trace would bury it.
      err.println("spiffe4j-demo: FAILED: " + e.getClass().getSimpleName() + ": " + e.getMessage());
    }
    return EXIT_FAILED;
  }

  private static int usageError(PrintStream err, String message) {
    err.println("spiffe4j-demo: " + message);
    err.println(USAGE);
    return EXIT_USAGE;
  }
}
