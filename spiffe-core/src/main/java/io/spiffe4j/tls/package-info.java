/**
 * SPIFFE mutual TLS for JSSE: key and trust managers backed by SVID and bundle sources, peer authorization, and
 * ready-made {@link javax.net.ssl.SSLContext}s for the four SPIFFE TLS roles (after go-spiffe's
 * {@code spiffetls/tlsconfig}).
 *
 * <ul>
 *   <li>{@link io.spiffe4j.tls.SpiffeSslContextBuilder}: an {@code SSLContext} for an mTLS server or client, a TLS
 *       client that authenticates a SPIFFE server without an SVID of its own, or a TLS server that does not ask for
 *       client certificates.</li>
 *   <li>{@link io.spiffe4j.tls.Authorizer}: which verified peers are allowed; required wherever a peer is
 *       checked.</li>
 *   <li>{@link io.spiffe4j.tls.SpiffeKeyManager} and {@link io.spiffe4j.tls.SpiffeTrustManager}: the building
 *       blocks, for frameworks that take a key or trust manager (Netty, gRPC).</li>
 *   <li>{@link io.spiffe4j.tls.SpiffeTls}: the SPIFFE ID (or verified SVID) of a connection's peer, as the trust
 *       manager verified and authorized it in the handshake.</li>
 * </ul>
 *
 * <h2>Host names</h2>
 * An X509-SVID names a workload by a SPIFFE ID in a URI SAN and usually carries no DNS name, so the peer is
 * identified by the {@link io.spiffe4j.tls.Authorizer}, not by RFC 6125 host name verification. HTTP clients ask
 * for host name verification by setting the endpoint identification algorithm {@code HTTPS} on the engine or socket;
 * {@link io.spiffe4j.tls.SpiffeTrustManager} ignores it (JSSE leaves the check to an
 * {@link javax.net.ssl.X509ExtendedTrustManager}), so the host name in the URL only chooses where to connect.
 *
 * <h2>Example: an mTLS HTTPS server</h2>
 * <pre>{@code
 * SSLContext serverTls = SpiffeSslContextBuilder
 *     .mtlsServer(source, source, Authorizer.id(SpiffeId.parse("spiffe://example.org/client")))
 *     .build();
 * HttpsServer server = HttpsServer.create(new InetSocketAddress("localhost", 8443), 0);
 * // The default configurator applies the context's default parameters, which require a client SVID.
 * server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
 * server.createContext("/", exchange -> {
 *   SpiffeId client = SpiffeTls.peerId(((HttpsExchange) exchange).getSSLSession());
 *   // ... respond
 * });
 * server.start();
 * }</pre>
 *
 * <h2>Example: {@code java.net.http.HttpClient}</h2>
 * HttpClient sets {@code HTTPS} endpoint identification on every connection; the trust manager ignores it and
 * authorizes the server's SPIFFE ID instead, so no further setting is needed.
 * <pre>{@code
 * SSLContext clientTls = SpiffeSslContextBuilder
 *     .mtlsClient(source, source, Authorizer.id(SpiffeId.parse("spiffe://example.org/server")))
 *     .build();
 * HttpClient client = HttpClient.newBuilder().sslContext(clientTls).build();
 * HttpResponse<String> response = client.send(
 *     HttpRequest.newBuilder(URI.create("https://localhost:8443/")).build(), BodyHandlers.ofString());
 * SpiffeId server = SpiffeTls.peerId(response.sslSession().orElseThrow());
 * }</pre>
 *
 * <h2>Example: {@code HttpsURLConnection}</h2>
 * With the JDK's default host name verifier, {@code HttpsURLConnection} also leaves the host check to the trust
 * manager. An application that installed its own default verifier must set
 * {@link io.spiffe4j.tls.SpiffeTls#hostnameVerifier()} on SPIFFE connections, which accepts because the trust
 * manager already authorized the server's SPIFFE ID.
 * <pre>{@code
 * HttpsURLConnection connection =
 *     (HttpsURLConnection) URI.create("https://localhost:8443/").toURL().openConnection();
 * connection.setSSLSocketFactory(clientTls.getSocketFactory());
 * connection.setHostnameVerifier(SpiffeTls.hostnameVerifier());
 * try (InputStream body = connection.getInputStream()) {
 *   // ...
 * }
 * }</pre>
 * Both client examples run as written in {@code SpiffeHttpsTest}.
 */
package io.spiffe4j.tls;
