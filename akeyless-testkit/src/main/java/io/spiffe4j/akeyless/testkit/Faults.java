package io.spiffe4j.akeyless.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * Fault injection for one gateway, to test a client's timeouts, retries and leniency. Faults apply to requests for
 * a known operation with method POST; an injected failure or non-JSON answer replaces the operation entirely (as a
 * proxy in front of the gateway would), so it has no side effect such as using up a challenge. Pending faults are
 * consumed in the order they were added; {@link #reset()} clears everything. Thread-safe.
 */
public final class Faults {
  /** The field {@link #unknownFieldInSuccess} adds to 2xx answers. */
  public static final String UNKNOWN_FIELD = "testkit_unknown_field";

  enum Kind { FAIL, NON_JSON }

  static final class Injected {
    final Kind kind;
    final int status;

    Injected(Kind kind, int status) {
      this.kind = kind;
      this.status = status;
    }
  }

  private static final class Pending {
    final Op op;
    final Injected injected;
    int remaining;

    Pending(Op op, Injected injected, int remaining) {
      this.op = op;
      this.injected = injected;
      this.remaining = remaining;
    }
  }

  private final List<Pending> pending = new ArrayList<>();
  private Duration latency = Duration.ZERO;
  private boolean unknownField;

  Faults() {}

  /** Delays every answer by this much (zero for none). */
  public synchronized Faults latency(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative");
    }
    this.latency = latency;
    return this;
  }

  /** The next {@code count} requests, whatever their operation, are answered {@code status} with an error body. */
  public Faults failNext(int count, int status) {
    return add(null, count, new Injected(Kind.FAIL, checkStatus(status, 400)));
  }

  /** The next {@code count} requests for {@code op} are answered {@code status} with {@code {"error": ...}}. */
  public Faults failNext(Op op, int count, int status) {
    return add(Objects.requireNonNull(op, "op"), count, new Injected(Kind.FAIL, checkStatus(status, 400)));
  }

  /**
   * The next {@code count} requests, whatever their operation, are answered {@code status} with an HTML body and
   * {@code Content-Type: text/html}, as a misrouted request or a proxy error page would be.
   */
  public Faults nonJsonNext(int count, int status) {
    return add(null, count, new Injected(Kind.NON_JSON, checkStatus(status, 200)));
  }

  /** As {@link #nonJsonNext(int, int)}, for {@code op} only. */
  public Faults nonJsonNext(Op op, int count, int status) {
    return add(Objects.requireNonNull(op, "op"), count, new Injected(Kind.NON_JSON, checkStatus(status, 200)));
  }

  /**
   * Whether every 2xx JSON answer carries the extra field {@value #UNKNOWN_FIELD}, which Akeyless's generated SDK
   * rejects and a lenient client must ignore.
   */
  public synchronized Faults unknownFieldInSuccess(boolean enabled) {
    this.unknownField = enabled;
    return this;
  }

  /** Removes every fault: no latency, nothing pending, no extra field. */
  public synchronized void reset() {
    pending.clear();
    latency = Duration.ZERO;
    unknownField = false;
  }

  private synchronized Faults add(Op op, int count, Injected injected) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be at least 1, got " + count);
    }
    pending.add(new Pending(op, injected, count));
    return this;
  }

  private static int checkStatus(int status, int lowest) {
    if (status < lowest || status > 599) {
      throw new IllegalArgumentException("status must be in " + lowest + "..599, got " + status);
    }
    return status;
  }

  synchronized Duration latency() {
    return latency;
  }

  synchronized boolean unknownField() {
    return unknownField;
  }

  /** The fault to answer this request with, if one is pending for its operation; consumes it. */
  synchronized Injected take(Op op) {
    for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
      Pending next = it.next();
      if (next.op == null || next.op == op) {
        if (--next.remaining == 0) {
          it.remove();
        }
        return next.injected;
      }
    }
    return null;
  }
}
