package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.testkit.spire.X509FetchResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The product end to end: a real SPIRE Server v1.13.3 runs the packaged single-file plugin (checksum and all), which
 * has spiffe4j's local Akeyless gateway (HTTPS, a private CA given as {@code custom_ca_bundle}) sign SPIRE's CA with a
 * PKI issuer set up as Akeyless documents for SPIRE; a workload's X509-SVID then chains to the issuer's root.
 */
@Tag("launcher")
@Tag("spire")
class AkeylessSpireIT {
  @TempDir
  Path directory;

  @Test
  void spireServer_runsTheLauncher_andAkeylessSignsItsCa() throws Exception {
    try (AkeylessGateway gateway = AkeylessGateway.builder().https(true).start()) {
      AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("spire-server");
      PkiIssuer issuer = gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofDays(7)).build());
      SpiffeId workload = SpiffeId.parse("spiffe://example.org/akeyless-signed");

      try (Spire spire = Spire.builder()
          .serverPlugin(AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory,
              "max_ttl = \"48h\""))
          .logDirectory(directory.resolve("logs"))
          .start()) {
        spire.createEntry(workload, WorkloadUser.current().uidSelector());
        X509FetchResult fetched = spire.agent().fetchX509(WorkloadUser.current());

        assertTrue(fetched.succeeded(), fetched::toString);
        X509Svid svid = X509Svid.parse(fetched.svidPem(), fetched.keyPem());
        X509Bundle bundle = X509Bundle.parsePem(spire.trustDomain(),
            fetched.bundlePem().getBytes(StandardCharsets.US_ASCII));
        assertEquals(Set.of(issuer.rootCertificate()), Set.copyOf(bundle.x509Authorities()));
        assertEquals(workload, X509SvidVerifier.of(bundle).verify(svid.chain()).id());
        svid.chain().get(svid.chain().size() - 1).verify(issuer.rootCertificate().getPublicKey());
        assertTrue(gateway.requestCount(Op.GET_PKI_CERTIFICATE) >= 1);

        List<String> log = Files.readAllLines(spire.server().logFile());
        assertTrue(log.stream().anyMatch(line -> line.contains("\"msg\":\"Plugin loaded\"")
            && line.contains("\"plugin_name\":\"spiffe4j_test\"")), "the plugin loaded");
        assertFalse(log.stream().anyMatch(line -> line.contains("Plugin checksum not configured")));
        assertFalse(log.stream().anyMatch(line -> line.contains(credentials.accessKey())), "no access key in the log");
        System.out.println("SPIRE with the launcher and Akeyless: " + AkeylessSpire.startTimings(spire.server().logFile()));
      }
    }
  }
}
