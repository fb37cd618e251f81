package io.spiffe4j.cli;

import io.spiffe4j.workloadapi.WorkloadApiAddress;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.WorkloadApiException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code --socket ADDR}: the Workload API endpoint, by default {@code SPIFFE_ENDPOINT_SOCKET}. A missing or malformed
 * address is a usage error (exit 2); what goes wrong once the endpoint is called is a Workload API error (exit 4).
 */
final class WorkloadApiOptions {
  @Option(names = "--socket", paramLabel = "ADDR",
      description = "Workload API endpoint, unix:///path or tcp://IP:PORT (default: $"
          + WorkloadApiAddress.ENDPOINT_SOCKET_ENV + ").")
  String socket;

  boolean isSet() {
    return socket != null;
  }

  /** A client of the endpoint; the caller closes it. */
  WorkloadApiClient client(CommandSpec spec) {
    try {
      return socket != null ? WorkloadApiClient.create(socket) : WorkloadApiClient.create();
    } catch (WorkloadApiException e) {
      if (e.kind() == WorkloadApiException.Kind.NO_ADDRESS) {
        throw new ParameterException(spec.commandLine(), "no Workload API endpoint: pass --socket ADDR or set "
            + WorkloadApiAddress.ENDPOINT_SOCKET_ENV + " [" + e.rule().orElse("WEP-06") + "]");
      }
      if (e.kind() == WorkloadApiException.Kind.INVALID_ADDRESS) {
        throw new ParameterException(spec.commandLine(),
            (socket != null ? "--socket: " : WorkloadApiAddress.ENDPOINT_SOCKET_ENV + ": ") + e.getMessage());
      }
      throw e;
    }
  }
}
