package io.spiffe4j.workloadapi.server;

import static io.spiffe4j.workloadapi.server.Recorder.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.authority.UpstreamAuthorities;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Signatures;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.workloadapi.Backoff;
import io.spiffe4j.workloadapi.TestClock;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.X509Source;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider backed by an authority: its identities, re-issued at half-life and on CA rotation, its bundles and
 * JWTs; and, served by a real {@link WorkloadApiServer}, what a client and an {@link X509Source} receive.
 */
class AuthorityIdentityProviderTest {
  private static final TrustDomain TD = TrustDomain.parse("example.org");
  private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  private static final SpiffeId DB = SpiffeId.parse("spiffe://example.org/db");
  private static final Instant THEN = Instant.parse("2031-02-03T04:00:00Z");
  private static final TrustDomain FEDERATED = TrustDomain.parse("federated.org");
  private static final KeyPair FEDERATED_KEY = KeyAlgorithm.EC_P256.generate();
  private static final SpiffeBundle FEDERATED_BUNDLE = SpiffeBundle.of(FEDERATED,
      List.of(CertificateMinter.ca(FEDERATED_KEY.getPublic(), FEDERATED.id()).sign(FEDERATED_KEY.getPrivate())),
      Map.of("federated-key", FEDERATED_KEY.getPublic()));
  private static final Backoff FAST = Backoff.exponential(Duration.ofMillis(10), Duration.ofMillis(100));

  @TempDir
  Path dir;

