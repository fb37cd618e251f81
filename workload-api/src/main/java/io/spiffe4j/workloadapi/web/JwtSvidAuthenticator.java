package io.spiffe4j.workloadapi.web;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.bundle.JwtBundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.workloadapi.WorkloadApiCalls;
import io.spiffe4j.workloadapi.WorkloadApiException;
import io.spiffe4j.workloadapi.web.JwtAuthenticationException.Failure;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * Authenticates an HTTP request by the JWT-SVID in its {@code Authorization: Bearer} header (JWT-11): the heart of
 * the servlet and JDK {@code HttpServer} filters, and usable from any other framework.
 *
 * <pre>{@code
 * JwtSvidAuthenticator authenticator = JwtSvidAuthenticator.local(jwtSource, "spiffe://example.org/orders");
 * SpiffeId caller = authenticator.authenticate(request.getHeader("Authorization"));
 * }</pre>
 *
 * <p>Tokens are checked either locally, against the JWT bundles of a (live) bundle source such as a
 * {@code JwtSource}, with a {@link JwtSvidValidator} and its security guarantees; or by the Workload API's
 * ValidateJWTSVID, where the agent checks the token against the bundles it holds (what WAPI-13 recommends where
 * supported). Local validation costs no call per request; the agent keeps the decision in one place.
 *
 * <p>Every failure is a {@link JwtAuthenticationException} whose {@link Failure} says how to answer the client;
 * messages never contain the token. Immutable and thread-safe.
 */
public final class JwtSvidAuthenticator {
  /**
   * The request attribute under which the filters put the authenticated caller's {@link SpiffeId}: a servlet
   * request attribute, or an {@code HttpExchange} attribute.
   */
  public static final String CALLER_ID_ATTRIBUTE = "io.spiffe4j.caller.spiffeId";

  private static final String BEARER = "Bearer";

  private final Function<String, JwtSvid> check;
  private final String description;

  private JwtSvidAuthenticator(Function<String, JwtSvid> check, String description) {
    this.check = check;
    this.description = description;
  }

  /**
   * Validates tokens locally against {@code bundles}, accepting tokens for any one of the audiences.
   *
   * @throws IllegalArgumentException if an audience is empty
   */
  public static JwtSvidAuthenticator local(JwtBundleSource bundles, String audience, String... moreAudiences) {
    Objects.requireNonNull(audience, "audience");
    Objects.requireNonNull(moreAudiences, "moreAudiences");
    return of(JwtSvidValidator.builder().bundleSource(bundles).expectAudience(audience)
        .expectAudience(moreAudiences).build());
  }

  /** Validates tokens locally with {@code validator}: its bundle source, audiences, clock and leeway. */
  public static JwtSvidAuthenticator of(JwtSvidValidator validator) {
    Objects.requireNonNull(validator, "validator");
    return new JwtSvidAuthenticator(validator::validate, validator.toString());
  }

  /**
   * Has the Workload API validate tokens (ValidateJWTSVID) for {@code audience}, with the deadline of
   * {@code calls} (a client, or a client's {@code withDeadline} view). A token that is not even a well-formed
   * JWT-SVID is refused without a call.
   *
   * @throws IllegalArgumentException if {@code audience} is empty
   */
  public static JwtSvidAuthenticator viaWorkloadApi(WorkloadApiCalls calls, String audience) {
    Objects.requireNonNull(calls, "calls");
    Objects.requireNonNull(audience, "audience");
    if (audience.isEmpty()) {
      throw new IllegalArgumentException("audience must not be empty");
    }
    return new JwtSvidAuthenticator(token -> {
      JwtSvid.parseInsecure(token);
      return calls.validateJwtSvid(token, audience);
    }, "viaWorkloadApi(" + calls + ", audience=" + audience + ")");
  }

  /**
   * The SPIFFE ID of the caller whose {@code Authorization} header value this is.
   *
   * @param authorization the header value, or null if the request has none
   * @throws JwtAuthenticationException if the header is missing, not a single bearer token, the token is invalid,
   *     or it could not be checked
   */
  public SpiffeId authenticate(String authorization) {
    return authenticateSvid(authorization).id();
  }

  /**
   * The SPIFFE ID of the caller whose request carries these {@code Authorization} header values (every one, in
   * order): exactly one is required, as a request with two credentials is ambiguous.
   *
   * @throws JwtAuthenticationException as {@link #authenticate(String)}, or of failure {@code NOT_BEARER} if there
   *     is more than one value
   */
  public SpiffeId authenticate(List<String> authorizationValues) {
    Objects.requireNonNull(authorizationValues, "authorizationValues");
    if (authorizationValues.size() > 1) {
      throw new JwtAuthenticationException(Failure.NOT_BEARER,
          "the request has " + authorizationValues.size() + " Authorization headers, not one", "JWT-11", null);
    }
    return authenticate(authorizationValues.isEmpty() ? null : authorizationValues.get(0));
  }

  /**
   * As {@link #authenticate}, returning the whole validated token, for its claims. The token is a bearer secret:
   * do not log or forward it.
   *
   * @throws JwtAuthenticationException as {@link #authenticate}
   */
  public JwtSvid authenticateSvid(String authorization) {
    String token = bearerToken(authorization);
    try {
      return check.apply(token);
    } catch (JwtSvidException e) {
      throw new JwtAuthenticationException(Failure.INVALID_TOKEN, "invalid JWT-SVID: " + e.reason(),
          e.rule().orElse(null), e);
    } catch (WorkloadApiException e) {
      // The agent answers INVALID_ARGUMENT for a token it rejects; anything else is the agent's or the channel's.
      Failure failure = e.kind() == WorkloadApiException.Kind.INVALID_ARGUMENT ? Failure.INVALID_TOKEN
          : Failure.UNAVAILABLE;
      throw new JwtAuthenticationException(failure, "the Workload API did not validate the JWT-SVID: " + e.reason(),
          e.rule().orElse(null), e);
    } catch (SpiffeException e) {
      throw new JwtAuthenticationException(Failure.UNAVAILABLE, "the JWT-SVID could not be checked: " + e.reason(),
          e.rule().orElse(null), e);
    }
  }

  /** The token of a single {@code Bearer} credential; the scheme is case-insensitive (RFC 7235 §2.1). */
  private static String bearerToken(String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new JwtAuthenticationException(Failure.MISSING_CREDENTIALS, "no Authorization header", "JWT-11", null);
    }
    String value = authorization.strip();
    int space = value.indexOf(' ');
    String scheme = space < 0 ? value : value.substring(0, space);
    if (!scheme.equalsIgnoreCase(BEARER)) {
      // The scheme of a well-formed header is a token; anything longer is not repeated in logs.
      String shown = scheme.length() <= 20 && scheme.chars().allMatch(Character::isLetterOrDigit) ? scheme : "?";
      throw new JwtAuthenticationException(Failure.NOT_BEARER,
          "the Authorization header uses the scheme \"" + shown + "\", not Bearer", "JWT-11", null);
    }
    String token = space < 0 ? "" : value.substring(space + 1).strip();
    if (token.isEmpty() || token.indexOf(' ') >= 0) {
      throw new JwtAuthenticationException(Failure.INVALID_TOKEN,
          "the Authorization header has no single bearer token", "JWT-11", null);
    }
    return token;
  }

  @Override
  public String toString() {
    return "JwtSvidAuthenticator{" + description + "}";
  }
}
