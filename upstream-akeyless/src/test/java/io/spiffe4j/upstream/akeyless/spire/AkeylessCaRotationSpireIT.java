package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.spiffe4j.akeyless.testkit.AccessKeyCredentials;
import io.spiffe4j.akeyless.testkit.AkeylessGateway;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.PkiIssuer;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.X509Source;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPIRE's second mint through the packaged plugin and Akeyless, while a workload keeps working: with a short
 * {@code ca_ttl}, SPIRE prepares its next CA at half the current one's life (a second {@code get-pki-certificate}) and
 * activates it at five sixths; the workload's SVIDs move to the new intermediate, which chains to the same issuer
 * root, and no fetch fails on the way. Prints how long each step took, from SPIRE's and the plugin's log.
 */
@Tag("launcher")
@Tag("spire")
class AkeylessCaRotationSpireIT {
  /** SPIRE checks for rotation every 10 s: the next CA is prepared 30 to 40 s in, activated 50 to 60 s in. */
  private static final Duration CA_TTL = Duration.ofSeconds(60);
  /** ca_ttl / 6, the most SPIRE can guarantee without cutting SVIDs short at activation. */
  private static final Duration SVID_TTL = CA_TTL.dividedBy(6);
  private static final Duration ROTATION_BOUND = Duration.ofSeconds(100);
  private static final Duration FETCH_PERIOD = Duration.ofMillis(500);

  @TempDir
  Path directory;

  @Test
  void secondMint_workloadMovesToTheNewIntermediate_withoutAFailedFetch() throws Exception {
    try (AkeylessGateway gateway = AkeylessGateway.builder().https(true).start()) {
      AccessKeyCredentials credentials = gateway.createAccessKeyAuthMethod("spire-server");
      PkiIssuer issuer = gateway.createPkiIssuer(AkeylessSpire.spireIssuer(Duration.ofDays(7)).build());
      SpiffeId workload = SpiffeId.parse("spiffe://example.org/rotating");

      try (Spire spire = Spire.builder()
          .caTtl(CA_TTL)
          .defaultX509SvidTtl(SVID_TTL)
          .serverPlugin(AkeylessSpire.stanza(gateway, credentials, credentials.accessKey(), directory))
          .logDirectory(directory.resolve("logs"))
          .start()) {
        spire.createEntry(workload, WorkloadUser.current().uidSelector());
        List<X509Certificate> intermediates = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        List<X509Certificate> streamed = new CopyOnWriteArrayList<>();
        int fetches = 0;
        long started = System.nanoTime();

        try (WorkloadApiClient client = WorkloadApiClient.create(spire.workloadSocketAddress());
            X509Source source = X509Source.builder().client(client).build()) {
          source.addListener(context -> addNew(streamed, context.defaultSvid().chain().get(1)), Runnable::run);
          while (intermediates.size() < 2) {
            assertTrue(System.nanoTime() - started < ROTATION_BOUND.toNanos(), () -> "no new SPIRE intermediate "
                + "within " + ROTATION_BOUND + "; SPIRE's log:\n" + spire.logTails(40));
            fetches++;
            try {
              X509Context fetched = client.fetchX509Context();
              X509Svid svid = checked(fetched.defaultSvid(), fetched, workload);
              checked(source.x509Svid(), source, workload);
              addNew(intermediates, svid.chain().get(1));
            } catch (RuntimeException | AssertionError e) {
              failures.add(e);
            }
            Thread.sleep(FETCH_PERIOD.toMillis());
          }
        }
        long rotatedAfter = (System.nanoTime() - started) / 1_000_000;
        int attempts = fetches;

        assertTrue(failures.isEmpty(), () -> failures.size() + " of " + attempts + " fetches failed, first: "
            + failures.get(0));
        assertTrue(gateway.requestCount(Op.GET_PKI_CERTIFICATE) >= 2, "SPIRE's second CA came from Akeyless");
        for (X509Certificate intermediate : intermediates) {
          intermediate.verify(issuer.rootCertificate().getPublicKey());
        }
        assertTrue(streamed.containsAll(intermediates), "the X509Source's stream delivered both intermediates");
        assertEquals(Set.of(issuer.rootCertificate()), Set.copyOf(spire.serverBundle().x509Authorities()),
            "the trust bundle is still the issuer's root only");

        List<JsonNode> log = AkeylessSpire.entries(spire.server().logFile());
        List<JsonNode> preparing = AkeylessSpire.withMessage(log, "Preparing X509 CA");
        List<JsonNode> prepared = AkeylessSpire.withMessage(log, "X509 CA prepared");
        List<JsonNode> activated = AkeylessSpire.withMessage(log, "X509 CA activated");
        List<JsonNode> minted = AkeylessSpire.fromPlugin(log, "minted an X.509 CA");
        assertTrue(preparing.size() >= 2 && prepared.size() >= 2 && activated.size() >= 2 && minted.size() >= 2,
            () -> "SPIRE prepared and activated two CAs, each minted by the plugin: " + prepared + activated);
        assertEquals("60", minted.get(1).path("requested_ttl_s").asText(), "SPIRE asks for its ca_ttl again");
        for (JsonNode entry : List.of(preparing.get(1), minted.get(1), prepared.get(1), activated.get(1))) {
          System.out.println(entry);
        }
        System.out.println("SPIRE with the launcher and Akeyless: "
            + AkeylessSpire.startTimings(spire.server().logFile()));
        System.out.printf("second mint through SPIRE: %d fetches, 0 failed; new intermediate served %d ms after "
                + "the first fetch. SPIRE: Preparing -> X509 CA prepared %d ms (first CA %d ms); the plugin's "
                + "second mint %s ms (first %s ms); prepared -> activated %d ms; first CA -> second prepared %d ms%n",
            fetches, rotatedAfter,
            AkeylessSpire.millisBetween(preparing.get(1), prepared.get(1)),
            AkeylessSpire.millisBetween(preparing.get(0), prepared.get(0)),
            minted.get(1).path("duration_ms").asText(), minted.get(0).path("duration_ms").asText(),
            AkeylessSpire.millisBetween(prepared.get(1), activated.get(1)),
            AkeylessSpire.millisBetween(prepared.get(0), prepared.get(1)));
      }
    }
  }

  /** The SVID is the workload's, currently valid, and chains to the bundle its fetch came with. */
  private static X509Svid checked(X509Svid svid, X509BundleSource bundles, SpiffeId workload) {
    assertEquals(workload, X509SvidVerifier.of(bundles).verify(svid.chain()).id());
    assertEquals(2, svid.chain().size(), "the leaf and SPIRE's intermediate, the root stays out");
    return svid;
  }

  private static void addNew(List<X509Certificate> seen, X509Certificate certificate) {
    if (!seen.contains(certificate)) {
      seen.add(certificate);
    }
  }
}
