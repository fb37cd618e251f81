package io.spiffe4j.upstream.akeyless.spire;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.spiffe4j.SpiffeException;
import io.spiffe4j.authority.UpstreamAuthorityException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failures as the gRPC statuses SPIRE expects (spire-plugin-protocol.md 5.6). Descriptions carry spiffe4j's messages,
 * which never hold a credential; anything else is reduced to a generic text and logged.
 */
final class Statuses {
  private static final Logger LOG = LoggerFactory.getLogger(Statuses.class);

  private Statuses() {
  }

  static StatusRuntimeException notConfigured() {
    return Status.FAILED_PRECONDITION.withDescription("plugin not configured").asRuntimeException();
  }

  static StatusRuntimeException invalidArgument(String description) {
    return Status.INVALID_ARGUMENT.withDescription(description).asRuntimeException();
  }

  /**
   * The status for a failure of {@code operation}.
   *
   * @param otherSpiffeFailures the code for a spiffe4j exception that is not an {@link UpstreamAuthorityException}:
   *     {@code INVALID_ARGUMENT} where the input is at fault (configuration), {@code INTERNAL} elsewhere
   */
  static StatusRuntimeException of(RuntimeException failure, String operation, Status otherSpiffeFailures) {
    if (failure instanceof StatusRuntimeException) {
      return (StatusRuntimeException) failure;
    }
    if (failure instanceof UpstreamAuthorityException) {
      UpstreamAuthorityException upstream = (UpstreamAuthorityException) failure;
      return forKind(upstream.kind()).withDescription(upstream.getMessage()).asRuntimeException();
    }
    if (failure instanceof SpiffeException) {
      return otherSpiffeFailures.withDescription(failure.getMessage()).asRuntimeException();
    }
    LOG.error("{} failed unexpectedly", operation, failure);
    return Status.INTERNAL.withDescription(operation + " failed unexpectedly (" + failure.getClass().getName()
        + "); the plugin's log has the details").asRuntimeException();
  }

  static Status forKind(UpstreamAuthorityException.Kind kind) {
    switch (kind) {
      case INVALID_REQUEST:
        return Status.INVALID_ARGUMENT;
      case UNAUTHENTICATED:
        return Status.UNAUTHENTICATED;
      case MISCONFIGURED:
        return Status.FAILED_PRECONDITION;
      case UNAVAILABLE:
        return Status.UNAVAILABLE;
      default:
        throw new AssertionError(kind);
    }
  }
}
