package io.spiffe4j.workloadapi.server;

/** The Workload API calls a {@link WorkloadApiServer} serves, for its test hooks. */
public enum Rpc {
  /** X.509-SVIDs with bundles; a server stream (WAPI-08). */
  FETCH_X509_SVID("FetchX509SVID"),
  /** X.509 bundles; a server stream (WAPI-09). */
  FETCH_X509_BUNDLES("FetchX509Bundles"),
  /** JWT-SVIDs for an audience; unary (WAPI-10). */
  FETCH_JWT_SVID("FetchJWTSVID"),
  /** JWT bundles; a server stream (WAPI-11). */
  FETCH_JWT_BUNDLES("FetchJWTBundles"),
  /** Server-side JWT-SVID validation; unary (WAPI-12). */
  VALIDATE_JWT_SVID("ValidateJWTSVID");

  private final String methodName;

  Rpc(String methodName) {
    this.methodName = methodName;
  }

  /** The method's name on the wire, for example {@code FetchX509SVID} in {@code /SpiffeWorkloadAPI/FetchX509SVID}. */
  public String methodName() {
    return methodName;
  }
}
