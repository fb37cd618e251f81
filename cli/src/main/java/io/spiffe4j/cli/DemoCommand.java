package io.spiffe4j.cli;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.tls.Authorizer;
import io.spiffe4j.tls.SpiffeSslContextBuilder;
import io.spiffe4j.tls.SpiffeTls;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The demo: one trust domain minted in memory, two workloads talking mTLS with authorizers, an SVID rotation
 * between connections, an impostor turned away, and a JWT-SVID checked for its audience. Everything is local.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Mint a trust domain in memory and show X509-SVIDs, mTLS with authorizers, rotation and JWT-SVIDs.")
final class DemoCommand implements Callable<Integer> {
  private static final TrustDomain TRUST_DOMAIN = TrustDomain.parse("demo.spiffe4j.io");
  private static final SpiffeId SERVER = SpiffeId.fromSegments(TRUST_DOMAIN, "payments", "api");
  private static final SpiffeId CLIENT = SpiffeId.fromSegments(TRUST_DOMAIN, "checkout", "web");
  private static final SpiffeId IMPOSTOR = SpiffeId.fromSegments(TRUST_DOMAIN, "batch", "reports");

  @Spec
  CommandSpec spec;

  private PrintWriter out;
  private KeyPair intermediateKey;
  private X509Certificate intermediate;
  private X509Certificate root;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Instant now = Instant.now();

    KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
    root = CertificateMinter.ca(rootKey.getPublic(), TRUST_DOMAIN.id()).validFor(now, Duration.ofDays(1))
        .sign(rootKey.getPrivate());
    intermediateKey = KeyAlgorithm.EC_P256.generate();
    intermediate = CertificateMinter.ca(intermediateKey.getPublic(), TRUST_DOMAIN.id())
        .validFor(now, Duration.ofHours(6)).issuedBy(root, rootKey.getPrivate()).sign(null);
    X509Bundle bundle = X509Bundle.of(TRUST_DOMAIN, List.of(root));
    step("trust domain " + TRUST_DOMAIN + ": root CA " + serial(root) + " in the bundle, intermediate "
        + serial(intermediate) + " signs the SVIDs");

    AtomicReference<X509Svid> serverSvid = new AtomicReference<>(issue(SERVER, now));
    X509Svid clientSvid = issue(CLIENT, now);
    step("issued " + SERVER + " (serial " + serial(serverSvid.get().leaf()) + ") and " + CLIENT
        + ", chain leaf -> intermediate, root from the bundle");

    VerifiedX509Svid verified = X509SvidVerifier.of(bundle).verify(clientSvid.chain());
    step("verified the client's chain: " + verified.id() + ", " + verified.verifiedChain().size()
        + " certificates to the root");

    SSLContext serverContext = SpiffeSslContextBuilder.mtlsServer(serverSvid::get, bundle, Authorizer.id(CLIENT))
        .build();
    SSLContext clientContext = SpiffeSslContextBuilder.mtlsClient(() -> clientSvid, bundle, Authorizer.id(SERVER))
        .build();
    try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
        .createServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
      Thread server = serve(listener);

      step("mTLS: " + call(clientContext, listener.getLocalPort()));
      serverSvid.set(issue(SERVER, now));
      step("rotated the server's SVID to serial " + serial(serverSvid.get().leaf())
          + "; next connection: " + call(clientContext, listener.getLocalPort()));

      X509Svid impostorSvid = issue(IMPOSTOR, now);
      SSLContext impostorContext = SpiffeSslContextBuilder
          .mtlsClient(() -> impostorSvid, bundle, Authorizer.id(SERVER)).build();
      step("an impostor with a valid SVID for " + IMPOSTOR + ": " + call(impostorContext, listener.getLocalPort()));
      server.interrupt();
    }

    KeyPair jwtKey = KeyAlgorithm.EC_P256.generate();
    JwtBundle jwtBundle = JwtBundle.of(TRUST_DOMAIN, Map.of("demo-key-1", jwtKey.getPublic()));
    String token = JwtSvidMinter.forSubject(CLIENT).audience("payments").expiry(now.plusSeconds(300))
        .keyId("demo-key-1").sign(jwtKey.getPrivate());
    JwtSvid jwt = JwtSvidValidator.builder().bundleSource(jwtBundle).expectAudience("payments").build()
        .validate(token);
    step("JWT-SVID for audience \"payments\": valid, subject " + jwt.id() + ", expires " + jwt.expiry());
    try {
      JwtSvidValidator.builder().bundleSource(jwtBundle).expectAudience("ledger").build().validate(token);
      step("the same token at \"ledger\": ACCEPTED (this is a bug)");
      return 1;
    } catch (SpiffeException e) {
      step("the same token at \"ledger\": rejected, " + e.getMessage());
    }
    out.flush();
    return 0;
  }

  private X509Svid issue(SpiffeId id, Instant now) {
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    X509Certificate leaf = CertificateMinter.x509Svid(key.getPublic(), id).validFor(now, Duration.ofHours(1))
        .issuedBy(intermediate, intermediateKey.getPrivate()).sign(null);
    return X509Svid.of(List.of(leaf, intermediate), key.getPrivate());
  }

  /** Answers each connection with the SPIFFE ID the handshake authenticated, until interrupted. */
  private static Thread serve(SSLServerSocket listener) {
    Thread thread = new Thread(() -> {
      while (!Thread.currentThread().isInterrupted()) {
        try (SSLSocket socket = (SSLSocket) listener.accept()) {
          socket.startHandshake();
          PrintWriter reply = new PrintWriter(socket.getOutputStream(), true, StandardCharsets.UTF_8);
          reply.println("hello " + SpiffeTls.peerId(socket.getSession()));
        } catch (IOException | SpiffeException e) {
          // A rejected client is part of the demo; the client side reports it.
        }
      }
    }, "spiffe4j-demo-server");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static String call(SSLContext context, int port) {
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory()
        .createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.startHandshake();
      String peer = SpiffeTls.peerId(socket.getSession()).toString();
      String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
          .readLine();
      if (answer == null) {
        return "connected to " + peer + ", but the server turned this client away";
      }
      return "connected to " + peer + " (serial " + serial((X509Certificate) socket.getSession()
          .getPeerCertificates()[0]) + "), server said \"" + answer + "\"";
    } catch (IOException e) {
      return "refused (" + e.getMessage() + ")";
    }
  }

  private static String serial(X509Certificate certificate) {
    String hex = certificate.getSerialNumber().toString(16);
    return hex.length() > 8 ? hex.substring(0, 8) : hex;
  }

  private void step(String line) {
    out.println("* " + line);
  }
}
