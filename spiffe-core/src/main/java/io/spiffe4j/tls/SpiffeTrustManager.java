package io.spiffe4j.tls;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSSE trust manager that accepts a TLS peer only if it presents a valid X509-SVID of a trusted trust domain and
 * the {@link Authorizer} allows its SPIFFE ID. Works as client and server, on SSLSocket and SSLEngine.
 *
 * <h2>Security guarantees</h2>
 * Every check runs {@link X509SvidVerifier#verify} on the presented chain (RFC 5280 path validation against the
 * bundle of the leaf's own trust domain, read from the bundle source at that moment, at the clock's instant, plus the
 * X509-SVID leaf rules) and then the authorizer on the resulting {@link VerifiedX509Svid}: the authorizer never sees
 * an unverified chain. Any failure is a {@link CertificateException} whose cause is the {@link SpiffeException}
 * naming what failed: an {@link io.spiffe4j.svid.x509.X509SvidException} whose rule says which check (X509-16 for the
 * path, WAPI-07 for a trust domain without bundle, ...) or an {@link AuthorizationException}; JSSE then fails the
 * handshake. The TLS {@code authType} plays no part: SPIFFE trust does not depend on the key exchange. On success,
 * the overloads taking a {@link Socket} or {@link SSLEngine} attach the {@link VerifiedX509Svid} to the handshake
 * session, where {@link SpiffeTls#peerSvid} finds it once the connection is up.
 *
 * <h2>No session resumption</h2>
 * A resumed TLS session skips the trust manager, so the connection would ride on an earlier decision: for the JDK's
 * default session lifetime of a day (longer than SVIDs usually live) and past bundle and policy changes. With the
 * JDK's JSSE this trust manager therefore marks every session it authenticates as not resumable (through the
 * handshake session): a server verifies and authorizes every client connection, and a client caches no TLS 1.2
 * session. A TLS 1.3 client still keeps the session tickets a server sends after the handshake; the client contexts
 * of {@link SpiffeSslContextBuilder} discard them before each connection. A client context assembled by hand with
 * this trust manager may resume with servers that issue tickets.
 *
 * <h2>No host name verification</h2>
 * X509-SVIDs identify workloads by a SPIFFE ID in a URI SAN, not by DNS names, so RFC 6125 host name checks do not
 * apply; the authorizer is the identity check. The overloads taking a {@link Socket} or {@link SSLEngine} therefore
 * ignore {@link javax.net.ssl.SSLParameters#getEndpointIdentificationAlgorithm()}, even when a client such as
 * {@code java.net.http.HttpClient} sets it to {@code HTTPS}. Because this class extends
 * {@link X509ExtendedTrustManager}, JSSE does not add its own host name check either. To require a DNS name as well,
 * wrap this trust manager in one that first delegates here and then matches the peer's DNS SANs against
 * {@code engine.getHandshakeSession().getPeerHost()}.
 *
 * <h2>No CA hints</h2>
 * {@link #getAcceptedIssuers()} is empty. SPIFFE trust is "the bundle of the peer's trust domain", which a source may
 * change at any time and which, with federation, spans many trust domains: a CA list sent in the handshake would be
 * stale, would disclose federation relationships to any peer, and would make peers whose key managers filter by it
 * withhold their SVID. An empty list tells a TLS 1.2 peer "any issuer".
 *
 * <p>Immutable and thread-safe, given a thread-safe bundle source and authorizer; share one instance.
 */
public final class SpiffeTrustManager extends X509ExtendedTrustManager {
  private static final Logger LOG = LoggerFactory.getLogger(SpiffeTrustManager.class);
  private static final X509Certificate[] NO_ISSUERS = new X509Certificate[0];
  /** The session value holding the peer this trust manager verified and authorized in the session's handshake. */
  static final String PEER_SVID = "io.spiffe4j.tls.peer-svid";

  private final X509SvidVerifier verifier;
  private final Authorizer authorizer;

  private SpiffeTrustManager(X509SvidVerifier verifier, Authorizer authorizer) {
    this.verifier = verifier;
    this.authorizer = authorizer;
  }

  /** Verifies peers against the bundle source at the system UTC clock's instant and authorizes them. */
  public static SpiffeTrustManager of(X509BundleSource bundleSource, Authorizer authorizer) {
    return of(bundleSource, authorizer, Clock.systemUTC());
  }

  /** Verifies peers against the bundle source at {@code clock}'s instant and authorizes them. */
  public static SpiffeTrustManager of(X509BundleSource bundleSource, Authorizer authorizer, Clock clock) {
    Objects.requireNonNull(bundleSource, "bundleSource");
    Objects.requireNonNull(authorizer, "authorizer");
    Objects.requireNonNull(clock, "clock");
    return new SpiffeTrustManager(X509SvidVerifier.of(bundleSource, clock), authorizer);
  }

  /**
   * Verifies and authorizes a chain, leaf first, as JSSE would; for callers outside a handshake.
   *
   * @throws SpiffeException if the chain is not a trusted X509-SVID or the authorizer rejects it
   */
  public VerifiedX509Svid verifyAndAuthorize(List<X509Certificate> chain) {
    return authorized(verifier.verify(Objects.requireNonNull(chain, "chain")));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "client", null);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    check(chain, "server", null);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "client", handshakeSession(socket));
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    check(chain, "server", handshakeSession(socket));
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "client", engine == null ? null : engine.getHandshakeSession());
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    check(chain, "server", engine == null ? null : engine.getHandshakeSession());
  }

  /** Always empty: SPIFFE peers get no CA hints (see the class documentation). */
  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return NO_ISSUERS;
  }

  @Override
  public String toString() {
    return "SpiffeTrustManager{authorizer=" + authorizer + "}";
  }

  /**
   * @throws IllegalArgumentException if the chain is null or empty, as {@link javax.net.ssl.X509TrustManager}
   *     specifies (JSSE itself rejects an empty peer chain before calling a trust manager)
   */
  private void check(X509Certificate[] chain, String role, SSLSession handshakeSession) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new IllegalArgumentException("the " + role + " certificate chain is null or empty");
    }
    VerifiedX509Svid peer;
    try {
      peer = authorized(verifier.verify(chain));
    } catch (SpiffeException e) {
      LOG.debug("rejected TLS {}: {}", role, e.getMessage());
      throw new CertificateException("untrusted " + role + ": " + e.getMessage(), e);
    }
    if (handshakeSession != null) {
      handshakeSession.invalidate();
      handshakeSession.putValue(PEER_SVID, peer);
    }
  }

  private VerifiedX509Svid authorized(VerifiedX509Svid peer) {
    authorizer.authorize(peer);
    return peer;
  }

  private static SSLSession handshakeSession(Socket socket) {
    return socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
  }
}
