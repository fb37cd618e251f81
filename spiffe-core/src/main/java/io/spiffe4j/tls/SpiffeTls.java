package io.spiffe4j.tls;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.X509SvidException;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Helpers for connections made with a {@link SpiffeSslContextBuilder} context: who is the peer, and how to use such
 * a context with {@link javax.net.ssl.HttpsURLConnection}. Stateless and thread-safe.
 */
public final class SpiffeTls {
  private static final int URI_SAN = 6;

  private SpiffeTls() {
  }

  /**
   * The SPIFFE ID of the peer of an established session, from the URI SAN of the peer's leaf certificate.
   *
   * <p>This re-reads the certificate the peer presented in this session; it does not verify it again. On a
   * connection whose context uses a {@link SpiffeTrustManager}, that trust manager already verified the chain and
   * ran the authorizer during this handshake, so the ID is authenticated. On a session of any other context it is
   * only what the peer claims.
   *
   * @throws X509SvidException if the peer presented no certificate (for example a client of a {@code tlsServer}),
   *     or its leaf does not carry exactly one URI SAN (X509-01/02)
   * @throws io.spiffe4j.id.InvalidSpiffeIdException if the URI SAN is not a valid SPIFFE ID
   */
  public static SpiffeId peerId(SSLSession session) {
    Objects.requireNonNull(session, "session");
    Certificate[] certificates;
    try {
      certificates = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      throw new X509SvidException("the TLS peer is not authenticated: it presented no certificate", null, e);
    }
    if (certificates.length == 0 || !(certificates[0] instanceof X509Certificate)) {
      throw new X509SvidException("the TLS peer presented no X.509 certificate", null);
    }
    return idOf((X509Certificate) certificates[0]);
  }

  /**
   * A host name verifier for {@link javax.net.ssl.HttpsURLConnection#setHostnameVerifier} on connections whose
   * socket factory comes from a {@link SpiffeSslContextBuilder} context. It accepts a session whose peer presented
   * a certificate with a SPIFFE ID, whatever the host name: during the handshake the context's trust manager verified
   * that SVID and the authorizer allowed its ID, and that, not the host name, is the identity check for SVIDs, which
   * carry no DNS names. Never use it with other socket factories, where it would accept any certificate.
   *
   * <p>{@code HttpsURLConnection} needs it only when the application installed its own default verifier with
   * {@code setDefaultHostnameVerifier}: with the JDK's default verifier it delegates host name checks to the trust
   * manager, which ignores them (see {@link SpiffeTrustManager}).
   */
  public static HostnameVerifier hostnameVerifier() {
    return (host, session) -> {
      try {
        peerId(session);
        return true;
      } catch (SpiffeException notSpiffe) {
        return false;
      }
    };
  }

  private static SpiffeId idOf(X509Certificate leaf) {
    List<String> uris = new ArrayList<>();
    try {
      Collection<List<?>> names = leaf.getSubjectAlternativeNames();
      if (names != null) {
        for (List<?> name : names) {
          if (name.size() == 2 && Integer.valueOf(URI_SAN).equals(name.get(0)) && name.get(1) instanceof String) {
            uris.add((String) name.get(1));
          }
        }
      }
    } catch (CertificateParsingException e) {
      throw new X509SvidException("the TLS peer's certificate has an unreadable SAN extension", "X509-01", e);
    }
    if (uris.size() != 1) {
      throw new X509SvidException("the TLS peer's certificate has " + uris.size() + " URI SANs, not exactly one",
          uris.isEmpty() ? "X509-01" : "X509-02");
    }
    return SpiffeId.parse(uris.get(0));
  }
}
