package io.spiffe4j.workloadapi;

import io.grpc.Status;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;

/**
 * Turns gRPC statuses into {@link WorkloadApiException}s by the Workload Endpoint error table (WEP-11..14). Only
 * the code name and text reach the exception: no gRPC or Netty exception is kept as a cause.
 */
final class GrpcErrors {
  private static final int MAX_DETAIL = 300;

  private GrpcErrors() {
  }

  /**
   * The exception for a call that ended with {@code status}; {@code clientClosed} turns the cancellations and
   * shutdown errors that closing causes into {@link Kind#CLOSED}.
   */
  static WorkloadApiException fromStatus(Status status, String operation, boolean clientClosed) {
    String code = status.getCode().name();
    String message = operation + " failed: " + code + detail(status);
    if (clientClosed) {
      return new WorkloadApiException(Kind.CLOSED, code, operation + " failed: the client was closed", null, null);
    }
    switch (status.getCode()) {
      case UNAVAILABLE:
        return new WorkloadApiException(Kind.UNAVAILABLE, code, message, "WEP-12", null);
      case PERMISSION_DENIED:
        return new WorkloadApiException(Kind.NO_IDENTITY, code,
            message + "; the endpoint has no identity for this workload (yet)", "WEP-13", null);
      case INVALID_ARGUMENT:
        return new WorkloadApiException(Kind.INVALID_ARGUMENT, code, message, "WEP-11", null);
      case UNIMPLEMENTED:
        return new WorkloadApiException(Kind.UNIMPLEMENTED, code, message, "WEP-14", null);
      case DEADLINE_EXCEEDED:
        return new WorkloadApiException(Kind.DEADLINE_EXCEEDED, code, message, null, null);
      default:
        return new WorkloadApiException(Kind.OTHER_STATUS, code, message, null, null);
    }
  }

  /** The status text and its cause's message, bounded and on one line; the endpoint's text is untrusted. */
  private static String detail(Status status) {
    StringBuilder detail = new StringBuilder();
    if (status.getDescription() != null) {
      detail.append(": ").append(status.getDescription());
    }
    Throwable cause = status.getCause();
    if (cause != null && cause.getMessage() != null) {
      detail.append(" (").append(cause.getMessage()).append(')');
    } else if (cause != null && cause.getClass().getName().startsWith("java.")) {
      // A missing socket file surfaces as a FileNotFoundException without a message.
      detail.append(" (").append(cause.getClass().getSimpleName()).append(')');
    }
    String oneLine = detail.toString().replaceAll("\\p{Cntrl}", " ");
    return oneLine.length() > MAX_DETAIL ? oneLine.substring(0, MAX_DETAIL) + "..." : oneLine;
  }
}
