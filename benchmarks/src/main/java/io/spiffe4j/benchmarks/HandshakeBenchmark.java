package io.spiffe4j.benchmarks;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.testkit.TestCa;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full TLS 1.3 mutual-TLS handshake between two in-memory {@link SSLEngine}s (no sockets), client and server each
 * presenting an EC P-256 X509-SVID from one static CA, with four manager pairs over the same certificates:
 * <ul>
 *   <li>{@code spiffe4j}: {@link SpiffeSslContextBuilder} mtls contexts ({@code SpiffeKeyManager},
 *       {@code SpiffeTrustManager}, {@link Authorizer#any()});
 *   <li>{@code jdk-pkix}: the JDK's "PKIX" KeyManagerFactory and TrustManagerFactory over KeyStores with the same key,
 *       chain and root;
 *   <li>{@code java-spiffe}: java-spiffe 0.8.17's provider SpiffeKeyManager and SpiffeTrustManager (any SPIFFE ID)
 *       over static sources;
 *   <li>{@code floor}: a key manager that only returns the SVID and a trust manager that checks nothing.
 * </ul>
 * Each operation creates two new engines and runs the whole handshake, so nothing is resumed: no engine has a peer
 * host, so a JSSE client never looks up a cached session, and every trust manager marks the handshake session not
 * resumable, which also keeps the server from issuing TLS 1.3 session tickets. spiffe4j's trust manager does that
 * itself; the other three are wrapped in {@link NotResumable}, which adds that one call, so all four do the same
 * TLS work and differ only in their managers. Setup checks that every pair really handshakes TLS 1.3 with both
 * certificates exchanged.
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar Handshake}; compare each score to {@code floor}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class HandshakeBenchmark {
  private static final String TLS13 = "TLSv1.3";
  private static final ByteBuffer NOTHING = ByteBuffer.allocate(0);

  @Param({"spiffe4j", "jdk-pkix", "java-spiffe", "floor"})
  public String managers;

  private SSLContext clientContext;
  private SSLContext serverContext;

  @Setup
  public void setUp() throws Exception {
    TrustDomain trustDomain = TrustDomain.parse("bench.example.org");
    TestCa ca = TestCa.create(trustDomain);
    TestCa.IssuedSvid server = ca.x509Svid(SpiffeId.fromPath(trustDomain, "/server"));
    TestCa.IssuedSvid client = ca.x509Svid(SpiffeId.fromPath(trustDomain, "/client"));
    switch (managers) {
      case "spiffe4j":
        serverContext = SpiffeSslContextBuilder.mtlsServer(server.toX509Svid(), ca.x509Bundle(), Authorizer.any())
            .build();
        clientContext = SpiffeSslContextBuilder.mtlsClient(client.toX509Svid(), ca.x509Bundle(), Authorizer.any())
            .build();
        break;
      case "jdk-pkix":
        serverContext = context(pkixKeyManager(server), new NotResumable(pkixTrustManager(ca.certificate())));
        clientContext = context(pkixKeyManager(client), new NotResumable(pkixTrustManager(ca.certificate())));
        break;
      case "java-spiffe":
        io.spiffe.bundle.x509bundle.X509Bundle bundle = new io.spiffe.bundle.x509bundle.X509Bundle(
            io.spiffe.spiffeid.TrustDomain.parse(trustDomain.name()), Set.of(ca.certificate()));
        serverContext = context(javaSpiffeKeyManager(server),
            new NotResumable(new io.spiffe.provider.SpiffeTrustManager(bundle)));
        clientContext = context(javaSpiffeKeyManager(client),
            new NotResumable(new io.spiffe.provider.SpiffeTrustManager(bundle)));
        break;
      case "floor":
        serverContext = context(new FloorKeyManager(server.chain(), server.privateKey()), new NotResumable(null));
        clientContext = context(new FloorKeyManager(client.chain(), client.privateKey()), new NotResumable(null));
        break;
      default:
        throw new IllegalArgumentException("unknown managers: " + managers);
    }
    checkHandshake(server.leaf(), client.leaf());
  }

  @Benchmark
  public SSLSession handshake() throws SSLException {
    SSLEngine client = clientEngine();
    SSLEngine server = serverEngine();
    handshake(client, server);
    return client.getSession();
  }

  private void checkHandshake(X509Certificate serverLeaf, X509Certificate clientLeaf) throws SSLException {
    SSLEngine client = clientEngine();
    SSLEngine server = serverEngine();
    handshake(client, server);
    SSLSession clientSide = client.getSession();
    SSLSession serverSide = server.getSession();
    if (!TLS13.equals(clientSide.getProtocol())
        || !serverLeaf.equals(clientSide.getPeerCertificates()[0])
        || !clientLeaf.equals(serverSide.getPeerCertificates()[0])
        || clientSide.isValid() || serverSide.isValid()) {
      throw new IllegalStateException(managers + ": not a non-resumable TLS 1.3 mutual handshake");
    }
  }

  private SSLEngine clientEngine() {
    SSLEngine engine = clientContext.createSSLEngine();
    engine.setUseClientMode(true);
    engine.setEnabledProtocols(new String[] {TLS13});
    return engine;
  }

  private SSLEngine serverEngine() {
    SSLEngine engine = serverContext.createSSLEngine();
    engine.setUseClientMode(false);
    engine.setEnabledProtocols(new String[] {TLS13});
    engine.setNeedClientAuth(true);
    return engine;
  }

  /** Shuttles records between the engines until both finish handshaking and neither has anything left to send. */
  static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
    int packet = Math.max(client.getSession().getPacketBufferSize(), server.getSession().getPacketBufferSize());
    int application = Math.max(client.getSession().getApplicationBufferSize(),
        server.getSession().getApplicationBufferSize());
    ByteBuffer toServer = ByteBuffer.allocate(packet);
    ByteBuffer toClient = ByteBuffer.allocate(packet);
    ByteBuffer clientIn = ByteBuffer.allocate(application);
    ByteBuffer serverIn = ByteBuffer.allocate(application);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 100; round++) {
      int produced = step(client.wrap(NOTHING, toServer), client).bytesProduced()
          + step(server.wrap(NOTHING, toClient), server).bytesProduced();
      toServer.flip();
      toClient.flip();
      step(client.unwrap(toClient, clientIn), client);
      step(server.unwrap(toServer, serverIn), server);
      toServer.compact();
      toClient.compact();
      if (produced == 0 && toServer.position() == 0 && toClient.position() == 0
          && idle(client) && idle(server)) {
        return;
      }
    }
    throw new IllegalStateException("handshake did not finish in 100 rounds");
  }

  private static SSLEngineResult step(SSLEngineResult result, SSLEngine engine) {
    if (result.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK) {
      for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
        task.run();
      }
    }
    return result;
  }

  private static boolean idle(SSLEngine engine) {
    return engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING;
  }

  private static SSLContext context(KeyManager keyManager, TrustManager trustManager)
      throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(new KeyManager[] {keyManager}, new TrustManager[] {trustManager}, null);
    return context;
  }

  private static KeyManager pkixKeyManager(TestCa.IssuedSvid svid) throws Exception {
    char[] password = "bench".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("svid", svid.privateKey(), password, svid.chain().toArray(new X509Certificate[0]));
    KeyManagerFactory factory = KeyManagerFactory.getInstance("PKIX");
    factory.init(keys, password);
    return factory.getKeyManagers()[0];
  }

  private static X509TrustManager pkixTrustManager(X509Certificate root) throws Exception {
    KeyStore anchors = KeyStore.getInstance("PKCS12");
    anchors.load(null, null);
    anchors.setCertificateEntry("root", root);
    TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
    factory.init(anchors);
    return (X509TrustManager) factory.getTrustManagers()[0];
  }

  private static KeyManager javaSpiffeKeyManager(TestCa.IssuedSvid svid) throws Exception {
    io.spiffe.svid.x509svid.X509Svid javaSpiffeSvid =
        io.spiffe.svid.x509svid.X509Svid.parseRaw(svid.chainDer(), svid.privateKeyDer());
    return new io.spiffe.provider.SpiffeKeyManager(() -> javaSpiffeSvid);
  }

  /** Returns the one SVID for the key type it can sign with; no checks, no lookups. */
  static final class FloorKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "svid";
    private final X509Certificate[] chain;
    private final PrivateKey key;

    FloorKeyManager(List<X509Certificate> chain, PrivateKey key) {
      this.chain = chain.toArray(new X509Certificate[0]);
      this.key = key;
    }

    private String alias(String... keyTypes) {
      for (String keyType : keyTypes) {
        if (key.getAlgorithm().equals(keyType)) {
          return ALIAS;
        }
      }
      return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
      return alias(keyTypes);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return alias(keyType);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
      return alias(keyTypes);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(keyType);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return alias(keyType) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return ALIAS.equals(alias) ? key : null;
    }
  }

  /**
   * Runs the delegate's checks (none for the floor), then marks the handshake session not resumable, as spiffe4j's
   * trust manager does, so every competitor runs full handshakes without session tickets.
   */
  static final class NotResumable extends X509ExtendedTrustManager {
    private static final X509Certificate[] NONE = new X509Certificate[0];
    private final X509TrustManager delegate;

    /** @param delegate the checks to run, or null for none (the floor) */
    NotResumable(X509TrustManager delegate) {
      this.delegate = delegate;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      if (delegate instanceof X509ExtendedTrustManager) {
        ((X509ExtendedTrustManager) delegate).checkClientTrusted(chain, authType, engine);
      } else if (delegate != null) {
        delegate.checkClientTrusted(chain, authType);
      }
      engine.getHandshakeSession().invalidate();
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      if (delegate instanceof X509ExtendedTrustManager) {
        ((X509ExtendedTrustManager) delegate).checkServerTrusted(chain, authType, engine);
      } else if (delegate != null) {
        delegate.checkServerTrusted(chain, authType);
      }
      engine.getHandshakeSession().invalidate();
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("the benchmark uses SSLEngines only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
      throw new UnsupportedOperationException("the benchmark uses SSLEngines only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("the benchmark uses SSLEngines only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
      throw new UnsupportedOperationException("the benchmark uses SSLEngines only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return delegate == null ? NONE : delegate.getAcceptedIssuers();
    }
  }
}
