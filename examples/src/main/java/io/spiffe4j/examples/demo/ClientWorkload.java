package io.spiffe4j.examples.demo;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import io.spiffe4j.tls.SpiffeTls;
import io.spiffe4j.workloadapi.WorkloadApiAddress;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;

/**
 * A client workload: it calls the server over mTLS and accepts only the server's SPIFFE ID; it can add a JWT-SVID as
 * bearer token. Its SVID, the bundle it trusts the server by, and its JWT-SVIDs all come from its Workload API
 * socket.
 *
 * <p>Calls use {@link HttpsURLConnection}, which starts no thread of its own; {@code java.net.http.HttpClient} works
 * the same way with {@code HttpClient.newBuilder().sslContext(tls)}. Thread-safe. {@link #close()} closes its
 * Workload API sources.
 */
final class ClientWorkload implements AutoCloseable {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

  private final WorkloadIdentity identity;
  private final SSLContext tls;

  private ClientWorkload(WorkloadIdentity identity, SSLContext tls) {
    this.identity = identity;
    this.tls = tls;
  }

  /** Fetches the client's identity from the Workload API at {@code address}; it will accept only {@code server}. */
  static ClientWorkload start(WorkloadApiAddress address, SpiffeId server) {
    WorkloadIdentity identity = WorkloadIdentity.connect(address);
    try {
      // As on the server, the X509Source is the key and the trust material of every handshake.
      return new ClientWorkload(identity,
          SpiffeSslContextBuilder.mtlsClient(identity.x509(), identity.x509(), Authorizer.id(server)).build());
    } catch (RuntimeException e) {
      identity.close();
      throw e;
    }
  }

  /** The client's Workload API view: its SVID and bundles. */
  WorkloadIdentity identity() {
    return identity;
  }

  /** A JWT-SVID of this workload for {@code audience}, from the Workload API (cached until half its lifetime). */
  JwtSvid jwtSvid(String audience) {
    return identity.jwt().fetchJwtSvid(audience);
  }

  /** A GET over mTLS. */
  Response get(URI uri) throws IOException {
    return get(uri, null);
  }

  /**
   * A GET over mTLS, with {@code bearer} in the {@code Authorization} header unless it is null.
   *
   * @throws IOException if the connection fails, for example because either side refused the other's SVID
   */
  Response get(URI uri, JwtSvid bearer) throws IOException {
    HttpsURLConnection connection = (HttpsURLConnection) uri.toURL().openConnection();
    connection.setSSLSocketFactory(tls.getSocketFactory());
    // SVIDs name workloads by SPIFFE ID, not by host name: the authorizer has checked the server's ID already.
    connection.setHostnameVerifier(SpiffeTls.hostnameVerifier());
    connection.setConnectTimeout((int) CALL_TIMEOUT.toMillis());
    connection.setReadTimeout((int) CALL_TIMEOUT.toMillis());
    if (bearer != null) {
      connection.setRequestProperty("Authorization", "Bearer " + bearer.token());
    }
    try {
      // Connecting runs the TLS handshake; the session is read before an error status may close the connection.
      connection.connect();
      VerifiedX509Svid server = SpiffeTls.peerSvid(connection.getSSLSession().orElseThrow());
      int status = connection.getResponseCode();
      return new Response(status, body(status < 400 ? connection.getInputStream() : connection.getErrorStream()),
          server);
    } finally {
      connection.disconnect();
    }
  }

  private static String body(InputStream stream) throws IOException {
    if (stream == null) {
      return "";
    }
    try (stream) {
      return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * An answer of the server.
   *
   * @param status the HTTP status
   * @param body the body, empty if there is none
   * @param server the server's SVID as this client's handshake verified and authorized it
   */
  record Response(int status, String body, VerifiedX509Svid server) {
  }

  @Override
  public void close() {
    identity.close();
  }
}
