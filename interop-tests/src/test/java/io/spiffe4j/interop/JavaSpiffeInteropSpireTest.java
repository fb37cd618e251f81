package io.spiffe4j.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.testkit.spire.Spire;
import io.spiffe4j.testkit.spire.SpireExtension;
import io.spiffe4j.testkit.spire.WorkloadUser;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Context;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * java-spiffe 0.8.17's Workload API client and ours, side by side against one real SPIRE agent, must see the same
 * identity: the same X.509-SVID (SPIRE caches one SVID per entry, so byte-identical chains), the same X.509 bundles in
 * both the X.509 context and FetchX509Bundles, the same JWT authorities, and JWT-SVIDs each library accepts from the
 * other. java-spiffe runs in a child JVM on its own class path (see java-spiffe-probe/), so its grpc 1.80 and
 * BouncyCastle jdk15on never meet ours; {@link #javaSpiffeIsNotOnThisClassPath} proves it.
 */
@Tag("spire")
class JavaSpiffeInteropSpireTest {
    private static final String AUDIENCE = "spiffe4j-interop";

    // A TTL far above the test's run time: no rotation between our fetch and java-spiffe's, so the SVIDs are identical.
    @RegisterExtension
    static final SpireExtension SPIRE = SpireExtension.of(Spire.builder().trustDomain("interop.test")
            .defaultX509SvidTtl(Duration.ofMinutes(30)));

    private static final TrustDomain TD = TrustDomain.parse("interop.test");
    private static final SpiffeId JVM_ID = SpiffeId.parse("spiffe://interop.test/jvm");

    private static X509Context ours;
    private static BundleSet ourX509Bundles;
    private static BundleSet ourJwtBundles;
    private static JwtSvid ourJwtSvid;
    private static JsonNode theirs;

    @BeforeAll
    static void fetchWithBothClients() throws IOException {
        // The probe JVM runs as the same uid, so the agent's unix attestor gives both clients this one entry.
        SPIRE.spire().createEntry(JVM_ID, WorkloadUser.current().uidSelector());
        String socket = SPIRE.spire().workloadSocketAddress();
        try (WorkloadApiClient client = WorkloadApiClient.create(socket)) {
            ours = client.fetchX509Context();
            ourX509Bundles = client.fetchX509Bundles();
            ourJwtBundles = client.fetchJwtBundles();
            ourJwtSvid = client.fetchJwtSvid(AUDIENCE);
        }
        theirs = JavaSpiffeProbes.run("JavaSpiffeProbe", socket, AUDIENCE, ourJwtSvid.token());
    }

    @Test
    void javaSpiffeIsNotOnThisClassPath() {
        assertThrows(ClassNotFoundException.class, () -> Class.forName("io.spiffe.workloadapi.WorkloadApiClient"));
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String name = Path.of(entry).getFileName().toString();
            assertFalse(name.contains("jdk15on") || name.startsWith("java-spiffe") || name.startsWith("grpc-netty-linux"),
                    () -> "on the test class path: " + entry);
        }
    }

    @Test
    void sameX509Svid_byteIdenticalChain() throws CertificateEncodingException {
        JsonNode context = theirs.get("x509Context");
        assertEquals(1, context.get("svids").size(), context::toString);
        JsonNode svid = context.get("svids").get(0);
        X509Svid ourSvid = ours.defaultSvid();

        assertEquals(1, ours.svids().size());
        assertEquals(JVM_ID.toString(), context.get("defaultId").asText());
        assertEquals(ourSvid.id().toString(), svid.get("id").asText());
        assertEquals(ourSvid.id(), JVM_ID);
        // Same DER, certificate by certificate: the same leaf (serial, key, validity) and the same intermediates.
        assertEquals(der(ourSvid.chain()), strings(svid.get("chain")));
    }

    @Test
    void javaSpiffesSvid_verifiesWithOurVerifier_onOurBundles() {
        List<X509Certificate> theirChain = certificates(theirs.get("x509Context").get("svids").get(0).get("chain"));

        assertEquals(JVM_ID, X509SvidVerifier.of(ourX509Bundles).verify(theirChain).id());
    }

    @Test
    void sameX509Bundles_inTheContext_andFromFetchX509Bundles() throws CertificateEncodingException {
        Map<String, Set<String>> ourContextBundles = x509BundlesDer(ours.bundles());
        Map<String, Set<String>> ourFetchedBundles = x509BundlesDer(ourX509Bundles);

        assertEquals(Set.of(TD.name()), ourFetchedBundles.keySet());
        assertEquals(ourContextBundles, x509BundlesJson(theirs.get("x509Context").get("bundles")));
        assertEquals(ourFetchedBundles, x509BundlesJson(theirs.get("x509Bundles")));
        assertEquals(ourFetchedBundles, ourContextBundles);
        assertEquals(new TreeSet<>(der(SPIRE.spire().serverBundle().x509Authorities())),
                ourFetchedBundles.get(TD.name()), "both see the server's bundle");
    }

    @Test
    void sameJwtBundles_sameKeyIdsAndKeys() {
        Map<String, Map<String, String>> ourKeys = new TreeMap<>();
        for (TrustDomain td : ourJwtBundles.trustDomains()) {
            JwtBundle bundle = ourJwtBundles.jwtBundleFor(td);
            Map<String, String> keys = new TreeMap<>();
            bundle.jwtAuthorities().forEach((kid, key) -> keys.put(kid, base64(key.getEncoded())));
            ourKeys.put(td.name(), keys);
        }
        Map<String, Map<String, String>> theirKeys = new TreeMap<>();
        theirs.get("jwtBundles").fields().forEachRemaining(td -> {
            Map<String, String> keys = new TreeMap<>();
            td.getValue().fields().forEachRemaining(key -> keys.put(key.getKey(), key.getValue().asText()));
            theirKeys.put(td.getKey(), keys);
        });

        assertEquals(Set.of(TD.name()), ourKeys.keySet());
        assertFalse(ourKeys.get(TD.name()).isEmpty());
        assertEquals(ourKeys, theirKeys);
    }

    @Test
    void jwtSvids_eachLibraryAcceptsTheOthers() {
        JsonNode theirSvid = theirs.get("jwtSvid");
        assertEquals(JVM_ID.toString(), theirSvid.get("id").asText());
        assertEquals(List.of(AUDIENCE), strings(theirSvid.get("audience")));

        // The agent caches a JWT-SVID per identity and audience until its half-life: both clients get that token.
        assertEquals(ourJwtSvid.token(), theirSvid.get("token").asText());
        JwtSvid validatedByUs = JwtSvidValidator.builder().bundleSource(ourJwtBundles).expectAudience(AUDIENCE).build()
                .validate(theirSvid.get("token").asText());
        assertEquals(JVM_ID, validatedByUs.id());
        assertEquals(List.of(AUDIENCE), validatedByUs.audience());
        assertEquals(theirSvid.get("expiry").asLong(), validatedByUs.expiry().getEpochSecond());
        // java-spiffe validated our token against the JWT bundles it fetched.
        assertEquals(JVM_ID.toString(), theirs.get("validated").get("id").asText());
    }

    private static Map<String, Set<String>> x509BundlesDer(BundleSet bundles) throws CertificateEncodingException {
        Map<String, Set<String>> byDomain = new TreeMap<>();
        for (TrustDomain td : bundles.trustDomains()) {
            byDomain.put(td.name(), new TreeSet<>(der(bundles.x509BundleFor(td).x509Authorities())));
        }
        return byDomain;
    }

    private static Map<String, Set<String>> x509BundlesJson(JsonNode bundles) {
        Map<String, Set<String>> byDomain = new TreeMap<>();
        bundles.fields().forEachRemaining(td -> byDomain.put(td.getKey(), new TreeSet<>(strings(td.getValue()))));
        return byDomain;
    }

    private static List<String> der(Collection<X509Certificate> certificates) throws CertificateEncodingException {
        List<String> encoded = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            encoded.add(base64(certificate.getEncoded()));
        }
        return encoded;
    }

    private static List<X509Certificate> certificates(JsonNode base64Der) {
        List<X509Certificate> certificates = new ArrayList<>();
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (String der : strings(base64Der)) {
                certificates.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(Base64.getDecoder().decode(der))));
            }
        } catch (CertificateException e) {
            throw new AssertionError(e);
        }
        return certificates;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        for (Iterator<JsonNode> it = array.elements(); it.hasNext();) {
            values.add(it.next().asText());
        }
        return values;
    }

    private static String base64(byte[] der) {
        return Base64.getEncoder().encodeToString(der);
    }
}
