/**
 * spiffe4j Workload API client: fetches and watches X509-SVIDs, JWT-SVIDs and bundles from a SPIFFE Workload API
 * endpoint (a SPIRE agent) over a Unix domain socket or TCP. gRPC, Netty and protobuf stay inside: no type of theirs
 * appears in the exported API.
 */
module io.spiffe4j.workloadapi {
  requires transitive io.spiffe4j;
  requires io.grpc;
  requires io.grpc.stub;
  requires io.grpc.protobuf;
  requires io.grpc.netty.shaded;
  requires com.google.protobuf;
  // The generated future stub uses ListenableFuture.
  requires com.google.common;
  // Guava's futures, which the gRPC server uses, need this module; Guava is an automatic module and cannot say so.
  requires com.google.common.util.concurrent.internal;
  requires org.slf4j;
  // Each only for the filter in its own package, present at run time where that filter is used.
  requires static jakarta.servlet;
  requires static jdk.httpserver;

  exports io.spiffe4j.workloadapi;
  exports io.spiffe4j.workloadapi.provider;
  exports io.spiffe4j.workloadapi.server;
  exports io.spiffe4j.workloadapi.web;
  exports io.spiffe4j.workloadapi.web.servlet;
  exports io.spiffe4j.workloadapi.web.httpserver;

  provides java.security.Provider with io.spiffe4j.workloadapi.provider.SpiffeProvider;
}
