package io.spiffe4j.workloadapi;

import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import java.util.List;

/**
 * The one-shot calls of the Workload API, each bounded by a deadline: the client's default
 * ({@link WorkloadApiClient}) or the one chosen with {@link WorkloadApiClient#withDeadline}. They block the calling
 * thread until the answer, the deadline, or the client's {@code close()}.
 *
 * <p>Every failure is a {@link WorkloadApiException} whose {@link WorkloadApiException#isRetryable()} says whether
 * trying again can help; an interrupted call ends with kind {@code CLOSED} and the interrupt flag set. Thread-safe.
 */
public interface WorkloadApiCalls {
  /**
   * The current X.509 context: the first message of the FetchX509SVID stream.
   *
   * @throws WorkloadApiException on failure, or of kind {@code INVALID_RESPONSE} if the message breaks WAPI-06/08
   */
  X509Context fetchX509Context();

  /**
   * The current X.509 bundles (FetchX509Bundles), by trust domain.
   *
   * @throws WorkloadApiException on failure, or of kind {@code INVALID_RESPONSE} if the message breaks WAPI-06/09
   */
  BundleSet fetchX509Bundles();

  /**
   * The current JWT bundles (FetchJWTBundles), by trust domain.
   *
   * @throws WorkloadApiException on failure, or of kind {@code INVALID_RESPONSE} if the message breaks WAPI-06/11
   */
  BundleSet fetchJwtBundles();

  /**
   * A JWT-SVID of the workload's default identity for the audience (FetchJWTSVID): the first SVID returned.
   *
   * @throws IllegalArgumentException if an audience is empty
   * @throws WorkloadApiException on failure, or of kind {@code INVALID_RESPONSE} if the answer breaks WAPI-10
   */
  JwtSvid fetchJwtSvid(String audience, String... moreAudiences);

  /**
   * A JWT-SVID of the given identity of the workload for the audience.
   *
   * @throws IllegalArgumentException if an audience is empty
   * @throws WorkloadApiException on failure (kind {@code NO_IDENTITY} if the workload is not entitled to
   *     {@code subject}), or of kind {@code INVALID_RESPONSE} if the answer breaks WAPI-10 or names another subject
   */
  JwtSvid fetchJwtSvid(SpiffeId subject, String audience, String... moreAudiences);

  /**
   * JWT-SVIDs of every identity of the workload for the audience, default first; an unmodifiable list.
   *
   * @throws IllegalArgumentException if an audience is empty
   * @throws WorkloadApiException on failure, or of kind {@code INVALID_RESPONSE} if the answer breaks WAPI-10
   */
  List<JwtSvid> fetchJwtSvids(String audience, String... moreAudiences);

  /**
   * Has the endpoint validate a JWT-SVID for one audience (ValidateJWTSVID, WAPI-12/13) and returns it parsed. The
   * endpoint checks the signature with the bundle of the token's trust domain, the expiry and the audience.
   *
   * @throws IllegalArgumentException if {@code token} or {@code audience} is empty
   * @throws WorkloadApiException of kind {@code INVALID_ARGUMENT} (not retryable) when the endpoint judges the token
   *     invalid, or on any other failure
   */
  JwtSvid validateJwtSvid(String token, String audience);
}
