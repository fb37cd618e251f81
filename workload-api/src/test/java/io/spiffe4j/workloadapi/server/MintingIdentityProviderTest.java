package io.spiffe4j.workloadapi.server;

import static io.spiffe4j.workloadapi.server.Recorder.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import io.spiffe4j.workloadapi.X509Context;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The minting provider on its own: what it issues, when it rotates, and its JWTs, mostly on a fixed clock. */
class MintingIdentityProviderTest {
  private static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  /** Years away from the machine's clock, so nothing here can pass by accident on the system clock. */
  private static final Instant THEN = Instant.parse("2031-02-03T04:05:06Z");
  private static final Clock FIXED = Clock.fixed(THEN, ZoneOffset.UTC);
  private static final KeyPair CA_KEY = KeyAlgorithm.EC_P256.generate();

  @Test
  void issuesAnSvidOfItsIdSignedByItsCa_validForTheTtl() {
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).hint("external")
        .svidTtl(Duration.ofMinutes(10)).clock(FIXED).build()) {
      X509Context context = provider.x509Context().orElseThrow();
      X509Svid svid = context.defaultSvid();
      assertEquals(WEB, svid.id());
      assertEquals("external", svid.hint());
      assertEquals(THEN.plus(Duration.ofMinutes(10)), svid.expiresAt());
      assertEquals(List.of(svid.leaf()), svid.chain());
      assertEquals(WEB, X509SvidVerifier.of(context, FIXED).verify(svid.chain()).id());
      assertEquals(provider.bundle().x509Bundle(), context.x509BundleFor(WEB.trustDomain()));
      assertEquals(provider.bundle(), provider.jwtBundles().bundleFor(WEB.trustDomain()));
    }
  }

  @Test
  void rotateIssuesANewKeyAndSignalsSubscribers_untilUnsubscribed() {
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).clock(FIXED).build()) {
      AtomicInteger signals = new AtomicInteger();
      IdentityProvider.Subscription subscription = provider.subscribe(signals::incrementAndGet);
      X509Svid first = provider.x509Context().orElseThrow().defaultSvid();
      provider.rotate();
      X509Svid second = provider.x509Context().orElseThrow().defaultSvid();
      assertEquals(1, signals.get());
      assertNotEquals(first.leaf().getPublicKey(), second.leaf().getPublicKey());
      assertNotEquals(first.leaf().getSerialNumber(), second.leaf().getSerialNumber());

      subscription.close();
      subscription.close();
      provider.rotate();
      assertEquals(1, signals.get());
    }
  }

  @Test
  void aFailingListenerDoesNotStopTheOthers() {
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).clock(FIXED).build()) {
      AtomicInteger signals = new AtomicInteger();
      provider.subscribe(() -> {
        throw new IllegalStateException("listener bug");
      });
      provider.subscribe(signals::incrementAndGet);
      provider.rotate();
      assertEquals(1, signals.get());
    }
  }

  @Test
  void rotatesAtHalfLifeByItself() throws InterruptedException {
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).svidTtl(Duration.ofMillis(600))
        .build()) {
      AtomicInteger signals = new AtomicInteger();
      provider.subscribe(signals::incrementAndGet);
      awaitTrue(() -> signals.get() >= 2, "two rotations");
    }
  }

  @Test
  void closeStopsRotatingAndEndsTheTimerThread() throws InterruptedException {
    MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).svidTtl(Duration.ofMillis(200)).build();
    awaitTrue(() -> timerThreads() > 0, "the timer runs");
    provider.close();
    provider.close();
    awaitTrue(() -> timerThreads() == 0, "the timer thread ended");
    assertTrue(provider.x509Context().isPresent(), "the last state stays served");
    assertThrows(IllegalStateException.class, provider::rotate);
    assertThrows(IllegalStateException.class, provider::revoke);
  }

  private static long timerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("spiffe4j-workloadapi-server-rotation-") && t.isAlive()).count();
  }

  @Test
  void jwtSvidsAreForTheAudiences_signedByTheJwtAuthority_andValidatedOnItsClock() {
    KeyPair jwtKey = KeyAlgorithm.EC_P256.generate();
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).clock(FIXED)
        .jwtSvidTtl(Duration.ofMinutes(2)).jwtAuthority("key-1", jwtKey).build()) {
      List<JwtSvid> svids = provider.mintJwtSvids(List.of("payments", "audit"), Optional.empty());
      assertEquals(1, svids.size());
      JwtSvid svid = svids.get(0);
      assertEquals(WEB, svid.id());
      assertEquals(List.of("payments", "audit"), svid.audience());
      assertEquals("key-1", svid.keyId());
      assertEquals(Optional.of(THEN), svid.issuedAt());
      assertEquals(THEN.plus(Duration.ofMinutes(2)), svid.expiry());
      assertEquals(Map.of("key-1", jwtKey.getPublic()), provider.bundle().jwtBundle().jwtAuthorities());

      assertEquals(WEB, provider.validateJwtSvid(svid.token(), "audit").id());
      JwtSvidException wrongAudience =
          assertThrows(JwtSvidException.class, () -> provider.validateJwtSvid(svid.token(), "billing"));
      assertEquals(Optional.of("JWT-08"), wrongAudience.rule());
      assertEquals(1, provider.mintJwtSvids(List.of("a"), Optional.of(WEB)).size());
      assertEquals(List.of(), provider.mintJwtSvids(List.of("a"),
          Optional.of(SpiffeId.parse("spiffe://example.org/db"))));
    }
  }

  @Test
  void aGivenCaSigns_andCapsTheSvidAtItsExpiry() {
    X509Certificate ca = CertificateMinter.ca(CA_KEY.getPublic(), WEB.trustDomain().id())
        .validity(THEN.minusSeconds(60), THEN.plus(Duration.ofMinutes(5))).sign(CA_KEY.getPrivate());
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).clock(FIXED).ca(ca, CA_KEY.getPrivate())
        .svidTtl(Duration.ofHours(1)).build()) {
      X509Context context = provider.x509Context().orElseThrow();
      assertEquals(List.of(ca), context.x509BundleFor(WEB.trustDomain()).x509Authorities());
      assertEquals(THEN.plus(Duration.ofMinutes(5)), context.defaultSvid().expiresAt());
      assertEquals(WEB, X509SvidVerifier.of(context, FIXED).verify(context.defaultSvid().chain()).id());
    }
    Clock later = Clock.fixed(THEN.plus(Duration.ofHours(1)), ZoneOffset.UTC);
    assertThrows(IllegalStateException.class,
        () -> MintingIdentityProvider.builder(WEB).clock(later).ca(ca, CA_KEY.getPrivate()).build());
  }

  @Test
  void federatedBundlesAreServedBesideTheOwnOne() {
    TrustDomain federated = TrustDomain.parse("federated.org");
    SpiffeBundle bundle = SpiffeBundle.of(federated, List.of(CertificateMinter.ca(CA_KEY.getPublic(), federated.id())
        .sign(CA_KEY.getPrivate())), Map.of());
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).federatedBundle(bundle).build()) {
      assertEquals(Set.of(WEB.trustDomain(), federated), provider.x509Context().orElseThrow().bundles().trustDomains());
      assertEquals(bundle, provider.jwtBundles().bundleFor(federated));
    }
  }

  @Test
  void noIdentityBeforeTheFirstRotation_norAfterRevoke() {
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).clock(FIXED).startWithoutIdentity()
        .build()) {
      assertFalse(provider.x509Context().isPresent());
      assertEquals(List.of(), provider.mintJwtSvids(List.of("a"), Optional.empty()));
      assertTrue(provider.toString().contains("no identity"), provider.toString());
      AtomicInteger signals = new AtomicInteger();
      provider.subscribe(signals::incrementAndGet);

      provider.rotate();
      assertTrue(provider.x509Context().isPresent());
      provider.revoke();
      assertFalse(provider.x509Context().isPresent());
      assertEquals(List.of(), provider.mintJwtSvids(List.of("a"), Optional.empty()));
      assertEquals(2, signals.get());
    }
  }

  @Test
  void X509_04_builderRefusesWhatCannotBeIssued() {
    assertThrows(IllegalArgumentException.class,
        () -> MintingIdentityProvider.builder(SpiffeId.parse("spiffe://example.org")));
    MintingIdentityProvider.Builder builder = MintingIdentityProvider.builder(WEB);
    X509Certificate leaf = CertificateMinter.x509Svid(CA_KEY.getPublic(), WEB)
        .issuedBy(CertificateMinter.ca(CA_KEY.getPublic(), WEB.trustDomain().id()).sign(CA_KEY.getPrivate()),
            CA_KEY.getPrivate())
        .sign(null);
    assertThrows(IllegalArgumentException.class, () -> builder.ca(leaf, CA_KEY.getPrivate()));
    assertThrows(IllegalArgumentException.class, () -> builder.jwtAuthority("", CA_KEY));
    assertThrows(IllegalArgumentException.class, () -> builder.svidTtl(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.jwtSvidTtl(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> builder.federatedBundle(
        SpiffeBundle.of(WEB.trustDomain(), List.of(), Map.of())));
  }

  @Test
  void toStringShowsTheIdAndExpiry_neverAKey() {
    try (MintingIdentityProvider provider = MintingIdentityProvider.builder(WEB).clock(FIXED).build()) {
      String text = provider.toString();
      assertTrue(text.contains(WEB.toString()) && text.contains(THEN.plus(Duration.ofHours(1)).toString()), text);
      assertFalse(text.toLowerCase(java.util.Locale.ROOT).contains("key"), text);
      assertEquals(Set.of(WEB), provider.x509Context().orElseThrow().svids().stream().map(X509Svid::id)
          .collect(Collectors.toSet()));
    }
  }
}
