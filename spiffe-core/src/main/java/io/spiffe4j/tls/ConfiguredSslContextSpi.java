package io.spiffe4j.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.Enumeration;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * An initialised JSSE context whose every engine, socket, server socket and default parameters carry the role's
 * settings (protocols, required client authentication, client or server mode). Applying them here, rather than
 * asking every caller to, is what makes a server built for mTLS require a client SVID even when it is handed to code
 * that only knows {@link SSLContext} ({@code HttpsServer}, {@code HttpClient}, Netty). Callers can still override a
 * setting on an individual engine or socket. Thread-safe, like the delegate.
 */
final class ConfiguredSslContextSpi extends SSLContextSpi {
  private final SSLContext delegate;
  private final String[] protocols;
  private final boolean clientMode;
  private final boolean needClientAuth;

  private ConfiguredSslContextSpi(SSLContext delegate, String[] protocols, boolean clientMode, boolean needClientAuth) {
    this.delegate = delegate;
    this.protocols = protocols;
    this.clientMode = clientMode;
    this.needClientAuth = needClientAuth;
  }

  /** Wraps an initialised context. */
  static SSLContext wrap(SSLContext delegate, String[] protocols, boolean clientMode, boolean needClientAuth) {
    SSLContextSpi spi = new ConfiguredSslContextSpi(delegate, protocols.clone(), clientMode, needClientAuth);
    return new SSLContext(spi, delegate.getProvider(), delegate.getProtocol()) { };
  }

  @Override
  protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
    throw new KeyManagementException("this SSLContext is already initialised with SPIFFE key and trust managers");
  }

  @Override
  protected SSLSocketFactory engineGetSocketFactory() {
    return new ConfiguredSocketFactory(delegate.getSocketFactory());
  }

  @Override
  protected SSLServerSocketFactory engineGetServerSocketFactory() {
    return new ConfiguredServerSocketFactory(delegate.getServerSocketFactory());
  }

  @Override
  protected SSLEngine engineCreateSSLEngine() {
    return configure(delegate.createSSLEngine());
  }

  @Override
  protected SSLEngine engineCreateSSLEngine(String host, int port) {
    return configure(delegate.createSSLEngine(host, port));
  }

  @Override
  protected SSLSessionContext engineGetServerSessionContext() {
    return delegate.getServerSessionContext();
  }

  @Override
  protected SSLSessionContext engineGetClientSessionContext() {
    return delegate.getClientSessionContext();
  }

  @Override
  protected SSLParameters engineGetDefaultSSLParameters() {
    SSLParameters parameters = delegate.getDefaultSSLParameters();
    parameters.setProtocols(protocols.clone());
    parameters.setNeedClientAuth(needClientAuth);
    return parameters;
  }

  @Override
  protected SSLParameters engineGetSupportedSSLParameters() {
    return delegate.getSupportedSSLParameters();
  }

  private SSLEngine configure(SSLEngine engine) {
    forgetClientSessions();
    // Mode first: the JDK resets default protocol lists when the mode changes.
    engine.setUseClientMode(clientMode);
    engine.setEnabledProtocols(protocols.clone());
    engine.setNeedClientAuth(needClientAuth);
    return engine;
  }

  private Socket configure(Socket socket) {
    forgetClientSessions();
    SSLSocket ssl = (SSLSocket) socket;
    ssl.setEnabledProtocols(protocols.clone());
    ssl.setNeedClientAuth(needClientAuth);
    return ssl;
  }

  /**
   * Drops the sessions a client context cached, so the next connection is a full handshake that the trust manager
   * verifies and authorizes. {@link SpiffeTrustManager} already keeps JSSE from caching the sessions it
   * authenticates, but a TLS 1.3 client still caches the tickets a server sends afterwards, and would resume with
   * them (skipping the trust manager) for the JDK's default session lifetime of a day. A connection that starts
   * while another is still receiving its ticket may resume it; that session was authorized moments before.
   */
  private void forgetClientSessions() {
    if (!clientMode) {
      return;
    }
    SSLSessionContext sessions = delegate.getClientSessionContext();
    for (Enumeration<byte[]> ids = sessions.getIds(); ids.hasMoreElements(); ) {
      SSLSession session = sessions.getSession(ids.nextElement());
      if (session != null) {
        session.invalidate();
      }
    }
  }

  private ServerSocket configure(ServerSocket socket) {
    SSLServerSocket ssl = (SSLServerSocket) socket;
    ssl.setEnabledProtocols(protocols.clone());
    ssl.setNeedClientAuth(needClientAuth);
    return ssl;
  }

  private final class ConfiguredSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory sockets;

    ConfiguredSocketFactory(SSLSocketFactory sockets) {
      this.sockets = sockets;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return sockets.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return sockets.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
      return configure(sockets.createSocket());
    }

    @Override
    public Socket createSocket(Socket layered, String host, int port, boolean autoClose) throws IOException {
      return configure(sockets.createSocket(layered, host, port, autoClose));
    }

    @Override
    public Socket createSocket(Socket layered, InputStream consumed, boolean autoClose) throws IOException {
      return configure(sockets.createSocket(layered, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configure(sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
      return configure(sockets.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configure(sockets.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
        throws IOException {
      return configure(sockets.createSocket(address, port, localAddress, localPort));
    }
  }

  private final class ConfiguredServerSocketFactory extends SSLServerSocketFactory {
    private final SSLServerSocketFactory sockets;

    ConfiguredServerSocketFactory(SSLServerSocketFactory sockets) {
      this.sockets = sockets;
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return sockets.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return sockets.getSupportedCipherSuites();
    }

    @Override
    public ServerSocket createServerSocket() throws IOException {
      return configure(sockets.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
      return configure(sockets.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
      return configure(sockets.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress bindAddress) throws IOException {
      return configure(sockets.createServerSocket(port, backlog, bindAddress));
    }
  }
}
