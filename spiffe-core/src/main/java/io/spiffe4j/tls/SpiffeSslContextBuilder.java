package io.spiffe4j.tls;

import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.svid.x509.X509SvidSource;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds a JSSE {@link SSLContext} for one SPIFFE TLS role, in the shape of go-spiffe's {@code tlsconfig}:
 *
 * <table>
 *   <caption>Roles</caption>
 *   <tr><th>Factory</th><th>Presents an SVID</th><th>Verifies and authorizes the peer</th></tr>
 *   <tr><td>{@link #mtlsServer}</td><td>yes</td><td>yes; a client certificate is required</td></tr>
 *   <tr><td>{@link #mtlsClient}</td><td>yes</td><td>yes</td></tr>
 *   <tr><td>{@link #tlsClient}</td><td>no</td><td>yes</td></tr>
 *   <tr><td>{@link #tlsServer}</td><td>yes</td><td>no; no client certificate is requested</td></tr>
 * </table>
 *
 * <p>Every role that checks a peer takes its {@link Authorizer} as a required argument: there is no trust-everyone
 * default. SVIDs come from a {@link SpiffeKeyManager} (one snapshot per handshake) and peers are checked by a
 * {@link SpiffeTrustManager}, so SVID and bundle rotation take effect on the next handshake without rebuilding.
 *
 * <p>The built context applies its role to everything it creates: engines start in the role's client or server
 * mode, and engines, sockets, server sockets and {@link SSLContext#getDefaultSSLParameters()} carry the protocols
 * and, for {@link #mtlsServer}, {@code needClientAuth=true}. So an mTLS server requires a client SVID even when the
 * context is handed to code that only knows {@code SSLContext}, such as {@code HttpsServer}'s default
 * {@code HttpsConfigurator}. Code can still override a setting on one engine or socket; the context cannot be
 * re-initialised. A {@link #tlsServer} context rejects any client certificate should a caller request one anyway,
 * rather than falling back to the JDK's default trust store.
 *
 * <p>A peer is verified and authorized on every connection, in a full handshake: sessions are not resumed
 * (see {@link SpiffeTrustManager}), and client contexts discard the session tickets servers send.
 *
 * <h2>Protocols</h2>
 * TLS 1.3 only by default. TLS 1.3 encrypts certificates, so an observer of the connection does not learn either
 * workload's SPIFFE ID, and it has no renegotiation or static-RSA key exchange; every current SPIFFE implementation
 * (Envoy, go-spiffe, the JDK since 11) speaks it. {@link #protocols} can add TLS 1.2 for older peers; nothing older
 * is accepted.
 *
 * <p>A builder is not thread-safe; the built context is immutable and thread-safe, and is meant to be shared.
 */
public final class SpiffeSslContextBuilder {
  static final String TLS13 = "TLSv1.3";
  static final String TLS12 = "TLSv1.2";
  private static final Set<String> ALLOWED_PROTOCOLS = Set.of(TLS13, TLS12);

  private final X509SvidSource svidSource;
  private final X509BundleSource bundleSource;
  private final Authorizer authorizer;
  private final boolean clientMode;
  private final boolean needClientAuth;
  private Clock clock = Clock.systemUTC();
  private List<String> protocols = List.of(TLS13);

  private SpiffeSslContextBuilder(X509SvidSource svidSource, X509BundleSource bundleSource, Authorizer authorizer,
      boolean clientMode, boolean needClientAuth) {
    this.svidSource = svidSource;
    this.bundleSource = bundleSource;
    this.authorizer = authorizer;
    this.clientMode = clientMode;
    this.needClientAuth = needClientAuth;
  }

  /** A server that presents its SVID and requires a client SVID that verifies and that the authorizer allows. */
  public static SpiffeSslContextBuilder mtlsServer(X509SvidSource svidSource, X509BundleSource bundleSource,
      Authorizer clientAuthorizer) {
    return new SpiffeSslContextBuilder(Objects.requireNonNull(svidSource, "svidSource"),
        Objects.requireNonNull(bundleSource, "bundleSource"),
        Objects.requireNonNull(clientAuthorizer, "clientAuthorizer"), false, true);
  }

  /** A client that presents its SVID and accepts a server whose SVID verifies and that the authorizer allows. */
  public static SpiffeSslContextBuilder mtlsClient(X509SvidSource svidSource, X509BundleSource bundleSource,
      Authorizer serverAuthorizer) {
    return new SpiffeSslContextBuilder(Objects.requireNonNull(svidSource, "svidSource"),
        Objects.requireNonNull(bundleSource, "bundleSource"),
        Objects.requireNonNull(serverAuthorizer, "serverAuthorizer"), true, false);
  }

  /**
   * A client with no SVID of its own that accepts a server whose SVID verifies and that the authorizer allows. It
   * cannot connect to an mTLS server.
   */
  public static SpiffeSslContextBuilder tlsClient(X509BundleSource bundleSource, Authorizer serverAuthorizer) {
    return new SpiffeSslContextBuilder(null, Objects.requireNonNull(bundleSource, "bundleSource"),
        Objects.requireNonNull(serverAuthorizer, "serverAuthorizer"), true, false);
  }

  /**
   * A server that presents its SVID and does not ask clients for a certificate: clients stay anonymous at the TLS
   * layer (authenticate them otherwise, for example with a JWT-SVID).
   */
  public static SpiffeSslContextBuilder tlsServer(X509SvidSource svidSource) {
    return new SpiffeSslContextBuilder(Objects.requireNonNull(svidSource, "svidSource"), null, null, false, false);
  }

  /**
   * The clock at whose instant peer SVIDs must be valid; the system UTC clock by default.
   *
   * @throws IllegalStateException for {@link #tlsServer}, which verifies no peer
   */
  public SpiffeSslContextBuilder clock(Clock clock) {
    Objects.requireNonNull(clock, "clock");
    if (authorizer == null) {
      throw new IllegalStateException("a tlsServer context verifies no peer, so a clock would have no effect");
    }
    this.clock = clock;
    return this;
  }

  /**
   * The TLS versions to enable, from {@code "TLSv1.3"} and {@code "TLSv1.2"}; {@code "TLSv1.3"} alone by default.
   *
   * @throws IllegalArgumentException if none is given, or one is neither TLS 1.3 nor TLS 1.2
   */
  public SpiffeSslContextBuilder protocols(String... protocols) {
    Objects.requireNonNull(protocols, "protocols");
    Set<String> chosen = new LinkedHashSet<>();
    for (String protocol : protocols) {
      if (!ALLOWED_PROTOCOLS.contains(Objects.requireNonNull(protocol, "protocol"))) {
        throw new IllegalArgumentException(
            "unsupported protocol \"" + protocol + "\": choose from " + TLS13 + " and " + TLS12);
      }
      chosen.add(protocol);
    }
    if (chosen.isEmpty()) {
      throw new IllegalArgumentException("at least one protocol is required");
    }
    this.protocols = List.copyOf(chosen);
    return this;
  }

  /**
   * Builds the context.
   *
   * @throws IllegalStateException if the JDK's TLS provider cannot create or initialise a context
   */
  public SSLContext build() {
    KeyManager[] keyManagers = svidSource == null
        ? new KeyManager[0]
        : new KeyManager[] {SpiffeKeyManager.of(svidSource)};
    TrustManager trustManager = authorizer == null
        ? NoClientCertificates.INSTANCE
        : SpiffeTrustManager.of(bundleSource, authorizer, clock);
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers, new TrustManager[] {trustManager}, null);
      return ConfiguredSslContextSpi.wrap(context, protocols.toArray(new String[0]), clientMode, needClientAuth);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK cannot create a TLS context: " + e.getMessage(), e);
    }
  }

  /** The trust manager of a tlsServer: it never asks for client certificates, so it trusts none. */
  private static final class NoClientCertificates extends X509ExtendedTrustManager {
    static final NoClientCertificates INSTANCE = new NoClientCertificates();
    private static final X509Certificate[] NONE = new X509Certificate[0];

    private static CertificateException rejection() {
      return new CertificateException(
          "this tlsServer context authenticates no peers; build an mtlsServer context to accept client SVIDs");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw rejection();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw rejection();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw rejection();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      throw rejection();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw rejection();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      throw rejection();
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return NONE;
    }
  }
}
