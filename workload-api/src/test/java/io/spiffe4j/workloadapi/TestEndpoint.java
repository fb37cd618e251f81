package io.spiffe4j.workloadapi;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.Status;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.workloadapi.internal.proto.ValidateJWTSVIDResponse;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;

/**
 * A fake Workload API endpoint for tests in other packages (provider, web filters), which cannot reach the
 * package-private {@link FakeWorkloadApi} and {@link TestMaterial}. It serves the X509-SVIDs of {@link #WEB} (hint
 * "web", first) and {@link #DB} (hint "db") of example.org, the example.org JWT bundle, and a ValidateJWTSVID that
 * validates against that bundle and answers INVALID_ARGUMENT for a token it rejects, as SPIRE does.
 */
public final class TestEndpoint implements AutoCloseable {
  public static final SpiffeId WEB = TestMaterial.WEB;
  public static final SpiffeId DB = TestMaterial.DB;

  private final FakeWorkloadApi server;
  private final WorkloadApiClient client;

  private TestEndpoint(Path socket) {
    server = FakeWorkloadApi.start(socket, Transport.Io.best());
    server.setX509Context(TestMaterial.x509Response(false, TestMaterial.svid(WEB, "web"),
        TestMaterial.svid(DB, "db")));
    server.setJwtBundles(TestMaterial.jwtBundles());
    server.setValidator(request -> {
      JwtSvid svid;
      try {
        svid = JwtSvidValidator.builder().bundleSource(TestMaterial.jwtBundle())
            .expectAudience(request.getAudience()).build().validate(request.getSvid());
      } catch (JwtSvidException e) {
        throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
      }
      return ValidateJWTSVIDResponse.newBuilder().setSpiffeId(svid.id().toString())
          .setClaims(Struct.newBuilder().putFields("sub", Value.newBuilder().setStringValue(svid.id().toString())
              .build()))
          .build();
    });
    client = WorkloadApiClient.builder().address(server.address()).build();
  }

  /** An endpoint on a Unix socket at {@code socket}. */
  public static TestEndpoint start(Path socket) {
    return new TestEndpoint(socket);
  }

  /** The endpoint's address, as {@code SPIFFE_ENDPOINT_SOCKET} would hold it. */
  public String address() {
    return server.address().toString();
  }

  /** A client of this endpoint, closed with it. */
  public WorkloadApiClient client() {
    return client;
  }

  /** A source on the shared client serving the SVID with {@code hint}. */
  public X509Source x509Source(String hint) {
    return X509Source.builder().client(client).svidHint(hint).initTimeout(Duration.ofSeconds(10)).build();
  }

  /** The number of ValidateJWTSVID calls so far. */
  public int validateCalls() {
    return server.calls(FakeWorkloadApi.VALIDATE_JWT_SVID);
  }

  /** Makes ValidateJWTSVID fail with UNAVAILABLE from now on. */
  public void failValidation() {
    server.setValidator(request -> {
      throw Status.UNAVAILABLE.asRuntimeException();
    });
  }

  /** The example.org JWT bundle the endpoint serves. */
  public static JwtBundle jwtBundle() {
    return TestMaterial.jwtBundle();
  }

  /** A token for {@code subject} and {@code audience}, signed by the bundle's key, valid for 30 minutes. */
  public static String token(SpiffeId subject, String... audience) {
    return TestMaterial.token(subject, audience);
  }

  /** A token that looks like {@link #token} (same {@code kid}) but is signed by a key outside the bundle. */
  public static String forgedToken(SpiffeId subject, String... audience) {
    return sign(JwtSvidMinter.forSubject(subject).audience(audience).expiry(Instant.now().plusSeconds(600)),
        KeyAlgorithm.EC_P256.generate().getPrivate());
  }

  /** A token signed by the bundle's key that expired ten minutes ago. */
  public static String expiredToken(SpiffeId subject, String... audience) {
    return sign(JwtSvidMinter.forSubject(subject).audience(audience).expiry(Instant.now().minusSeconds(600)),
        TestMaterial.JWT_KEY.getPrivate());
  }

  private static String sign(JwtSvidMinter minter, PrivateKey key) {
    return minter.keyId(TestMaterial.KEY_ID).sign(key);
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
