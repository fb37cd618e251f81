package io.spiffe4j.upstream.akeyless.spire;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigureRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigureResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.DeinitRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.DeinitResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.InitGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.InitRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.InitResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.ValidateRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.ValidateResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** SPIRE's plugin-level services: the private {@code Init} handshake and {@code Config}. */
final class SpireServices {
  private static final Logger LOG = LoggerFactory.getLogger(SpireServices.class);

  private SpireServices() {
  }

  /** Names the services this plugin implements; SPIRE binds its facades by these names. */
  static final class InitService extends InitGrpc.InitImplBase {
    private final PluginState state;

    InitService(PluginState state) {
      this.state = state;
    }

    @Override
    public void init(InitRequest request, StreamObserver<InitResponse> responses) {
      // Host services (identity provider, agent store, metrics) are offered over the broker; an upstream authority
      // needs none of them, so the brokered connection is never dialled.
      LOG.atDebug().addKeyValue("host_services", String.join(",", request.getHostServiceNamesList()))
          .log("init");
      responses.onNext(InitResponse.newBuilder()
          .addPluginServiceNames(UpstreamAuthorityGrpc.SERVICE_NAME)
          .addPluginServiceNames(ConfigGrpc.SERVICE_NAME)
          .build());
      responses.onCompleted();
    }

    @Override
    public void deinit(DeinitRequest request, StreamObserver<DeinitResponse> responses) {
      state.close();
      LOG.debug("deinit: the upstream authority is closed");
      responses.onNext(DeinitResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }

  /** {@code plugin_data} and the trust domain in; an upstream authority built from them, or INVALID_ARGUMENT. */
  static final class ConfigService extends ConfigGrpc.ConfigImplBase {
    private final PluginState state;

    ConfigService(PluginState state) {
      this.state = state;
    }

    @Override
    public void configure(ConfigureRequest request, StreamObserver<ConfigureResponse> responses) {
      long started = System.nanoTime();
      PluginConfig config;
      try {
        config = state.configure(request.getHclConfiguration(), request.getCoreConfiguration().getTrustDomain());
      } catch (RuntimeException e) {
        StatusRuntimeException status = Statuses.of(e, "configuring the upstream authority", Status.INVALID_ARGUMENT);
        LOG.atError().addKeyValue("code", status.getStatus().getCode())
            .log("configuration rejected: {}", status.getStatus().getDescription());
        responses.onError(status);
        return;
      }
      LOG.atInfo()
          .addKeyValue("trust_domain", config.trustDomain().name())
          .addKeyValue("access_type", config.accessType().wireName())
          .addKeyValue("gateway", config.gatewayUrl())
          .addKeyValue("issuer", config.pkiCertIssuerName())
          .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000)
          .log("configured");
      responses.onNext(ConfigureResponse.getDefaultInstance());
      responses.onCompleted();
    }

    @Override
    public void validate(ValidateRequest request, StreamObserver<ValidateResponse> responses) {
      ValidateResponse.Builder response = ValidateResponse.newBuilder().setValid(true);
      try {
        state.validate(request.getHclConfiguration(), request.getCoreConfiguration().getTrustDomain());
      } catch (PluginConfigException e) {
        response.setValid(false).addNotes(e.getMessage());
      }
      responses.onNext(response.build());
      responses.onCompleted();
    }
  }
}
