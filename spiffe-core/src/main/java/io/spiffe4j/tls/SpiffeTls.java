package io.spiffe4j.tls;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import java.util.Objects;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLSession;

/**
 * Who is the peer of a connection made with a {@link SpiffeTrustManager} (every {@link SpiffeSslContextBuilder}
 * context that checks peers has one), and how to use such a connection with
 * {@link javax.net.ssl.HttpsURLConnection}. Stateless and thread-safe.
 *
 * <p>The answers come from what the trust manager attached to the session when it verified and authorized the peer
 * during the session's handshake; no certificate is parsed again. So a SPIFFE ID obtained here is always an
 * authenticated, authorized one: a session whose handshake no {@code SpiffeTrustManager} checked (made by another
 * context, or where the peer presented no certificate) has none, even if the peer's certificate carries a SPIFFE ID.
 */
public final class SpiffeTls {
  private SpiffeTls() {
  }

  /**
   * The peer that the trust manager verified and authorized in this session's handshake: its SPIFFE ID and its
   * verified chain, leaf first, ending with the trust anchor from the bundle.
   *
   * @throws X509SvidException if no {@link SpiffeTrustManager} verified a peer in this session's handshake: the
   *     peer presented no certificate (a client of a {@code tlsServer}), or the session was made by another context
   */
  public static VerifiedX509Svid peerSvid(SSLSession session) {
    Objects.requireNonNull(session, "session");
    Object peer = session.getValue(SpiffeTrustManager.PEER_SVID);
    if (peer instanceof VerifiedX509Svid) {
      return (VerifiedX509Svid) peer;
    }
    throw new X509SvidException("the TLS session has no SPIFFE peer: no SpiffeTrustManager verified a peer X509-SVID"
        + " in its handshake (the peer presented no certificate, or another SSLContext made the connection)", null);
  }

  /**
   * The SPIFFE ID of the peer that the trust manager verified and authorized in this session's handshake.
   *
   * @throws X509SvidException as {@link #peerSvid}
   */
  public static SpiffeId peerId(SSLSession session) {
    return peerSvid(session).id();
  }

  /**
   * A host name verifier for {@link javax.net.ssl.HttpsURLConnection#setHostnameVerifier}: it accepts a session
   * exactly when a {@link SpiffeTrustManager} verified and authorized the server in its handshake, whatever the host
   * name. SVIDs identify workloads by SPIFFE ID and usually carry no DNS name, so the authorizer, not the host name,
   * is the identity check. Sessions of other contexts are refused.
   *
   * <p>{@code HttpsURLConnection} needs it only when the application installed its own default verifier with
   * {@code setDefaultHostnameVerifier}: with the JDK's default verifier it delegates the host name check to the
   * trust manager, which ignores it (see {@link SpiffeTrustManager}).
   */
  public static HostnameVerifier hostnameVerifier() {
    return (host, session) -> {
      try {
        peerSvid(session);
        return true;
      } catch (SpiffeException notSpiffe) {
        return false;
      }
    };
  }
}
