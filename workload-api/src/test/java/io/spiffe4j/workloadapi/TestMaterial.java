package io.spiffe4j.workloadapi;

import com.google.protobuf.ByteString;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.workloadapi.internal.proto.JWTBundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509BundlesResponse;
import io.spiffe4j.workloadapi.internal.proto.X509SVID;
import io.spiffe4j.workloadapi.internal.proto.X509SVIDResponse;
import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * Trust domains, CAs, SVIDs and JWT keys minted once per run with {@code io.spiffe4j.mint}, and the Workload API
 * messages that carry them. Keys are generated once: EC P-256 only, which is fast.
 */
final class TestMaterial {
  static final TrustDomain EXAMPLE = TrustDomain.parse("example.org");
  static final TrustDomain FEDERATED = TrustDomain.parse("federated.org");
  static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  static final SpiffeId DB = SpiffeId.parse("spiffe://example.org/db");
  static final String KEY_ID = "jwt-key-1";

  private static final Instant NOW = Instant.now();
  static final KeyPair EXAMPLE_CA_KEY = KeyAlgorithm.EC_P256.generate();
  static final X509Certificate EXAMPLE_CA = ca(EXAMPLE, EXAMPLE_CA_KEY);
  static final KeyPair FEDERATED_CA_KEY = KeyAlgorithm.EC_P256.generate();
  static final X509Certificate FEDERATED_CA = ca(FEDERATED, FEDERATED_CA_KEY);
  static final KeyPair JWT_KEY = KeyAlgorithm.EC_P256.generate();
  private static final KeyPair LEAF_KEY = KeyAlgorithm.EC_P256.generate();

  private TestMaterial() {
  }

  private static X509Certificate ca(TrustDomain trustDomain, KeyPair key) {
    return CertificateMinter.ca(key.getPublic(), trustDomain.id()).validFor(NOW, Duration.ofHours(2)).sign(key.getPrivate());
  }

  static X509Certificate leaf(SpiffeId id) {
    return CertificateMinter.x509Svid(LEAF_KEY.getPublic(), id)
        .validFor(NOW, Duration.ofHours(1))
        .issuedBy(EXAMPLE_CA, EXAMPLE_CA_KEY.getPrivate())
        .sign(null);
  }

  /** The Workload API form of an SVID of example.org, with its bundle. */
  static X509SVID svid(SpiffeId id, String hint) {
    return X509SVID.newBuilder()
        .setSpiffeId(id.toString())
        .setX509Svid(der(leaf(id)))
        .setX509SvidKey(ByteString.copyFrom(LEAF_KEY.getPrivate().getEncoded()))
        .setBundle(der(EXAMPLE_CA))
        .setHint(hint)
        .build();
  }

  static X509SVIDResponse x509Response(boolean withFederated, X509SVID... svids) {
    X509SVIDResponse.Builder response = X509SVIDResponse.newBuilder();
    for (X509SVID svid : svids) {
      response.addSvids(svid);
    }
    if (withFederated) {
      response.putFederatedBundles(FEDERATED.idString(), der(FEDERATED_CA));
    }
    return response.build();
  }

  static X509BundlesResponse x509Bundles(boolean withFederated) {
    X509BundlesResponse.Builder response = X509BundlesResponse.newBuilder().putBundles(EXAMPLE.idString(), der(EXAMPLE_CA));
    if (withFederated) {
      response.putBundles(FEDERATED.idString(), der(FEDERATED_CA));
    }
    return response.build();
  }

  static JwtBundle jwtBundle() {
    return JwtBundle.of(EXAMPLE, Map.of(KEY_ID, JWT_KEY.getPublic()));
  }

  /** JWT bundles as SPIRE sends them: a JWK Set whose keys have no {@code use} (WAPI-11). */
  static JWTBundlesResponse jwtBundles() {
    String jwks = new String(jwtBundle().marshal(), java.nio.charset.StandardCharsets.UTF_8);
    String withoutUse = jwks.replace("\"use\":\"jwt-svid\",", "").replace(",\"use\":\"jwt-svid\"", "");
    return JWTBundlesResponse.newBuilder()
        .putBundles(EXAMPLE.idString(), ByteString.copyFromUtf8(withoutUse))
        .build();
  }

  static String token(SpiffeId subject, String... audience) {
    return JwtSvidMinter.forSubject(subject)
        .audience(audience)
        .expiry(NOW.plus(Duration.ofMinutes(30)))
        .keyId(KEY_ID)
        .sign(JWT_KEY.getPrivate());
  }

  static ByteString der(X509Certificate... certificates) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (X509Certificate certificate : certificates) {
        out.write(certificate.getEncoded());
      }
    } catch (GeneralSecurityException | java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return ByteString.copyFrom(out.toByteArray());
  }
}
