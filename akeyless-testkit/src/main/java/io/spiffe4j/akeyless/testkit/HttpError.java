package io.spiffe4j.akeyless.testkit;

/**
 * A request the gateway refuses: the status and the text of the {@code {"error": ...}} answer. Messages never carry
 * secrets from the request. Never escapes the gateway. Immutable and thread-safe.
 */
final class HttpError extends AkeylessGatewayException {
  private static final long serialVersionUID = 1L;

  private final int status;

  HttpError(int status, String reason) {
    super(reason);
    this.status = status;
  }

  int status() {
    return status;
  }
}
