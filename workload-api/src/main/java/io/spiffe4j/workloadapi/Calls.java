package io.spiffe4j.workloadapi;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.SpiffeWorkloadAPIGrpc;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDRequest;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesRequest;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** The one-shot calls of a client with one deadline. Thread-safe. */
final class Calls implements WorkloadApiCalls {
  private final WorkloadApiClient client;
  private final Duration deadline;

  Calls(WorkloadApiClient client, Duration deadline) {
    this.client = client;
    this.deadline = deadline;
  }

  @Override
  public X509Context fetchX509Context() {
    return first(SpiffeWorkloadAPIGrpc.getFetchX509SVIDMethod(), X509SVIDRequest.getDefaultInstance(),
        Responses::x509Context);
  }

  @Override
  public BundleSet fetchX509Bundles() {
    return first(SpiffeWorkloadAPIGrpc.getFetchX509BundlesMethod(), X509BundlesRequest.getDefaultInstance(),
        Responses::x509Bundles);
  }

  @Override
  public BundleSet fetchJwtBundles() {
    return first(SpiffeWorkloadAPIGrpc.getFetchJWTBundlesMethod(), JWTBundlesRequest.getDefaultInstance(),
        Responses::jwtBundles);
  }

  @Override
  public JwtSvid fetchJwtSvid(String audience, String... moreAudiences) {
    return fetchJwtSvids(audience, moreAudiences).get(0);
  }

  @Override
  public JwtSvid fetchJwtSvid(SpiffeId subject, String audience, String... moreAudiences) {
    Objects.requireNonNull(subject, "subject");
    JWTSVIDRequest request = JWTSVIDRequest.newBuilder()
        .addAllAudience(audiences(audience, moreAudiences))
        .setSpiffeId(subject.toString())
        .build();
    JwtSvid svid = first(SpiffeWorkloadAPIGrpc.getFetchJWTSVIDMethod(), request, Responses::jwtSvids).get(0);
    if (!svid.id().equals(subject)) {
      throw new WorkloadApiException(Kind.INVALID_RESPONSE, null, "invalid Workload API response: asked for a "
          + "JWT-SVID of " + subject + " and got one of " + svid.id(), "WAPI-10", null);
    }
    return svid;
  }

  @Override
  public List<JwtSvid> fetchJwtSvids(String audience, String... moreAudiences) {
    JWTSVIDRequest request = JWTSVIDRequest.newBuilder().addAllAudience(audiences(audience, moreAudiences)).build();
    return first(SpiffeWorkloadAPIGrpc.getFetchJWTSVIDMethod(), request, Responses::jwtSvids);
  }

  @Override
  public JwtSvid validateJwtSvid(String token, String audience) {
    requireNonEmpty(token, "token");
    requireNonEmpty(audience, "audience");
    ValidateJWTSVIDRequest request = ValidateJWTSVIDRequest.newBuilder().setSvid(token).setAudience(audience).build();
    return first(SpiffeWorkloadAPIGrpc.getValidateJWTSVIDMethod(), request, r -> Responses.validated(r, token));
  }

  private static List<String> audiences(String audience, String... moreAudiences) {
    Objects.requireNonNull(moreAudiences, "moreAudiences");
    List<String> all = new ArrayList<>(1 + moreAudiences.length);
    all.add(requireNonEmpty(audience, "audience"));
    for (String more : moreAudiences) {
      all.add(requireNonEmpty(more, "audience"));
    }
    return all;
  }

  private static String requireNonEmpty(String value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return value;
  }

  /**
   * The first message of a call (the only one of a unary call), mapped, within the deadline; a stream is cancelled
   * once its first message arrived.
   */
  private <Q, R, T> T first(MethodDescriptor<Q, R> method, Q request, Function<R, T> mapper) {
    String operation = method.getBareMethodName() + " at " + client.address();
    client.checkOpen(operation);
    ClientCall<Q, R> call = client.transport().channel()
        .newCall(method, CallOptions.DEFAULT.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS));
    CompletableFuture<R> answer = new CompletableFuture<>();
    client.track(call);
    try {
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(R message) {
          answer.complete(message);
          call.cancel("first message received", null);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          answer.completeExceptionally(status.isOk()
              ? new WorkloadApiException(Kind.INVALID_RESPONSE, "OK",
                  operation + " failed: the endpoint ended the call without an answer", "WAPI-04", null)
              : GrpcErrors.fromStatus(status, operation, client.isClosed()));
        }
      }, new Metadata());
      call.sendMessage(request);
      call.halfClose();
      call.request(1);
      return mapper.apply(answer.get());
    } catch (ExecutionException e) {
      throw ((WorkloadApiException) e.getCause()).rethrown();
    } catch (InterruptedException e) {
      call.cancel("interrupted", null);
      Thread.currentThread().interrupt();
      throw new WorkloadApiException(Kind.CLOSED, null, operation + " interrupted", null, null);
    } finally {
      client.untrack(call);
    }
  }
}
