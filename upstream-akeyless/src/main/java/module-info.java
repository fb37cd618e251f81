/**
 * spiffe4j upstream-akeyless: an Akeyless PKI issuer as the upstream authority of a SPIFFE authority, and the
 * external SPIRE Server UpstreamAuthority plugin that serves any {@link io.spiffe4j.authority.UpstreamAuthority} to
 * SPIRE over go-plugin's gRPC protocol. The plugin's packages (the gRPC services, the HCL parser, the generated
 * protobuf classes) are not exported: the plugin is a program, run from its single executable file.
 */
module io.spiffe4j.upstream.akeyless {
  requires transitive io.spiffe4j;
  requires transitive io.spiffe4j.certauth;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.grpc.protobuf;
  requires io.grpc.netty.shaded;
  requires com.google.protobuf;
  // The generated future stubs use ListenableFuture.
  requires com.google.common;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires java.logging;

  exports io.spiffe4j.upstream.akeyless;
}
