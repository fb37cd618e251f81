package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.spiffe4j.SpiffeException;
import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.akeyless.testkit.CloudAuthSettings;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.akeyless.testkit.RequestRecord;
import io.spiffe4j.akeyless.testkit.TestIdentityProvider;
import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthorityException;
import io.spiffe4j.authority.UpstreamX509Ca;
import io.spiffe4j.certauth.akeyless.RetryPolicy;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CAResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin's factory against spiffe4j's local Akeyless gateway over HTTPS: every plugin_data access type the
 * gateway can prove in a test (access key, API key, certificate, and gcp and azure_ad against an in-test metadata
 * server that the cloud libraries' environment overrides point to), the custom CA bundle, and the failures Configure
 * must surface.
 */
class AkeylessUpstreamsTest {
  private final AkeylessGateway gateway = AkeylessGateway.builder().https(true).start();
  private final AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("spire");
  private final PkiIssuer issuer = gateway.createPkiIssuer(PkiIssuerSettings.builder("spire/ca", Duration.ofDays(7))
      .ca(true).keyUsage("CertSign,CRLSign").notRequireCn(true).allowedUriSans("spiffe://example.org").build());

  @TempDir
  Path directory;

  private final TestIdentityProvider identities = TestIdentityProvider.create();
  private Metadata metadata;

  @AfterEach
  void close() {
    gateway.close();
    if (metadata != null) {
      metadata.close();
    }
  }

  private String common() throws Exception {
    Path bundle = directory.resolve("gateway-ca.pem");
    Files.writeString(bundle, gateway.tlsCaPem(), StandardCharsets.US_ASCII);
    return "akeyless_gateway_url = \"" + gateway.url() + "\"\n"
        + "pki_cert_issuer_name = \"/spire/ca\"\n"
        + "custom_ca_bundle = \"" + bundle + "\"\n";
  }

  private String accessKeyConfig(String accessType, String accessKey) throws Exception {
    return common() + "access_type = \"" + accessType + "\"\naccess_id = \"" + credentials.accessId() + "\"\n"
        + "access_key = \"" + accessKey + "\"\n";
  }

  private static UpstreamAuthority create(String hcl) {
    return AkeylessUpstreams.create(PluginConfig.parse(hcl, "example.org", Map.of()));
  }

  private void assertMints(UpstreamAuthority upstream) {
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    UpstreamX509Ca minted = upstream.mintX509Ca(Csrs.caCsr(key, "example.org"), Duration.ofHours(1));
    assertEquals(key.getPublic(), minted.mintedCa().getPublicKey());
    assertEquals(List.of(issuer.rootCertificate()), minted.upstreamRoots());
  }

  @Test
  void accessKeyAndApiKey_authenticateAtConfigure_andMint() throws Exception {
    try (UpstreamAuthority accessKey = create(accessKeyConfig("access_key", credentials.accessKey()));
        UpstreamAuthority apiKey = create(accessKeyConfig("api_key", credentials.accessKey()))) {
      assertMints(accessKey);
      assertMints(apiKey);
    }
  }

  @Test
  void cert_challengeModeWithTheKeyFromItsFile() throws Exception {
    KeyPair caKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate clientCa = CertificateMinter.bare(caKey.getPublic()).subject(new X500Principal("CN=clients"))
        .ca(true).keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN)).sign(caKey.getPrivate());
    KeyPair clientKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate client = CertificateMinter.x509Svid(clientKey.getPublic(), SpiffeId.parse("spiffe://example.org/spire"))
        .subject(new X500Principal("CN=spire-server")).validFor(Instant.now(), Duration.ofHours(1))
        .issuedBy(clientCa, caKey.getPrivate()).sign(null);
    String accessId = gateway.createCertAuthMethod(CertAuthSettings.builder("spire-cert", clientCa).build());
    Path certFile = directory.resolve("client.pem");
    Path keyFile = directory.resolve("client.key");
    Files.writeString(certFile, TestUpstream.pem("CERTIFICATE", client.getEncoded()));
    Files.writeString(keyFile, TestUpstream.pem("PRIVATE KEY", clientKey.getPrivate().getEncoded()));

    try (UpstreamAuthority upstream = create(common() + "access_type = \"cert\"\naccess_id = \"" + accessId + "\"\n"
        + "cert_file_path = \"" + certFile + "\"\nkey_file_path = \"" + keyFile + "\"\n")) {
      assertMints(upstream);
    }
  }

  @Test
  void gcp_asksTheMetadataServerGceMetadataHostNames_andMints() throws Exception {
    String accessId = gateway.createCloudAuthMethod(CloudAuthSettings.gcp("spire-gcp", identities).build());
    metadata = new Metadata(identities.gcp("spire@project.iam.gserviceaccount.com").sign());

    try (UpstreamAuthority upstream = create(gcpConfig(accessId), gcpEnvironment())) {
      assertMints(upstream);
    }

    assertEquals(List.of("/computeMetadata/v1/instance/service-accounts/default/identity"
        + "?audience=akeyless.io&format=full Metadata-Flavor=Google"), metadata.requests);
    assertAuthenticatedOnce();
  }

  @Test
  void gcp_tokenForAnotherAudience_failsConfigureUnauthenticated_namingTheGateway_withoutTheToken() throws Exception {
    String accessId = gateway.createCloudAuthMethod(CloudAuthSettings.gcp("spire-gcp", identities).build());
    String token = identities.gcp("spire@project.iam.gserviceaccount.com").audience("someone-else").sign();
    metadata = new Metadata(token);

    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
        () -> create(gcpConfig(accessId), gcpEnvironment()));

    assertRefusedWithoutTheToken(e, accessId, "gcp", token);
  }

  @Test
  void azureAd_asksTheImdsAzurePodIdentityAuthorityHostNames_andMints() throws Exception {
    String accessId = gateway.createCloudAuthMethod(CloudAuthSettings.azureAd("spire-azure", "tenant-1", identities)
        .boundObjectIds("oid-1").build());
    metadata = new Metadata("{\"access_token\":\"" + identities.azure("tenant-1", "oid-1").sign()
        + "\",\"expires_in\":\"3599\",\"token_type\":\"Bearer\"}");

    try (UpstreamAuthority upstream = create(azureConfig(accessId), azureEnvironment())) {
      assertMints(upstream);
    }

    assertEquals(List.of("/metadata/identity/oauth2/token?api-version=2018-02-01"
        + "&resource=https%3A%2F%2Fmanagement.azure.com%2F&object_id=oid-1 Metadata=true"), metadata.requests);
    assertAuthenticatedOnce();
  }

  @Test
  void azureAd_tokenForAnotherAudience_failsConfigureUnauthenticated_namingTheGateway_withoutTheToken()
      throws Exception {
    String accessId = gateway.createCloudAuthMethod(CloudAuthSettings.azureAd("spire-azure", "tenant-1", identities)
        .build());
    String token = identities.azure("tenant-1", "oid-1").audience("https://vault.azure.net").sign();
    metadata = new Metadata("{\"access_token\":\"" + token + "\"}");

    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
        () -> create(azureConfig(accessId), azureEnvironment()));

    assertRefusedWithoutTheToken(e, accessId, "azure_ad", token);
  }

  @Test
  void malformedMetadataOverride_isAConfigurationError_namingTheVariable() throws Exception {
    SpiffeException e = assertThrows(SpiffeException.class,
        () -> create(gcpConfig("p-gcp"), Map.of("GCE_METADATA_HOST", "http://127.0.0.1:1")::get));

    assertFalse(e instanceof UpstreamAuthorityException, e.toString());
    assertTrue(e.getMessage().contains("GCE_METADATA_HOST"), e.getMessage());
  }

  private String gcpConfig(String accessId) throws Exception {
    return common() + "access_type = \"gcp\"\naccess_id = \"" + accessId + "\"\n";
  }

  private String azureConfig(String accessId) throws Exception {
    return common() + "access_type = \"azure_ad\"\naccess_id = \"" + accessId + "\"\n"
        + "azure_object_id = \"oid-1\"\n";
  }

  private Function<String, String> gcpEnvironment() {
    return Map.of("GCE_METADATA_HOST", "127.0.0.1:" + metadata.url().getPort())::get;
  }

  private Function<String, String> azureEnvironment() {
    return Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", metadata.url().toString())::get;
  }

  private static UpstreamAuthority create(String hcl, Function<String, String> environment) {
    return AkeylessUpstreams.create(PluginConfig.parse(hcl, "example.org", Map.of()), environment);
  }

  /** The gateway accepted one cloud authentication: it checks the token's signature, issuer and audience. */
  private void assertAuthenticatedOnce() {
    assertEquals(List.of(200), gateway.requests().stream().filter(r -> r.op() == Op.AUTH)
        .map(RequestRecord::status).collect(Collectors.toList()));
  }

  private void assertRefusedWithoutTheToken(UpstreamAuthorityException e, String accessId, String accessType,
      String token) {
    assertEquals(UpstreamAuthorityException.Kind.UNAUTHENTICATED, e.kind());
    assertTrue(e.getMessage().startsWith("authenticating to the Akeyless gateway " + gateway.url() + " with access ID "
        + accessId + " (" + accessType + ") failed: akeyless auth: "), e.getMessage());
    String base64 = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
    for (Throwable t = e; t != null; t = t.getCause()) {
      assertFalse(t.getMessage() != null && (t.getMessage().contains(token) || t.getMessage().contains(base64)),
          "the token leaked into " + t);
    }
    assertEquals(1, metadata.requests.size(), metadata.requests::toString);
  }

  /**
   * A GCE metadata server or Azure IMDS stand-in: records each request's path, query and metadata header, and
   * answers every GET with the same body.
   */
  private static final class Metadata implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    Metadata(String answer) {
      try {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      server.createContext("/", exchange -> {
        try (exchange) {
          String header = exchange.getRequestHeaders().containsKey("Metadata-Flavor")
              ? "Metadata-Flavor=" + exchange.getRequestHeaders().getFirst("Metadata-Flavor")
              : "Metadata=" + exchange.getRequestHeaders().getFirst("Metadata");
          requests.add(exchange.getRequestURI().getRawPath() + "?" + exchange.getRequestURI().getRawQuery() + " "
              + header);
          byte[] body = answer.getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        }
      });
      server.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  @Test
  void wrongAccessKey_failsConfigureUnauthenticated_withoutTheKey() throws Exception {
    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
        () -> create(accessKeyConfig("access_key", "not-the-key-9481")));

    assertEquals(UpstreamAuthorityException.Kind.UNAUTHENTICATED, e.kind());
    assertFalse(e.getMessage().contains("not-the-key-9481"), e.getMessage());
    assertTrue(e.getMessage().startsWith("authenticating to the Akeyless gateway " + gateway.url() + " with access ID "
        + credentials.accessId() + " (access_key) failed: akeyless auth: "), e.getMessage());
  }

  @Test
  void gatewayStopped_failsConfigureUnavailable_namingTheGateway_afterTheRetries() throws Exception {
    String config = accessKeyConfig("access_key", credentials.accessKey());
    gateway.close();
    long started = System.nanoTime();

    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class, () -> create(config));

    assertEquals(UpstreamAuthorityException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("Akeyless gateway " + gateway.url())
        && e.getMessage().contains("cannot connect to the gateway"), e.getMessage());
    assertWithinTheRetryBudget(started);
  }

  @Test
  void transient503s_areRetried_andTheMintSucceeds() throws Exception {
    try (UpstreamAuthority upstream = create(accessKeyConfig("access_key", credentials.accessKey()))) {
      gateway.clearRequests();
      gateway.faults().latency(Duration.ofMillis(200)).failNext(Op.GET_PKI_CERTIFICATE, 2, 503);

      assertMints(upstream);

      assertEquals(List.of(503, 503, 200), gateway.requests().stream().filter(r -> r.op() == Op.GET_PKI_CERTIFICATE)
          .map(RequestRecord::status).collect(Collectors.toList()));
    }
  }

  @Test
  void persistent503_isUnavailable_withTheGatewaysError_afterFourAttempts_withinTheBudget() throws Exception {
    try (UpstreamAuthority upstream = create(accessKeyConfig("access_key", credentials.accessKey()))) {
      gateway.clearRequests();
      gateway.faults().latency(Duration.ofMillis(200)).failNext(Op.GET_PKI_CERTIFICATE, 100, 503);
      long started = System.nanoTime();

      UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
          () -> upstream.mintX509Ca(Csrs.caCsr(KeyAlgorithm.EC_P256.generate(), "example.org"), Duration.ofHours(1)));

      assertEquals(UpstreamAuthorityException.Kind.UNAVAILABLE, e.kind());
      assertEquals("akeyless get-pki-certificate: the gateway failed (HTTP 503): injected fault [UNAVAILABLE]",
          e.getMessage());
      assertEquals(RetryPolicy.defaults().maxAttempts(), gateway.requestCount(Op.GET_PKI_CERTIFICATE));
      assertWithinTheRetryBudget(started);
    }
  }

  /** The plugin's policy for SPIRE: a few attempts, never longer than its total budget of about 20 s. */
  private static void assertWithinTheRetryBudget(long startedNanos) {
    Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
    assertTrue(took.compareTo(AkeylessUpstreams.SPIRE_RETRIES.totalBudget()) < 0, "took " + took);
  }

  @Test
  void k8s_withoutAServiceAccountToken_failsConfigureUnauthenticated() throws Exception {
    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class, () -> create(common()
        + "access_type = \"k8s\"\naccess_id = \"p-k8s\"\nk8s_auth_config_name = \"cluster\"\n"));

    assertEquals(UpstreamAuthorityException.Kind.UNAUTHENTICATED, e.kind());
    assertTrue(e.getMessage().contains("Kubernetes service-account token"), e.getMessage());
  }

  @Test
  void unreadableKeyFile_isAConfigurationError_namingTheFile() throws Exception {
    Path missing = directory.resolve("missing.key");

    SpiffeException e = assertThrows(SpiffeException.class, () -> create(common() + "access_type = \"cert\"\n"
        + "access_id = \"p-x\"\ncert_file_path = \"" + missing + "\"\nkey_file_path = \"" + missing + "\"\n"));

    assertTrue(e.getMessage().contains("missing.key"), e.getMessage());
  }

  @Test
  void gatewayNotTrusted_withoutTheCaBundle_failsConfigure() throws Exception {
    String untrusted = accessKeyConfig("access_key", credentials.accessKey()).replaceAll("custom_ca_bundle = .*\n", "");

    UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class, () -> create(untrusted));

    assertEquals(UpstreamAuthorityException.Kind.MISCONFIGURED, e.kind());
  }

  @Test
  void pluginServices_configureAndMintThroughAkeyless() throws Exception {
    PluginState state = new PluginState(AkeylessUpstreams::create, Map.of());
    PluginServer server = PluginServer.start(directory.resolve("plugin.sock"), state, () -> { });
    EventLoopGroup eventLoop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("test-client", true),
        EpollIoHandler.newFactory());
    ManagedChannel channel = PluginClient.dial(server.socket(), eventLoop);
    try {
      StatusRuntimeException refused = assertThrows(StatusRuntimeException.class, () -> ConfigGrpc
          .newBlockingStub(channel).configure(PluginProcessTest.configure(accessKeyConfig("access_key", "nope"))));
      assertEquals(Status.Code.UNAUTHENTICATED, refused.getStatus().getCode());

      ConfigGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .configure(PluginProcessTest.configure(accessKeyConfig("access_key", credentials.accessKey())));
      MintX509CAResponse response = UpstreamAuthorityGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
          .mintX509CAAndSubscribe(PluginProcessTest.mintRequest(KeyAlgorithm.EC_P256.generate())).next();

      assertEquals(ByteString.copyFrom(issuer.rootCertificate().getEncoded()),
          response.getUpstreamX509Roots(0).getAsn1());
    } finally {
      channel.shutdownNow();
      server.stop(Duration.ofSeconds(1));
      state.close();
      eventLoop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }
  }
}
