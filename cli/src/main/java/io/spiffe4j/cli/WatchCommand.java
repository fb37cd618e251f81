package io.spiffe4j.cli;

import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.Watch;
import io.spiffe4j.workloadapi.Watcher;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.X509Context;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "watch", mixinStandardHelpOptions = true,
    description = {"Watch the X.509 context: one line per update (time, SPIFFE ID, serial, expiry) until"
        + " interrupted, or until --count updates.",
        "Transient Workload API errors are reported on stderr while the watch reconnects by itself."})
final class WatchCommand implements Callable<Integer> {
  /** As a shell reports a command ended by SIGINT; only an in-process caller can interrupt the watch this way. */
  static final int EXIT_INTERRUPTED = 130;

  @Spec
  CommandSpec spec;

  @Mixin
  WorkloadApiOptions workloadApi;

  @Option(names = "--count", paramLabel = "N", description = "Exit with code 0 after N updates.")
  Integer count;

  @Override
  public Integer call() {
    if (count != null && count < 1) {
      throw new ParameterException(spec.commandLine(), "--count must be at least 1, got " + count);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    // Callbacks only queue events: everything is printed from this thread, in order.
    BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    try (WorkloadApiClient client = workloadApi.client(spec);
        Watch watch = client.watchX509Context(new Watcher<>() {
          @Override
          public void onUpdate(X509Context update) {
            events.add(new Event(update, null, false));
          }

          @Override
          public void onError(WorkloadApiException error) {
            events.add(new Event(null, error, false));
          }

          @Override
          public void onStopped(WorkloadApiException error) {
            events.add(new Event(null, error, true));
          }
        })) {
      int updates = 0;
      while (count == null || updates < count) {
        Event event = next(events);
        if (event == null) {
          err.println("spiffe4j: watch interrupted");
          return EXIT_INTERRUPTED;
        }
        if (event.stopped) {
          throw event.error;
        }
        if (event.error != null) {
          err.println("spiffe4j: " + event.error.getMessage() + " (the watch retries by itself)");
          continue;
        }
        out.println(line(Instant.now().truncatedTo(ChronoUnit.MILLIS), event.update));
        out.flush();
        updates++;
      }
    }
    return 0;
  }

  private static Event next(BlockingQueue<Event> events) {
    try {
      return events.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** The time of the update, then the default SVID's ID, serial and expiry; further SVIDs are only counted. */
  static String line(Instant now, X509Context context) {
    X509Svid svid = context.defaultSvid();
    int others = context.svids().size() - 1;
    return now + "  " + svid.id() + "  serial " + svid.leaf().getSerialNumber().toString(16) + "  expires "
        + svid.expiresAt() + (others > 0 ? "  (+" + others + " more SVIDs)" : "");
  }

  /** One callback of the watch: an update, a transient error, or the error that stopped it. */
  private static final class Event {
    final X509Context update;
    final WorkloadApiException error;
    final boolean stopped;

    Event(X509Context update, WorkloadApiException error, boolean stopped) {
      this.update = update;
      this.error = error;
      this.stopped = stopped;
    }
  }
}