  private final TestClock clock = new TestClock(THEN);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }


  private SpiffeAuthority authorityOnTheTestClock() {
    return track(SpiffeAuthority.builder(TD).caTtl(Duration.ofHours(6)).x509SvidTtl(Duration.ofHours(1))
        .clock(clock).withoutTimer().build());
  }

  private static boolean signedBy(X509Certificate certificate, AuthorityCa ca) {
    return Signatures.verifyCertificate(certificate, ca.certificate().getPublicKey());
  }

  @Test
  void servesItsIdentitiesInOrder_withTheAuthoritysBundleBesideTheFederatedOnes() {
    SpiffeAuthority authority = authorityOnTheTestClock();
    AuthorityIdentityProvider provider = track(AuthorityIdentityProvider.builder(authority)
        .identity(WEB, "external").identity(DB, "internal").federatedBundle(FEDERATED_BUNDLE).build());
    X509Context context = provider.x509Context().orElseThrow();
    assertEquals(List.of(WEB, DB), context.svids().stream().map(X509Svid::id).collect(Collectors.toList()));
    assertEquals(List.of("external", "internal"), context.svids().stream().map(X509Svid::hint)
        .collect(Collectors.toList()));
    assertEquals(Set.of(TD, FEDERATED), context.bundles().trustDomains());
    assertEquals(authority.bundle(), context.bundles().bundleFor(TD));
    for (X509Svid svid : context.svids()) {
      assertEquals(svid.id(), X509SvidVerifier.of(context, clock).verify(svid.chain()).id());
      assertEquals(THEN.plus(Duration.ofHours(1)), svid.expiresAt());
    }

    List<JwtSvid> tokens = provider.mintJwtSvids(List.of("payments"), Optional.empty());
    assertEquals(List.of(WEB, DB), tokens.stream().map(JwtSvid::id).collect(Collectors.toList()));
    assertEquals(authority.activeCa().jwtKeyId(), tokens.get(0).keyId());
    BundleSet jwtBundles = provider.jwtBundles();
    for (JwtSvid token : tokens) {
      assertEquals(token.id(), JwtSvidValidator.builder().bundleSource(jwtBundles).expectAudience("payments")
          .clock(clock).build().validate(token.token()).id());
      assertEquals(token.id(), provider.validateJwtSvid(token.token(), "payments").id(), "on the authority's clock");
    }
    assertEquals(List.of(DB), provider.mintJwtSvids(List.of("a"), Optional.of(DB)).stream().map(JwtSvid::id)
        .collect(Collectors.toList()));
    assertEquals(List.of(), provider.mintJwtSvids(List.of("a"), Optional.of(SpiffeId.parse("spiffe://example.org/x"))));
  }

  @Test
  void aCaRotationReissuesEverySvid_andEveryBundleChangeIsSignalled() {
    SpiffeAuthority authority = authorityOnTheTestClock();
    AuthorityIdentityProvider provider = track(AuthorityIdentityProvider.builder(authority).identity(WEB)
        .identity(DB).build());
    AtomicInteger signals = new AtomicInteger();
    provider.subscribe(signals::incrementAndGet);
    X509Context before = provider.x509Context().orElseThrow();
    AuthorityCa first = authority.activeCa();

    AuthorityCa next = authority.prepareNextCa();
    assertEquals(1, signals.get(), "the new root was published");
    X509Context prepared = provider.x509Context().orElseThrow();
    assertTrue(prepared.bundles().bundleFor(TD).x509Authorities().contains(next.certificate()));
    assertEquals(before.svids(), prepared.svids(), "no SVID changes before the new CA is active");

    authority.activateNextCa();
    assertEquals(2, signals.get());
    X509Context after = provider.x509Context().orElseThrow();
    for (int i = 0; i < 2; i++) {
      assertTrue(signedBy(before.svids().get(i).leaf(), first));
      assertTrue(signedBy(after.svids().get(i).leaf(), next));
      assertNotEquals(before.svids().get(i).leaf().getPublicKey(), after.svids().get(i).leaf().getPublicKey());
      assertEquals(before.svids().get(i).id(), after.svids().get(i).id());
      assertEquals(after.svids().get(i).id(), X509SvidVerifier.of(after, clock).verify(after.svids().get(i).chain())
          .id());
    }
  }

  @Test
  void svidsAreReissuedAtHalfLife_onTheAuthoritysClock() throws InterruptedException {
    SpiffeAuthority authority = track(SpiffeAuthority.builder(TD).x509SvidTtl(Duration.ofSeconds(2)).build());
    AuthorityIdentityProvider provider = track(AuthorityIdentityProvider.builder(authority).identity(WEB).build());
    BlockingQueue<X509Svid> issued = new LinkedBlockingQueue<>();
    provider.subscribe(() -> issued.add(provider.x509Context().orElseThrow().defaultSvid()));
    X509Svid first = provider.x509Context().orElseThrow().defaultSvid();
    X509Svid second = issued.poll(10, TimeUnit.SECONDS);
    assertTrue(Instant.now().isBefore(first.expiresAt()), "re-issued before the first expired");
    assertTrue(second != null && second.expiresAt().isAfter(first.expiresAt()), "re-issued");
    provider.close();
    awaitTrue(() -> rotationThreads() == 0, "the provider's thread ended");
    assertTrue(provider.x509Context().isPresent(), "the last SVID stays served");
    assertThrows(IllegalStateException.class, provider::reissue);
  }

  private static long rotationThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("spiffe4j-workloadapi-server-rotation-") && t.isAlive()).count();
  }

  @Test
  void registrationsComeAndGo() {
    SpiffeAuthority authority = authorityOnTheTestClock();
    AuthorityIdentityProvider provider = track(AuthorityIdentityProvider.builder(authority).build());
    AtomicInteger signals = new AtomicInteger();
    provider.subscribe(signals::incrementAndGet);
    assertEquals(Optional.empty(), provider.x509Context());
    assertEquals(List.of(), provider.mintJwtSvids(List.of("a"), Optional.empty()));
    assertTrue(provider.toString().contains("no identity"), provider.toString());

    provider.register(WEB, "external");
    provider.register(DB, "internal");
    X509Svid web = provider.x509Context().orElseThrow().defaultSvid();
    provider.register(WEB, "edge");
    X509Context context = provider.x509Context().orElseThrow();
    assertEquals(List.of(WEB, DB), context.svids().stream().map(X509Svid::id).collect(Collectors.toList()),
        "a re-registered identity keeps its place");
    assertEquals("edge", context.defaultSvid().hint());
    assertNotEquals(web.leaf(), context.defaultSvid().leaf());
    assertThrows(IllegalArgumentException.class, () -> provider.register(WEB, "internal"), "WAPI-08");
    assertThrows(IllegalArgumentException.class, () -> provider.register(TD.id(), ""), "X509-04");
    assertThrows(IllegalArgumentException.class,
        () -> provider.register(SpiffeId.parse("spiffe://other.org/web"), ""), "SVID-01");

    provider.deregister(WEB);
    provider.deregister(WEB);
    assertEquals(DB, provider.x509Context().orElseThrow().defaultSvid().id());
    provider.deregister(DB);
    assertEquals(Optional.empty(), provider.x509Context());
    assertEquals(5, signals.get());
    provider.reissue();
    assertEquals(Optional.empty(), provider.x509Context());
  }

  @Test
  void builderRefusesWhatCannotBeServed() {
    SpiffeAuthority authority = authorityOnTheTestClock();
    AuthorityIdentityProvider.Builder builder = AuthorityIdentityProvider.builder(authority).identity(WEB, "a");
    assertThrows(IllegalArgumentException.class, () -> builder.identity(WEB));
    assertThrows(IllegalArgumentException.class, () -> builder.identity(DB, "a"));
    assertThrows(IllegalArgumentException.class, () -> builder.identity(TD.id()));
    assertThrows(IllegalArgumentException.class, () -> builder.identity(SpiffeId.parse("spiffe://other.org/x")));
    assertThrows(IllegalArgumentException.class, () -> builder.federatedBundle(authority.bundle()));
    builder.federatedBundle(FEDERATED_BUNDLE);
    assertThrows(IllegalArgumentException.class, () -> builder.federatedBundle(FEDERATED_BUNDLE));
    authority.close();
    assertThrows(IllegalStateException.class, builder::build);
  }

  @Test
  void aRealServerDeliversTheAuthoritysSvid_andTheRotatedOneAfterAForcedRotation() throws Exception {
    SpiffeAuthority authority = track(SpiffeAuthority.builder(TD)
        .upstream(UpstreamAuthorities.selfSigned()).withoutTimer().build());
    AuthorityIdentityProvider provider = track(AuthorityIdentityProvider.builder(authority).identity(WEB, "external")
        .federatedBundle(FEDERATED_BUNDLE).build());
    WorkloadApiServer server = track(WorkloadApiServer.builder().unix(dir.resolve("agent.sock"), provider).start());
    WorkloadApiClient client = track(WorkloadApiClient.builder().address(server.endpoint().address()).backoff(FAST)
        .build());
    X509Source source = track(X509Source.builder().client(client).initTimeout(Duration.ofSeconds(10)).build());
    BlockingQueue<X509Context> updates = new LinkedBlockingQueue<>();
    source.addListener(updates::add, Runnable::run);
    Recorder<BundleSet> jwtBundles = new Recorder<>();
    track(client.watchJwtBundles(jwtBundles));
    jwtBundles.nextUpdate();

    X509Svid first = source.x509Svid();
    AuthorityCa firstCa = authority.activeCa();
    assertEquals(WEB, first.id());
    assertEquals(List.of(first.leaf(), firstCa.certificate()), first.chain(), "leaf and the intermediate CA");
    assertEquals(authority.bundle().x509Bundle(), source.x509BundleFor(TD));
    assertEquals(WEB, X509SvidVerifier.of(source).verify(first.chain()).id());
    JwtSvid token = client.fetchJwtSvid("payments");
    assertEquals(firstCa.jwtKeyId(), token.keyId());
    assertEquals(WEB, client.validateJwtSvid(token.token(), "payments").id());

    AuthorityCa next = authority.prepareNextCa();
    assertEquals(Set.of(firstCa.jwtKeyId(), next.jwtKeyId()), jwtBundles.nextUpdate().jwtBundleFor(TD)
        .jwtAuthorities().keySet(), "the next JWT key is pushed before use");
    assertEquals(authority.bundle().x509Bundle(), client.fetchX509Bundles().x509BundleFor(TD),
        "the upstream root, unchanged");

    authority.activateNextCa();
    X509Svid rotated = awaitSvid(updates, svid -> svid.chain().get(1).equals(next.certificate()));
    assertEquals(WEB, rotated.id());
    assertEquals("external", rotated.hint());
    assertEquals(rotated.leaf(), source.x509Svid().leaf());
    assertEquals(WEB, X509SvidVerifier.of(source).verify(rotated.chain()).id());
    assertEquals(WEB, X509SvidVerifier.of(source).verify(first.chain()).id(), "the old SVID stays valid");
    JwtSvid rotatedToken = client.fetchJwtSvid("payments");
    assertEquals(next.jwtKeyId(), rotatedToken.keyId());
    assertEquals(WEB, client.validateJwtSvid(token.token(), "payments").id());
  }

  private static X509Svid awaitSvid(BlockingQueue<X509Context> updates,
      java.util.function.Predicate<X509Svid> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      X509Context update = updates.poll(100, TimeUnit.MILLISECONDS);
      if (update != null && wanted.test(update.defaultSvid())) {
        return update.defaultSvid();
      }
    }
    throw new AssertionError("no rotated SVID within 10 s");
  }
}
