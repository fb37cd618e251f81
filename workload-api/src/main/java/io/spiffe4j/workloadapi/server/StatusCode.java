package io.spiffe4j.workloadapi.server;

/**
 * The gRPC status codes a {@link WorkloadApiServer} can fail a call with, named as gRPC names them, so tests can
 * inject errors without a gRPC type in their code. {@code OK} is absent: ending a stream cleanly is
 * {@link WorkloadApiServer.Endpoint#endStreams()}. The Workload Endpoint standard gives the meaning of four of them
 * to clients (WEP-14): {@link #INVALID_ARGUMENT} and {@link #UNIMPLEMENTED} are final, {@link #UNAVAILABLE} and
 * {@link #PERMISSION_DENIED} are retried with backoff.
 */
public enum StatusCode {
  CANCELLED,
  UNKNOWN,
  INVALID_ARGUMENT,
  DEADLINE_EXCEEDED,
  NOT_FOUND,
  ALREADY_EXISTS,
  PERMISSION_DENIED,
  RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION,
  ABORTED,
  OUT_OF_RANGE,
  UNIMPLEMENTED,
  INTERNAL,
  UNAVAILABLE,
  DATA_LOSS,
  UNAUTHENTICATED
}
