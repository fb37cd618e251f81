package io.spiffe4j.akeyless.testkit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One request the gateway answered: the operation, method, path, status and, for failures, the error text it sent.
 * Holds no request body, so no secret. Immutable and thread-safe.
 */
public final class RequestRecord {
  private final Op op;
  private final String method;
  private final String path;
  private final int status;
  private final String error;
  private final boolean injected;
  private final Instant time;

  RequestRecord(Op op, String method, String path, int status, String error, boolean injected, Instant time) {
    this.op = Objects.requireNonNull(op, "op");
    this.method = Objects.requireNonNull(method, "method");
    this.path = Objects.requireNonNull(path, "path");
    this.status = status;
    this.error = error;
    this.injected = injected;
    this.time = Objects.requireNonNull(time, "time");
  }

  public Op op() {
    return op;
  }

  public String method() {
    return method;
  }

  /** The request path as sent, such as {@code /api/v2/auth}. */
  public String path() {
    return path;
  }

  public int status() {
    return status;
  }

  /** The {@code error} text of a failure answer; empty for a success. */
  public Optional<String> error() {
    return Optional.ofNullable(error);
  }

  /** Whether the answer came from a {@link Faults fault} rather than from the operation. */
  public boolean injected() {
    return injected;
  }

  /** When the gateway's clock says the request was answered. */
  public Instant time() {
    return time;
  }

  @Override
  public String toString() {
    return method + " " + path + " -> " + status + (injected ? " (injected)" : "")
        + (error != null ? " " + error : "");
  }
}
