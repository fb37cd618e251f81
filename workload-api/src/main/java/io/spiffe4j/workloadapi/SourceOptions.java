package io.spiffe4j.workloadapi;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The settings every live source's builder has: where updates come from (a shared client, or an address for a client
 * of the source's own), how long to wait for the first one, and the clock. Not thread-safe, like the builders.
 */
final class SourceOptions {
  static final Duration DEFAULT_INIT_TIMEOUT = Duration.ofSeconds(30);

  private WorkloadApiClient client;
  private WorkloadApiAddress address;
  private Duration initTimeout = DEFAULT_INIT_TIMEOUT;
  private Clock clock = Clock.systemUTC();

  void client(WorkloadApiClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  void address(WorkloadApiAddress address) {
    this.address = Objects.requireNonNull(address, "address");
  }

  void initTimeout(Duration initTimeout) {
    this.initTimeout = WorkloadApiClient.Builder.positive(initTimeout, "initTimeout");
  }

  void clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  Duration initTimeout() {
    return initTimeout;
  }

  Clock clock() {
    return clock;
  }

  /** Whether the source creates, and so must close, its client (go-spiffe's {@code WithClient} rule). */
  boolean ownsClient() {
    return client == null;
  }

  /**
   * The shared client, or a new one for the address ({@code SPIFFE_ENDPOINT_SOCKET} if none was set).
   *
   * @throws IllegalStateException if both a client and an address were set
   * @throws WorkloadApiException of kind {@code NO_ADDRESS} or {@code INVALID_ADDRESS}
   */
  WorkloadApiClient openClient() {
    if (client != null && address != null) {
      throw new IllegalStateException("set either a client or an address, not both: a shared client has its own");
    }
    if (client != null) {
      return client;
    }
    return address != null ? WorkloadApiClient.builder().address(address).build() : WorkloadApiClient.create();
  }
}
