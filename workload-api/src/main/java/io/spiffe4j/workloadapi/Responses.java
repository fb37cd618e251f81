package io.spiffe4j.workloadapi;

import com.google.protobuf.ByteString;
import io.spiffe4j.SpiffeException;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.JWTSVID;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVID;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps Workload API messages to spiffe4j values, checking what the standard makes mandatory. A message that breaks
 * a rule ends in a {@link WorkloadApiException} of kind {@link Kind#INVALID_RESPONSE}, and its caller discards the
 * whole message (WAPI-06): a partial state would silently drop identities or trust. CRLs are not used.
 */
final class Responses {
  private static final Logger LOG = LoggerFactory.getLogger(Responses.class);

  private Responses() {
  }

  /** FetchX509SVID: SVIDs in order, duplicate hints dropped, own and federated bundles (WAPI-08, WAPI-15). */
  static X509Context x509Context(X509SVIDResponse response) {
    require(response.getSvidsCount() > 0, "X509SVIDResponse has no SVIDs", "WAPI-08");
    List<X509Svid> svids = new ArrayList<>();
    Set<String> hints = new HashSet<>();
    Map<TrustDomain, X509Bundle> bundles = new LinkedHashMap<>();
    for (int i = 0; i < response.getSvidsCount(); i++) {
      X509SVID svid = response.getSvids(i);
      X509Svid parsed = x509Svid(svid, i);
      // Every SVID of a trust domain carries that trust domain's bundle; the first one stands for all.
      TrustDomain trustDomain = parsed.id().trustDomain();
      if (!bundles.containsKey(trustDomain)) {
        bundles.put(trustDomain, parse("bundle of SVID " + i, () -> X509Bundle.parseDer(trustDomain, bytes(svid.getBundle()))));
      }
      if (!svid.getHint().isEmpty() && !hints.add(svid.getHint())) {
        LOG.warn("Workload API sent SVID {} ({}) with the hint \"{}\" of an earlier SVID; keeping the first (WAPI-08)",
            i, parsed.id(), svid.getHint());
        continue;
      }
      svids.add(parsed.withHint(svid.getHint()));
    }
    for (Map.Entry<String, ByteString> federated : response.getFederatedBundlesMap().entrySet()) {
      TrustDomain trustDomain = trustDomain(federated.getKey(), "federated bundle");
      X509Bundle bundle = parse("federated bundle of " + trustDomain,
          () -> X509Bundle.parseDer(trustDomain, bytes(federated.getValue())));
      // An SVID's own bundle is authoritative for its trust domain; bundles are never merged (FED-05).
      bundles.putIfAbsent(trustDomain, bundle);
    }
    return new X509Context(svids, BundleSet.ofX509Bundles(bundles.values()));
  }

  private static X509Svid x509Svid(X509SVID svid, int index) {
    String what = "SVID " + index;
    require(!svid.getSpiffeId().isEmpty(), what + " has no spiffe_id", "WAPI-08");
    require(!svid.getX509Svid().isEmpty(), what + " has no x509_svid", "WAPI-08");
    require(!svid.getX509SvidKey().isEmpty(), what + " has no x509_svid_key", "WAPI-08");
    require(!svid.getBundle().isEmpty(), what + " has no bundle", "WAPI-08");
    SpiffeId declared = spiffeId(svid.getSpiffeId(), what);
    X509Svid parsed = parse(what, () -> X509Svid.parseRaw(bytes(svid.getX509Svid()), bytes(svid.getX509SvidKey())));
    require(parsed.id().equals(declared), what + " declares " + declared + " but its certificate is " + parsed.id(),
        "WAPI-08");
    return parsed;
  }

  /** FetchX509Bundles: at least one bundle, each keyed by its trust domain's SPIFFE ID (WAPI-09). */
  static BundleSet x509Bundles(X509BundlesResponse response) {
    require(response.getBundlesCount() > 0, "X509BundlesResponse has no bundles", "WAPI-09");
    List<X509Bundle> bundles = new ArrayList<>();
    for (Map.Entry<String, ByteString> entry : response.getBundlesMap().entrySet()) {
      TrustDomain trustDomain = trustDomain(entry.getKey(), "X.509 bundle");
      bundles.add(parse("X.509 bundle of " + trustDomain,
          () -> X509Bundle.parseDer(trustDomain, bytes(entry.getValue()))));
    }
    return distinct(() -> BundleSet.ofX509Bundles(bundles), "WAPI-09");
  }

  /** FetchJWTBundles: at least one JWK Set, keyed by trust domain SPIFFE ID; keys may omit {@code use} (WAPI-11). */
  static BundleSet jwtBundles(JWTBundlesResponse response) {
    require(response.getBundlesCount() > 0, "JWTBundlesResponse has no bundles", "WAPI-11");
    List<JwtBundle> bundles = new ArrayList<>();
    for (Map.Entry<String, ByteString> entry : response.getBundlesMap().entrySet()) {
      TrustDomain trustDomain = trustDomain(entry.getKey(), "JWT bundle");
      bundles.add(parse("JWT bundle of " + trustDomain, () -> JwtBundle.parse(trustDomain, bytes(entry.getValue()))));
    }
    return distinct(() -> BundleSet.ofJwtBundles(bundles), "WAPI-11");
  }

  /** FetchJWTSVID: at least one SVID, every field but the hint set (WAPI-10). */
  static List<JwtSvid> jwtSvids(JWTSVIDResponse response) {
    require(response.getSvidsCount() > 0, "JWTSVIDResponse has no SVIDs", "WAPI-10");
    List<JwtSvid> svids = new ArrayList<>();
    for (int i = 0; i < response.getSvidsCount(); i++) {
      JWTSVID svid = response.getSvids(i);
      String what = "JWT-SVID " + i;
      require(!svid.getSpiffeId().isEmpty(), what + " has no spiffe_id", "WAPI-10");
      require(!svid.getSvid().isEmpty(), what + " has no svid", "WAPI-10");
      svids.add(jwtSvid(svid.getSvid(), spiffeId(svid.getSpiffeId(), what), what, "WAPI-10"));
    }
    return List.copyOf(svids);
  }

  /** ValidateJWTSVID: the endpoint's verdict names the token's subject and has claims (WAPI-12). */
  static JwtSvid validated(ValidateJWTSVIDResponse response, String token) {
    require(!response.getSpiffeId().isEmpty(), "ValidateJWTSVIDResponse has no spiffe_id", "WAPI-12");
    require(response.hasClaims(), "ValidateJWTSVIDResponse has no claims", "WAPI-12");
    return jwtSvid(token, spiffeId(response.getSpiffeId(), "validated JWT-SVID"), "validated JWT-SVID", "WAPI-12");
  }

  /** The token came from (or was vouched for by) the endpoint over a local channel, so it is parsed, not verified. */
  private static JwtSvid jwtSvid(String token, SpiffeId declared, String what, String rule) {
    JwtSvid svid = parse(what, () -> JwtSvid.parseInsecure(token));
    require(svid.id().equals(declared), what + " is declared for " + declared + " but its subject is " + svid.id(),
        rule);
    return svid;
  }

  private static SpiffeId spiffeId(String value, String what) {
    return parse(what + " spiffe_id", () -> SpiffeId.parse(value));
  }

  private static TrustDomain trustDomain(String key, String what) {
    return parse(what + " key", () -> TrustDomain.parse(key));
  }

  private static BundleSet distinct(Supplier<BundleSet> set, String rule) {
    try {
      return set.get();
    } catch (IllegalArgumentException e) {
      // Two keys (for example "spiffe://td" and "td") named one trust domain.
      throw invalid("two bundles for one trust domain", rule, null);
    }
  }

  private static <T> T parse(String what, Supplier<T> parser) {
    try {
      return parser.get();
    } catch (SpiffeException e) {
      throw invalid(what + " is invalid: " + e.reason(), e.rule().orElse(null), e);
    }
  }

  private static void require(boolean condition, String problem, String rule) {
    if (!condition) {
      throw invalid(problem, rule, null);
    }
  }

  private static WorkloadApiException invalid(String problem, String rule, Throwable cause) {
    return new WorkloadApiException(Kind.INVALID_RESPONSE, null, "invalid Workload API response: " + problem, rule,
        cause);
  }

  private static byte[] bytes(ByteString bytes) {
    return bytes.toByteArray();
  }
}
