package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiIssuerSettings;
import io.spiffe4j.certauth.akeyless.RetryPolicy;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.SpireException;
import io.spiffe4j.testkit.spire.SpireInstallation;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.testkit.spire.X509FetchResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What an operator sees when Akeyless cannot or will not sign SPIRE's CA, through a real SPIRE Server v1.13.3 running
 * the packaged plugin: spire-server stops (it never hangs) within the plugin's retry budget, and its log says what is
 * wrong and which setting to change, without the access key. An issuer whose TTL is below {@code ca_ttl} works once
 * the plugin's {@code max_ttl} caps what is asked for.
 */
@Tag("launcher")
@Tag("spire")
class AkeylessRefusalsSpireIT {
  /** The client's whole retry budget, plus the JVM's start and SPIRE's own: a hang shows as a failure, not a wait. */
  private static final Duration REFUSAL_BOUND = AkeylessUpstreams.SPIRE_RETRIES.totalBudget().plusSeconds(10);

  private final AkeylessGateway gateway = AkeylessGateway.builder().https(true).start();
  private final AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("spire-server");

  @TempDir
  Path directory;

  @AfterEach
  void closeGateway() {
    gateway.close();
  }

  @Test
  void gatewayStopped_spireServerStops_namingTheGateway() throws Exception {
    gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofDays(7)).build());
    String stanza = AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory);
    gateway.close();

    assertEquals("failed to configure plugin \"spiffe4j_test\": rpc error: code = Unavailable desc = "
        + "authenticating to the Akeyless gateway " + gateway.url() + " with access ID " + credentials.accessId()
        + " (access_key) failed: akeyless auth: cannot connect to the gateway [UNAVAILABLE]", refusedStart(stanza));
  }

  @Test
  void gatewayFailingEveryMint_spireServerStops_withTheGatewaysError_afterTheRetries() throws Exception {
    gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofDays(7)).build());
    gateway.faults().failNext(Op.GET_PKI_CERTIFICATE, 1000, 503);

    assertEquals("rpc error: code = Unavailable desc = upstreamauthority(spiffe4j_test): akeyless "
        + "get-pki-certificate: the gateway failed (HTTP 503): injected fault [UNAVAILABLE]",
        refusedStart(AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory)));
    assertEquals(RetryPolicy.defaults().maxAttempts(), gateway.requestCount(Op.GET_PKI_CERTIFICATE));
  }

  @Test
  void wrongAccessKey_spireServerStopsUnauthenticated_andNoKeyReachesItsLog() throws Exception {
    gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofDays(7)).build());
    String wrongKey = "wrong-" + credentials.accessKey();

    assertEquals("failed to configure plugin \"spiffe4j_test\": rpc error: code = Unauthenticated desc = "
        + "authenticating to the Akeyless gateway " + gateway.url() + " with access ID " + credentials.accessId()
        + " (access_key) failed: akeyless auth: Akeyless refused the credentials or token (HTTP 401): wrong access "
        + "key [UNAUTHENTICATED]", refusedStart(AkeylessSpire.stanza(gateway, credentials, wrongKey, directory)));
    String log = Files.readString(serverLog());
    assertFalse(log.contains(wrongKey) || log.contains(credentials.accessKey()), "an access key in SPIRE's log");
  }

  @Test
  void issuerWithAkeylessDefaultKeyUsage_spireServerStops_namingTheFlag() throws Exception {
    gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofDays(7))
        .keyUsage(PkiIssuerSettings.DEFAULT_KEY_USAGE).build());

    assertEquals("rpc error: code = FailedPrecondition desc = upstreamauthority(spiffe4j_test): the Akeyless PKI "
        + "issuer /spire/intermediate signed a CA without the keyCertSign key usage: create the issuer with "
        + "--key-usage certsign,crlsign",
        refusedStart(AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory)));
  }

  @Test
  void issuerTtlBelowCaTtl_spireServerStops_namingBothLifetimesAndTheSettings() throws Exception {
    gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofHours(1)).build());

    assertEquals("rpc error: code = FailedPrecondition desc = upstreamauthority(spiffe4j_test): the Akeyless PKI "
        + "issuer /spire/intermediate refused to sign a CA valid for 86400 s (akeyless get-pki-certificate: Akeyless "
        + "denied permission (HTTP 403): requested ttl exceeds the issuer's ttl of 3600 seconds [PERMISSION_DENIED]): "
        + "the issuer's --ttl must be at least that long (SPIRE asks for its ca_ttl, which the plugin's max_ttl "
        + "caps), its --allowed-uri-sans must include spiffe://<trust domain>, and the access ID's role must be "
        + "allowed to use the issuer",
        refusedStart(AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory)));
  }

  @Test
  void issuerTtlBelowCaTtl_withMaxTtlBelowIt_spireServerRuns_onACaNoLongerThanMaxTtl() throws Exception {
    gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofHours(1)).build());
    Duration maxTtl = Duration.ofMinutes(30);
    SpiffeId workload = SpiffeId.parse("spiffe://example.org/capped");

    try (Spire spire = Spire.builder()
        .serverPlugin(AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory,
            "max_ttl = \"30m\""))
        .logDirectory(directory.resolve("logs"))
        .start()) {
      spire.createEntry(workload, WorkloadUser.current().uidSelector());
      X509FetchResult fetched = spire.agent().fetchX509(WorkloadUser.current());

      assertTrue(fetched.succeeded(), fetched::toString);
      X509Certificate spireCa = X509Svid.parse(fetched.svidPem(), fetched.keyPem()).chain().get(1);
      assertTrue(Duration.between(spireCa.getNotBefore().toInstant(), spireCa.getNotAfter().toInstant())
          .compareTo(maxTtl) <= 0, () -> "SPIRE's CA lives longer than max_ttl: " + spireCa);
      List<JsonNode> minted = AkeylessSpire.fromPlugin(AkeylessSpire.entries(spire.server().logFile()),
          "minted an X.509 CA");
      assertEquals("1800", minted.get(0).path("requested_ttl_s").asText(), minted::toString);
    }
  }

  /**
   * Starts SPIRE with {@code stanza}, which must fail: the server process exits within {@link #REFUSAL_BOUND}.
   *
   * @return the error of spire-server's "Fatal run error" log entry
   */
  private String refusedStart(String stanza) throws Exception {
    // Located first: a missing SPIRE must fail the test with the installation's message, not pass as a refusal.
    SpireInstallation spire = SpireInstallation.locate();
    long started = System.nanoTime();
    SpireException e = assertThrows(SpireException.class, () -> Spire.builder().installation(spire)
        .serverPlugin(stanza).logDirectory(directory.resolve("logs")).start());
    Duration took = Duration.ofNanos(System.nanoTime() - started);

    assertTrue(e.getMessage().contains("spire-server exited with code"), e::getMessage);
    assertTrue(took.compareTo(REFUSAL_BOUND) < 0, "spire-server took " + took + " to give up");
    List<JsonNode> fatal = AkeylessSpire.withMessage(AkeylessSpire.entries(serverLog()), "Fatal run error");
    assertEquals(1, fatal.size(), e::getMessage);
    System.out.println("spire-server refused to start after " + took.toMillis() + " ms: " + fatal.get(0));
    return fatal.get(0).path("error").asText();
  }

  private Path serverLog() throws Exception {
    return AkeylessSpire.serverLog(directory.resolve("logs"));
  }
}
