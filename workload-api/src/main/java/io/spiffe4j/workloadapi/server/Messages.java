package io.spiffe4j.workloadapi.server;

import com.google.protobuf.ByteString;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.JWTSVID;
import io.spiffe4j.workloadapi.internal.proto.JWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVID;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.io.ByteArrayOutputStream;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a provider's state into Workload API messages, in the forms SPIRE sends: DER certificates and PKCS#8 keys
 * (X509-21), bundles keyed by the trust domain's SPIFFE ID, JWK Sets without {@code use} (WAPI-11). A state that
 * cannot be sent (an SVID without its trust domain's bundle, a key that does not export) is the provider's fault and
 * ends the call with {@code INTERNAL}.
 */
final class Messages {
  private Messages() {
  }

  /** FetchX509SVID: the SVIDs in order, each with its trust domain's bundle; the other bundles as federated. */
  static X509SVIDResponse x509Svids(X509Context context) {
    X509SVIDResponse.Builder response = X509SVIDResponse.newBuilder();
    Set<TrustDomain> own = new HashSet<>();
    Set<String> hints = new HashSet<>();
    for (X509Svid svid : context.svids()) {
      if (!svid.hint().isEmpty() && !hints.add(svid.hint())) {
        throw internal("the identity provider gave the hint \"" + svid.hint() + "\" to two SVIDs (WAPI-08)");
      }
      TrustDomain trustDomain = svid.id().trustDomain();
      own.add(trustDomain);
      X509Bundle bundle = context.bundles().find(trustDomain).map(SpiffeBundle::x509Bundle)
          .filter(b -> !b.isEmpty())
          .orElseThrow(() -> internal("the identity provider gave no X.509 bundle for the trust domain of " + svid.id()));
      response.addSvids(X509SVID.newBuilder()
          .setSpiffeId(svid.id().toString())
          .setX509Svid(der(svid.chain()))
          .setX509SvidKey(pkcs8(svid))
          .setBundle(ByteString.copyFrom(bundle.marshalDer()))
          .setHint(svid.hint()));
    }
    for (SpiffeBundle bundle : context.bundles().bundles()) {
      if (!own.contains(bundle.trustDomain()) && !bundle.x509Bundle().isEmpty()) {
        response.putFederatedBundles(bundle.trustDomain().idString(),
            ByteString.copyFrom(bundle.x509Bundle().marshalDer()));
      }
    }
    return response.build();
  }

  /** FetchX509Bundles: every X.509 bundle of the context, own and federated (WAPI-09). */
  static X509BundlesResponse x509Bundles(X509Context context) {
    X509BundlesResponse.Builder response = X509BundlesResponse.newBuilder();
    for (SpiffeBundle bundle : context.bundles().bundles()) {
      if (!bundle.x509Bundle().isEmpty()) {
        response.putBundles(bundle.trustDomain().idString(), ByteString.copyFrom(bundle.x509Bundle().marshalDer()));
      }
    }
    return response.build();
  }

  /** FetchJWTBundles: each trust domain's JWT authorities as a JWK Set (WAPI-11). */
  static JWTBundlesResponse jwtBundles(BundleSet bundles) {
    if (bundles.isEmpty()) {
      throw internal("the identity provider gave no JWT bundle");
    }
    JWTBundlesResponse.Builder response = JWTBundlesResponse.newBuilder();
    for (SpiffeBundle bundle : bundles.bundles()) {
      response.putBundles(bundle.trustDomain().idString(), ByteString.copyFrom(bundle.jwtBundle().marshal()));
    }
    return response.build();
  }

  static JWTSVIDResponse jwtSvids(List<JwtSvid> svids) {
    JWTSVIDResponse.Builder response = JWTSVIDResponse.newBuilder();
    for (JwtSvid svid : svids) {
      response.addSvids(JWTSVID.newBuilder().setSpiffeId(svid.id().toString()).setSvid(svid.token()));
    }
    return response.build();
  }

  /** ValidateJWTSVID: the subject and every payload claim (WAPI-12). */
  static ValidateJWTSVIDResponse validated(JwtSvid svid) {
    return ValidateJWTSVIDResponse.newBuilder()
        .setSpiffeId(svid.id().toString())
        .setClaims(struct(svid.claims()))
        .build();
  }

  private static Struct struct(Map<String, Object> members) {
    Struct.Builder struct = Struct.newBuilder();
    members.forEach((name, value) -> struct.putFields(name, value(value)));
    return struct.build();
  }

  /**
   * A claim as a protobuf value. Struct has one number type, a double, as JSON has: integers beyond 2^53 lose
   * precision, as they do in SPIRE's {@code structpb} conversion.
   */
  @SuppressWarnings("unchecked")
  private static Value value(Object value) {
    Value.Builder result = Value.newBuilder();
    if (value == null) {
      result.setNullValue(NullValue.NULL_VALUE);
    } else if (value instanceof String) {
      result.setStringValue((String) value);
    } else if (value instanceof Boolean) {
      result.setBoolValue((Boolean) value);
    } else if (value instanceof Number) {
      result.setNumberValue(((Number) value).doubleValue());
    } else if (value instanceof List) {
      ListValue.Builder list = ListValue.newBuilder();
      ((List<Object>) value).forEach(element -> list.addValues(value(element)));
      result.setListValue(list);
    } else if (value instanceof Map) {
      result.setStructValue(struct((Map<String, Object>) value));
    } else {
      // JwtSvid.claims() holds only the JSON types above.
      throw internal("claim value of unexpected type " + value.getClass().getName());
    }
    return result.build();
  }

  private static ByteString der(List<X509Certificate> chain) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (X509Certificate certificate : chain) {
        out.writeBytes(certificate.getEncoded());
      }
    } catch (CertificateEncodingException e) {
      throw internal("a certificate of the identity provider does not encode: " + e.getMessage());
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  private static ByteString pkcs8(X509Svid svid) {
    PrivateKey key = svid.privateKey();
    byte[] encoded = "PKCS#8".equals(key.getFormat()) ? key.getEncoded() : null;
    if (encoded == null) {
      throw internal("the private key of " + svid.id() + " cannot be exported as PKCS#8");
    }
    return ByteString.copyFrom(encoded);
  }

  static StatusRuntimeException internal(String description) {
    return Status.INTERNAL.withDescription(description).asRuntimeException();
  }
}
