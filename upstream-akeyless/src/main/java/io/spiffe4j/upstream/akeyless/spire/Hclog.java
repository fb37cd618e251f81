package io.spiffe4j.upstream.akeyless.spire;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;

/**
 * The plugin process's log: hclog JSON lines on stderr, which go-plugin parses and SPIRE re-logs under the plugin's
 * name. Each line is one JSON object with string {@code @level} ({@code trace|debug|info|warn|error}), string
 * {@code @message}, string {@code @timestamp} in exactly the layout go-plugin parses (UTC, six fractional digits:
 * {@code 2026-11-25T18:08:30.123456Z}; without it SPIRE shows the year 1), and string-valued fields. go-plugin panics
 * on a non-string {@code @level}, {@code @message} or {@code @timestamp}, so nothing else is ever written there.
 * SLF4J (through {@link HclogProvider}) and {@code java.util.logging} (gRPC, Netty) both end here.
 *
 * <p>Thread-safe: each line is written and flushed whole under a lock.
 */
final class Hclog {
  /** Where lines go; set once by {@link #install}, before any logger exists. */
  private static volatile Hclog installed;

  /** go-plugin's {@code 2006-01-02T15:04:05.000000Z07:00}, in UTC. */
  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final PrintStream stderr;
  private final Clock clock;
  private final Object lock = new Object();

  Hclog(PrintStream stderr, Clock clock) {
    this.stderr = Objects.requireNonNull(stderr, "stderr");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Makes SLF4J and {@code java.util.logging} log to {@code stderr} as hclog JSON. Must run before the first SLF4J
   * logger is created: SLF4J binds its provider once.
   */
  static void install(PrintStream stderr) {
    installed = new Hclog(stderr, Clock.systemUTC());
    // The provider is named here rather than registered as a service, so applications embedding this library keep
    // their own SLF4J binding; only the plugin process uses ours.
    System.setProperty("slf4j.provider", HclogProvider.class.getName());
    // SLF4J reports which provider it chose on stderr in plain text; only problems are worth a line.
    System.setProperty("slf4j.internal.verbosity", "WARN");
    LogManager.getLogManager().reset();
    java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
    root.setLevel(Level.INFO);
    root.addHandler(new JulHandler(installed));
  }

  /** The sink {@link #install} set up; a plain stderr sink if none was (only tests get there). */
  static Hclog installed() {
    Hclog sink = installed;
    return sink != null ? sink : new Hclog(System.err, Clock.systemUTC());
  }

  /**
   * Writes one line.
   *
   * @param level one of {@code trace|debug|info|warn|error}
   * @param fields extra fields, written in order; values are written as strings
   */
  void log(String level, String message, Map<String, ?> fields, Throwable error) {
    StringBuilder line = new StringBuilder(128);
    line.append("{\"@level\":");
    quote(line, level);
    line.append(",\"@message\":");
    quote(line, message == null ? "" : message);
    line.append(",\"@timestamp\":");
    quote(line, TIMESTAMP.format(clock.instant()));
    for (Map.Entry<String, ?> field : fields.entrySet()) {
      if (field.getKey().startsWith("@")) {
        continue;
      }
      line.append(',');
      quote(line, field.getKey());
      line.append(':');
      quote(line, String.valueOf(field.getValue()));
    }
    if (error != null) {
      line.append(",\"error\":");
      quote(line, describe(error));
      if (level.equals("error")) {
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        line.append(",\"stack\":");
        quote(line, trace.toString());
      }
    }
    line.append("}\n");
    synchronized (lock) {
      stderr.print(line);
      stderr.flush();
    }
  }

  /** The exception and its causes, one "Type: message" each. */
  static String describe(Throwable error) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = error; t != null && out.length() < 4096; t = t.getCause() == t ? null : t.getCause()) {
      if (out.length() > 0) {
        out.append("; caused by ");
      }
      out.append(t.getClass().getName());
      if (t.getMessage() != null) {
        out.append(": ").append(t.getMessage());
      }
    }
    return out.toString();
  }

  /** A JSON string literal; control characters escaped, so a line never breaks. */
  static void quote(StringBuilder out, String text) {
    out.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  /** {@code java.util.logging} records as hclog lines: gRPC and Netty log there. */
  static final class JulHandler extends Handler {
    private final Hclog sink;
    private final SimpleFormatter formatter = new SimpleFormatter();

    JulHandler(Hclog sink) {
      this.sink = sink;
    }

    @Override
    public void publish(LogRecord record) {
      if (record == null || !isLoggable(record)) {
        return;
      }
      Map<String, String> fields = new LinkedHashMap<>();
      fields.put("logger", String.valueOf(record.getLoggerName()));
      sink.log(level(record.getLevel()), formatter.formatMessage(record), fields, record.getThrown());
    }

    private static String level(Level level) {
      int value = level.intValue();
      if (value >= Level.SEVERE.intValue()) {
        return "error";
      }
      if (value >= Level.WARNING.intValue()) {
        return "warn";
      }
      if (value >= Level.INFO.intValue()) {
        return "info";
      }
      return value >= Level.FINE.intValue() ? "debug" : "trace";
    }

    @Override
    public void flush() {
      // Every line is flushed as it is written.
    }

    @Override
    public void close() {
      // stderr belongs to the process.
    }
  }
}
