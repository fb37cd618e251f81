package io.spiffe4j.upstream.akeyless.spire;

import com.google.protobuf.Empty;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.spiffe4j.upstream.akeyless.internal.proto.ConnInfo;
import io.spiffe4j.upstream.akeyless.internal.proto.GRPCBrokerGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.GRPCControllerGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.GRPCStdioGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthCheckRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthCheckResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.HealthGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.StdioData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** go-plugin's own services, which every plugin process serves next to its real ones (spire-plugin-protocol.md 3). */
final class GoPluginServices {
  private static final Logger LOG = LoggerFactory.getLogger(GoPluginServices.class);

  private GoPluginServices() {
  }

  /**
   * The connection broker. SPIRE offers its host services here as soon as it loads the plugin, and fails the load if
   * the stream is refused; an upstream authority uses no host service, so the stream is accepted, what arrives is
   * read and ignored, and it stays open until the host ends it.
   */
  static final class BrokerService extends GRPCBrokerGrpc.GRPCBrokerImplBase {
    @Override
    public StreamObserver<ConnInfo> startStream(StreamObserver<ConnInfo> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(ConnInfo offer) {
          LOG.atDebug().addKeyValue("service_id", offer.getServiceId()).addKeyValue("network", offer.getNetwork())
              .log("the host offered a brokered connection; this plugin needs none");
        }

        @Override
        public void onError(Throwable cancelled) {
          // The host closed the broker (unloading the plugin): nothing to release.
        }

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }

  /** The host asks the plugin to exit: answer, then {@code onShutdown} stops the process. */
  static final class ControllerService extends GRPCControllerGrpc.GRPCControllerImplBase {
    private final Runnable onShutdown;

    ControllerService(Runnable onShutdown) {
      this.onShutdown = onShutdown;
    }

    @Override
    public void shutdown(io.spiffe4j.upstream.akeyless.internal.proto.Empty request,
        StreamObserver<io.spiffe4j.upstream.akeyless.internal.proto.Empty> responses) {
      responses.onNext(io.spiffe4j.upstream.akeyless.internal.proto.Empty.getDefaultInstance());
      responses.onCompleted();
      onShutdown.run();
    }
  }

  /** The host may read the plugin's stdio through gRPC; everything goes to stderr instead, so the stream stays idle. */
  static final class StdioService extends GRPCStdioGrpc.GRPCStdioImplBase {
    @Override
    public void streamStdio(Empty request, StreamObserver<StdioData> responses) {
      // Left open until the host cancels it or the server stops.
    }
  }

  /** The gRPC health check go-plugin's documentation asks for: service "plugin" (or the server as a whole). */
  static final class HealthService extends HealthGrpc.HealthImplBase {
    @Override
    public void check(HealthCheckRequest request, StreamObserver<HealthCheckResponse> responses) {
      String service = request.getService();
      if (!service.isEmpty() && !service.equals("plugin")) {
        responses.onError(Status.NOT_FOUND.withDescription("unknown service").asRuntimeException());
        return;
      }
      responses.onNext(HealthCheckResponse.newBuilder().setStatus(HealthCheckResponse.ServingStatus.SERVING).build());
      responses.onCompleted();
    }
  }
}
