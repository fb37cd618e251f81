package io.spiffe4j.authority;

import static io.spiffe4j.authority.AuthorityFixtures.KEY_A;
import static io.spiffe4j.authority.AuthorityFixtures.THEN;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.authority.AuthorityFixtures.FlakyUpstream;
import io.spiffe4j.authority.AuthorityFixtures.MovingClock;
import io.spiffe4j.authority.UpstreamAuthority.JwtKey;
import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Signatures;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.CertificateMinter.KeyUsage;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidException;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.math.BigInteger;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The authority: what it issues, and its rotation stage by stage on a clock the tests move (a CA of 6 h: prepared at
 * 3 h, activated at 5 h, gone from the bundle at 6 h), checked with spiffe4j's own verifiers against its bundle.
 */
class SpiffeAuthorityTest {
  static final TrustDomain TD = TrustDomain.parse("example.org");
  static final SpiffeId WEB = SpiffeId.parse("spiffe://example.org/web");
  private static final Duration CA_TTL = Duration.ofHours(6);

  private final MovingClock clock = new MovingClock(THEN);
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable resource : resources) {
      resource.close();
    }
  }

  private SpiffeAuthority.Builder authority() {
    return SpiffeAuthority.builder(TD).caTtl(CA_TTL).x509SvidTtl(Duration.ofHours(1)).clock(clock).withoutTimer();
  }

  private SpiffeAuthority track(SpiffeAuthority authority) {
    resources.add(authority);
    return authority;
  }

  /** Moves the clock to {@code THEN + elapsed} and applies the schedule. */
  private void at(SpiffeAuthority authority, Duration elapsed) {
    clock.set(THEN.plus(elapsed));
    authority.tick();
  }

  private SpiffeId verify(SpiffeAuthority authority, X509Svid svid) {
    return X509SvidVerifier.of(authority.bundle(), clock).verify(svid.chain()).id();
  }

  private JwtSvid validate(SpiffeAuthority authority, JwtSvid token) {
    return JwtSvidValidator.builder().bundleSource(authority.bundle()).expectAudience("payments").clock(clock)
        .leeway(Duration.ZERO).build().validate(token.token());
  }

  private static boolean signedBy(X509Certificate certificate, AuthorityCa ca) {
    return Signatures.verifyCertificate(certificate, ca.certificate().getPublicKey());
  }

  private static long sequence(SpiffeAuthority authority) {
    return authority.bundle().sequenceNumber().orElseThrow().longValueExact();
  }

  static List<String> uriSans(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      return names == null ? List.of() : names.stream().filter(n -> ((Integer) n.get(0)) == 6)
          .map(n -> (String) n.get(1)).collect(Collectors.toList());
    } catch (CertificateParsingException e) {
      throw new AssertionError(e);
    }
  }

  /** Records what listeners are told, in order, as short strings. */
  private static final class Events implements SpiffeAuthority.Listener {
    final List<String> events = new CopyOnWriteArrayList<>();
    final List<Long> sequences = new CopyOnWriteArrayList<>();
    final SpiffeAuthority authority;

    Events(SpiffeAuthority authority) {
      this.authority = authority;
      authority.subscribe(this);
    }

    @Override
    public void bundleChanged(SpiffeBundle bundle) {
      sequences.add(bundle.sequenceNumber().orElseThrow().longValueExact());
      events.add("bundle " + bundle.x509Authorities().size() + " " + bundle.jwtAuthorities().size());
    }

    @Override
    public void caActivated(AuthorityCa ca) {
      // The CA's roots and JWT key must already be published when it starts signing (FED-02).
      assertTrue(authority.bundle().x509Authorities().containsAll(ca.roots()), "roots published before use");
      assertEquals(Optional.of(ca.jwtPublicKey()), authority.bundle().findJwtAuthority(ca.jwtKeyId()));
      events.add("activated " + ca.jwtKeyId());
    }

    @Override
    public void preparationFailed(UpstreamAuthorityException error) {
      events.add("failed " + error.kind());
    }
  }

  @Test
  void FED_02_x509SvidsVerifyAgainstTheBundleAtEveryStageOfRotation() {
    SpiffeAuthority authority = track(authority().build());
    Events events = new Events(authority);
    AuthorityCa first = authority.activeCa();

    // Before preparation: the self-signed CA is the only root, and SVIDs carry only their leaf.
    assertEquals(List.of(first.certificate()), first.roots());
    assertEquals(List.of(), first.chain());
    assertEquals(List.of(first.certificate()), authority.bundle().x509Authorities());
    assertEquals(1, sequence(authority));
    X509Svid early = authority.mintX509Svid(WEB);
    assertEquals(List.of(early.leaf()), early.chain());
    assertEquals(WEB, verify(authority, early));
    at(authority, Duration.ofHours(3).minusSeconds(1));
    assertEquals(Optional.empty(), authority.nextCa());
    assertEquals(1, sequence(authority));

    // Half-life: the next CA is prepared and its root published, but the first one still signs.
    at(authority, Duration.ofHours(3));
    AuthorityCa next = authority.nextCa().orElseThrow();
    assertEquals(List.of(first.certificate(), next.certificate()), authority.bundle().x509Authorities());
    assertEquals(2, sequence(authority));
    assertEquals(first, authority.activeCa());
    at(authority, Duration.ofMinutes(4 * 60 + 50));
    X509Svid prepared = authority.mintX509Svid(WEB);
    assertTrue(signedBy(prepared.leaf(), first));
    assertEquals(WEB, verify(authority, prepared));

    // Five sixths: the prepared CA signs; SVIDs of both verify.
    at(authority, Duration.ofHours(5));
    assertEquals(next, authority.activeCa());
    assertEquals(Optional.empty(), authority.nextCa());
    assertEquals(2, sequence(authority), "activation does not change the bundle");
    X509Svid activated = authority.mintX509Svid(WEB);
    assertTrue(signedBy(activated.leaf(), next));
    assertEquals(WEB, verify(authority, activated));
    assertEquals(WEB, verify(authority, prepared));
    assertEquals(List.of("bundle 2 2", "activated " + next.jwtKeyId()), events.events,
        "the root was published before the CA signed anything");

    // The first CA expires with every SVID it signed: its root leaves the bundle (and the third CA is prepared).
    at(authority, Duration.ofMinutes(5 * 60 + 30));
    X509Svid late = authority.mintX509Svid(WEB);
    at(authority, Duration.ofHours(6).plusSeconds(1));
    List<X509Certificate> roots = authority.bundle().x509Authorities();
    assertFalse(roots.contains(first.certificate()), "old root removed");
    assertTrue(roots.contains(next.certificate()));
    assertEquals(WEB, verify(authority, late));
    assertThrows(X509SvidException.class, () -> verify(authority, prepared));
    assertEquals(List.of(2L, 3L, 4L), events.sequences, "every change increments the sequence number");
  }

  @Test
  void JWT_12_jwtSvidsCarryTheActiveKid_andValidateThroughTheBundleAtEveryStage() {
    SpiffeAuthority authority = track(authority().jwtSvidTtl(Duration.ofMinutes(5)).build());
    AuthorityCa first = authority.activeCa();
    JwtSvid early = authority.mintJwtSvid(WEB, List.of("payments", "audit"));
    assertEquals(first.jwtKeyId(), early.keyId());
    assertEquals(32, early.keyId().length());
    assertEquals("ES256", early.algorithm());
    assertEquals(Optional.of(THEN), early.issuedAt());
    assertEquals(THEN.plus(Duration.ofMinutes(5)), early.expiry());
    assertEquals(List.of("payments", "audit"), early.audience());
    assertEquals(WEB, validate(authority, early).id());
    assertEquals(Map.of(first.jwtKeyId(), first.jwtPublicKey()), authority.bundle().jwtAuthorities());

    at(authority, Duration.ofHours(3));
    AuthorityCa next = authority.nextCa().orElseThrow();
    assertEquals(List.of(first.jwtKeyId(), next.jwtKeyId()), List.copyOf(authority.bundle().jwtAuthorities().keySet()));
    at(authority, Duration.ofHours(5).minusMinutes(1));
    JwtSvid beforeActivation = authority.mintJwtSvid(WEB, List.of("payments"));
    assertEquals(first.jwtKeyId(), beforeActivation.keyId());

    at(authority, Duration.ofHours(5));
    JwtSvid afterActivation = authority.mintJwtSvid(WEB, List.of("payments"));
    assertEquals(next.jwtKeyId(), afterActivation.keyId());
    assertEquals(WEB, validate(authority, afterActivation).id());
    assertEquals(WEB, validate(authority, beforeActivation).id(), "the old key stays trusted");

    at(authority, Duration.ofHours(6).plusSeconds(1));
    assertEquals(Optional.empty(), authority.bundle().findJwtAuthority(first.jwtKeyId()));
    assertEquals(WEB, validate(authority, authority.mintJwtSvid(WEB, List.of("payments"))).id());

    clock.set(THEN.plus(Duration.ofHours(9)).minusSeconds(120));
    assertEquals(THEN.plus(Duration.ofHours(9)), authority.mintJwtSvid(WEB, List.of("payments")).expiry(),
        "never beyond the JWT key");
  }

  @Test
  void X509_01_x509SvidsFollowTheStandard() {
    SpiffeAuthority authority = track(authority().x509SvidKeyAlgorithm(KeyAlgorithm.RSA_2048).build());
    X509Svid svid = authority.mintX509Svid(WEB);
    X509Certificate leaf = svid.leaf();
    assertEquals(WEB, svid.id());
    assertEquals(List.of(WEB.toString()), uriSans(leaf), "one URI SAN (X509-01)");
    assertEquals(-1, leaf.getBasicConstraints(), "cA=false (X509-09)");
    assertTrue(leaf.getCriticalExtensionOIDs().containsAll(List.of("2.5.29.19", "2.5.29.15")), "critical KU (X509-11)");
    assertArrayEquals(new boolean[] {true, false, true, false, false, false, false, false, false}, leaf.getKeyUsage(),
        "digitalSignature, and keyEncipherment for an RSA key (X509-13)");
    assertEquals(THEN.minusSeconds(60), leaf.getNotBefore().toInstant());
    assertEquals(THEN.plus(Duration.ofHours(1)), svid.expiresAt());
    try {
      assertEquals(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"), leaf.getExtendedKeyUsage(), "X509-14");
    } catch (CertificateParsingException e) {
      throw new AssertionError(e);
    }

    List<X509Certificate> chain = authority.signX509Svid(WEB, KEY_A.getPublic());
    assertEquals(KEY_A.getPublic(), chain.get(0).getPublicKey());
    assertArrayEquals(new boolean[] {true, false, false, false, false, false, false, false, false},
        chain.get(0).getKeyUsage(), "digitalSignature only for an EC key");
    assertEquals(WEB, X509Svid.of(chain, KEY_A.getPrivate()).id());

    clock.set(THEN.plus(CA_TTL).minusSeconds(600));
    assertEquals(THEN.plus(CA_TTL), authority.mintX509Svid(WEB).expiresAt(), "never beyond the CA");

    X509SvidException rootId = assertThrows(X509SvidException.class, () -> authority.mintX509Svid(TD.id()));
    assertEquals(Optional.of("X509-04"), rootId.rule());
    SpiffeId foreign = SpiffeId.parse("spiffe://other.org/web");
    assertEquals(Optional.of("SVID-01"), assertThrows(X509SvidException.class,
        () -> authority.mintX509Svid(foreign)).rule());
    assertEquals(Optional.of("SVID-01"), assertThrows(JwtSvidException.class,
        () -> authority.mintJwtSvid(foreign, List.of("a"))).rule());
    assertEquals(Optional.of("JWT-08"), assertThrows(JwtSvidException.class,
        () -> authority.mintJwtSvid(WEB, List.of())).rule());
    assertEquals(Optional.of("JWT-08"), assertThrows(JwtSvidException.class,
        () -> authority.mintJwtSvid(WEB, List.of("a", ""))).rule());
    assertEquals(TD.id(), authority.mintJwtSvid(TD.id(), List.of("a")).id(), "JWT-07: no path needed");
  }

  @Test
  void firstMintFailureFailsBuildWithTheUpstreamsError() {
    FlakyUpstream upstream = new FlakyUpstream(UpstreamAuthorities.selfSigned());
    UpstreamAuthorityException refusal = new UpstreamAuthorityException(Kind.UNAUTHENTICATED,
        "upstream says: access denied for p-123");
    upstream.failure = refusal;
    assertSame(refusal, assertThrows(UpstreamAuthorityException.class,
        () -> SpiffeAuthority.builder(TD).upstream(upstream).build()));

    upstream.failure = new IllegalStateException("connection reset");
    UpstreamAuthorityException crash = assertThrows(UpstreamAuthorityException.class,
        () -> SpiffeAuthority.builder(TD).upstream(upstream).build());
    assertEquals(Kind.UNAVAILABLE, crash.kind());
    assertTrue(crash.getMessage().contains("connection reset"), crash.getMessage());
    assertEquals(2, upstream.mints.get());
    assertEquals(0, authorityThreads(), "a failed build leaves no thread");
  }

  @Test
  void aLaterFailureKeepsTheActiveCa_isReported_andRetriedOnTheNextTick() {
    FlakyUpstream upstream = new FlakyUpstream(
        UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock));
    SpiffeAuthority authority = track(authority().upstream(upstream).build());
    Events events = new Events(authority);
    AuthorityCa first = authority.activeCa();
    SpiffeBundle bundle = authority.bundle();

    upstream.failure = new UpstreamAuthorityException(Kind.UNAVAILABLE, "gateway timeout");
    at(authority, Duration.ofHours(3));
    assertEquals(Optional.empty(), authority.nextCa());
    assertEquals("gateway timeout", authority.lastFailure().orElseThrow().getMessage());
    assertEquals(bundle, authority.bundle(), "nothing published");
    assertEquals(first.certificate(), authority.mintX509Svid(WEB).chain().get(1), "the active CA still signs");
    at(authority, Duration.ofHours(3).plusSeconds(10));
    assertEquals(3, upstream.mints.get(), "retried on the next tick");
    assertEquals(List.of("failed UNAVAILABLE", "failed UNAVAILABLE"), events.events);
    UpstreamAuthorityException forced = assertThrows(UpstreamAuthorityException.class, authority::prepareNextCa);
    assertEquals("gateway timeout", forced.getMessage());

    upstream.failure = null;
    at(authority, Duration.ofHours(5).plusMinutes(30));
    assertEquals(Optional.empty(), authority.lastFailure());
    assertNotEquals(first, authority.activeCa(), "prepared late, activated at once");
    assertEquals(List.of("failed UNAVAILABLE", "failed UNAVAILABLE", "failed UNAVAILABLE", "bundle 1 2",
        "activated " + authority.activeCa().jwtKeyId()), events.events);
  }

  @Test
  void issuingStopsOnlyWhenTheActiveCaExpiresWithoutASuccessor() {
    FlakyUpstream upstream = new FlakyUpstream(
        UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock));
    SpiffeAuthority authority = track(authority().upstream(upstream).build());
    upstream.failure = new UpstreamAuthorityException(Kind.MISCONFIGURED, "issuer deleted");
    at(authority, Duration.ofHours(6).minusSeconds(1));
    assertEquals(THEN.plus(CA_TTL), authority.mintX509Svid(WEB).expiresAt());
    at(authority, Duration.ofHours(6));
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> authority.mintX509Svid(WEB));
    assertTrue(e.getMessage().contains("expired") && e.getMessage().contains("issuer deleted"), e.getMessage());
    assertThrows(IllegalStateException.class, () -> authority.mintJwtSvid(WEB, List.of("a")));
  }

  @Test
  void withAnUpstream_svidsCarryTheIntermediate_andTheUpstreamRootIsTheBundle() {
    LocalUpstreamAuthority upstream = UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock);
    X509Certificate root = upstream.roots().get(0);
    SpiffeAuthority authority = track(authority().upstream(upstream).build());
    AuthorityCa first = authority.activeCa();
    assertEquals(List.of(first.certificate()), first.chain());
    assertEquals(List.of(root), first.roots());
    assertEquals(List.of(root), authority.bundle().x509Authorities());
    // What SPIRE's validator requires of an upstream-minted CA (SPIRE plugin protocol §5.2).
    X509Certificate ca = first.certificate();
    assertTrue(ca.getBasicConstraints() >= 0);
    assertArrayEquals(new boolean[] {false, false, false, false, false, true, true, false, false}, ca.getKeyUsage());
    assertEquals(List.of("spiffe://example.org"), uriSans(ca));
    assertEquals(THEN.plus(CA_TTL), first.expiresAt());

    X509Svid before = authority.mintX509Svid(WEB);
    assertEquals(List.of(before.leaf(), first.certificate()), before.chain());
    assertEquals(WEB, verify(authority, before));

    at(authority, Duration.ofHours(3));
    assertEquals(List.of(root), authority.bundle().x509Authorities(), "the same upstream root");
    assertEquals(2, authority.bundle().jwtAuthorities().size());
    assertEquals(2, sequence(authority));
    at(authority, Duration.ofHours(5));
    X509Svid after = authority.mintX509Svid(WEB);
    assertEquals(authority.activeCa().certificate(), after.chain().get(1));
    assertNotEquals(first.certificate(), after.chain().get(1));
    assertEquals(WEB, verify(authority, after));
    at(authority, Duration.ofHours(6).plusSeconds(1));
    assertEquals(List.of(root), authority.bundle().x509Authorities(), "still needed by the active CA");
    assertEquals(WEB, verify(authority, authority.mintX509Svid(WEB)));
  }

  @Test
  void anUpstreamAnswerSpireWouldRefuseFailsTheMint() {
    LocalUpstreamAuthority real = UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock);
    X509Certificate root = real.roots().get(0);
    List<UpstreamAuthority> bad = List.of(
        (csr, ttl) -> answer(real, csr, ttl, m -> m.keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN,
            KeyUsage.KEY_ENCIPHERMENT))),
        (csr, ttl) -> answer(real, csr, ttl, m -> m.uriSans("spiffe://example.org/ca")),
        (csr, ttl) -> answer(real, csr, ttl, m -> m.ca(false)),
        (csr, ttl) -> answer(real, csr, ttl, m -> m.validity(THEN.minusSeconds(7200), THEN.minusSeconds(3600))),
        (csr, ttl) -> new UpstreamX509Ca(real.mintX509Ca(CaRequests.create(KEY_A, KeyAlgorithm.EC_P256, TD), ttl)
            .caChain(), List.of(root)),
        (csr, ttl) -> new UpstreamX509Ca(real.mintX509Ca(csr, ttl).caChain(),
            List.of(UpstreamAuthorities.selfSigned().roots().get(0))));
    List<String> reasons = List.of("key usages other than", "not exactly spiffe://example.org", "not a CA",
        "not valid at", "not for the requested key", "does not verify against the upstream roots");
    for (int i = 0; i < bad.size(); i++) {
      UpstreamAuthority upstream = bad.get(i);
      UpstreamAuthorityException e = assertThrows(UpstreamAuthorityException.class,
          () -> authority().upstream(upstream).build());
      assertEquals(Kind.MISCONFIGURED, e.kind());
      assertTrue(e.getMessage().contains("minted by the upstream authority is invalid")
          && e.getMessage().contains(reasons.get(i)), i + ": " + e.getMessage());
    }
  }

  /** SPIRE checks a minted CA when the answer is in (plugin protocol §5.2), so a CA signed during a slow call is valid. */
  @Test
  void theMintedCaIsCheckedWhenTheAnswerArrives() {
    LocalUpstreamAuthority real = UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock);
    // The call takes longer than the upstream backdates its CAs: the CA starts after the request left.
    UpstreamAuthority slow = (csr, ttl) -> {
      clock.advance(Duration.ofMinutes(2));
      return real.mintX509Ca(csr, ttl);
    };
    SpiffeAuthority authority = track(authority().upstream(slow).build());
    assertTrue(authority.activeCa().certificate().getNotBefore().toInstant().isAfter(THEN));
    assertEquals(WEB, verify(authority, authority.mintX509Svid(WEB)));
  }

  /** The upstream's real answer, re-signed by its root after a change SPIRE's validator refuses. */
  private UpstreamX509Ca answer(LocalUpstreamAuthority real, byte[] csr, Duration ttl,
      Consumer<CertificateMinter> change) {
    X509Certificate good = real.mintX509Ca(csr, ttl).mintedCa();
    CertificateMinter minter = CertificateMinter.ca(good.getPublicKey(), TD.id())
        .validity(good.getNotBefore().toInstant(), good.getNotAfter().toInstant());
    change.accept(minter);
    // Signed by a throwaway issuer: the checks before the chain's must refuse it first.
    java.security.KeyPair issuer = KeyAlgorithm.EC_P256.generate();
    return new UpstreamX509Ca(List.of(minter.sign(issuer.getPrivate())), real.roots());
  }

  @Test
  void anUpstreamThatPublishesJwtKeysDecidesTheBundlesJwtAuthorities() {
    LocalUpstreamAuthority local = UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock);
    JwtKey upstreamKey = new JwtKey("upstream-kid", KEY_A.getPublic(), THEN.plus(Duration.ofDays(1)));
    List<JwtKey> published = new ArrayList<>();
    UpstreamAuthority publishing = new UpstreamAuthority() {
      @Override
      public UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl) {
        return local.mintX509Ca(csr, preferredTtl);
      }

      @Override
      public Optional<List<JwtKey>> publishJwtKey(JwtKey key) {
        published.add(key);
        List<JwtKey> keep = new ArrayList<>(published);
        keep.add(0, upstreamKey);
        return Optional.of(keep);
      }
    };
    SpiffeAuthority authority = track(authority().upstream(publishing).build());
    AuthorityCa first = authority.activeCa();
    assertEquals(List.of(new JwtKey(first.jwtKeyId(), first.jwtPublicKey(), first.expiresAt())), published);
    assertEquals(List.of("upstream-kid", first.jwtKeyId()), List.copyOf(authority.bundle().jwtAuthorities().keySet()));
    assertEquals(WEB, validate(authority, authority.mintJwtSvid(WEB, List.of("payments"))).id());

    UpstreamAuthority forgetful = new UpstreamAuthority() {
      @Override
      public UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl) {
        return local.mintX509Ca(csr, preferredTtl);
      }

      @Override
      public Optional<List<JwtKey>> publishJwtKey(JwtKey key) {
        return Optional.of(List.of(upstreamKey));
      }
    };
    assertTrue(assertThrows(UpstreamAuthorityException.class, () -> authority().upstream(forgetful).build())
        .getMessage().contains("did not keep the JWT key"));
  }

  @Test
  void upstreamRootChangesArePublishedWithTheNextSequenceNumber() {
    FlakyUpstream upstream = new FlakyUpstream(
        UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256, Duration.ofDays(30), clock));
    SpiffeAuthority authority = track(authority().upstream(upstream).build());
    X509Certificate newRoot = UpstreamAuthorities.selfSigned().roots().get(0);
    X509Certificate oldRoot = authority.bundle().x509Authorities().get(0);
    upstream.rootListeners.forEach(listener -> listener.accept(List.of(oldRoot, newRoot)));
    assertEquals(List.of(oldRoot, newRoot), authority.bundle().x509Authorities());
    assertEquals(BigInteger.TWO, authority.bundle().sequenceNumber().orElseThrow());
    upstream.rootListeners.forEach(listener -> listener.accept(List.of(oldRoot, newRoot)));
    assertEquals(BigInteger.TWO, authority.bundle().sequenceNumber().orElseThrow(), "no change, no new number");

    at(authority, Duration.ofHours(6).plusSeconds(1));
    assertFalse(authority.bundle().x509Authorities().contains(newRoot),
        "kept only as long as the CA active when it was announced");
    authority.close();
    assertTrue(upstream.rootListeners.isEmpty(), "close ends the subscription");
  }

  @Test
  void aGivenFirstJwtKeySignsUntilTheFirstRotation() {
    SpiffeAuthority authority = track(authority().firstJwtKey("key-1", KEY_A).build());
    assertEquals(Map.of("key-1", KEY_A.getPublic()), authority.bundle().jwtAuthorities());
    assertEquals("key-1", authority.mintJwtSvid(WEB, List.of("payments")).keyId());
    authority.prepareNextCa();
    authority.activateNextCa();
    assertNotEquals("key-1", authority.mintJwtSvid(WEB, List.of("payments")).keyId());
  }

  @Test
  void forcedRotationPreparesThenActivates() {
    SpiffeAuthority authority = track(authority().build());
    AuthorityCa first = authority.activeCa();
    assertThrows(IllegalStateException.class, authority::activateNextCa);
    AuthorityCa next = authority.prepareNextCa();
    assertSame(next, authority.prepareNextCa(), "already prepared");
    assertTrue(authority.bundle().x509Authorities().contains(next.certificate()));
    assertEquals(next, authority.activateNextCa());
    assertNotEquals(first, authority.activeCa());
    assertTrue(signedBy(authority.mintX509Svid(WEB).leaf(), next));
  }

  @Test
  void theTimerRotatesOnItsOwn_andCloseEndsItsThread() throws InterruptedException {
    CountDownLatch activated = new CountDownLatch(1);
    SpiffeAuthority authority = SpiffeAuthority.builder(TD).caTtl(Duration.ofMillis(1500)).build();
    resources.add(authority);
    authority.subscribe(new SpiffeAuthority.Listener() {
      @Override
      public void caActivated(AuthorityCa ca) {
        activated.countDown();
      }
    });
    assertTrue(authorityThreads() >= 1, "the authority's own thread runs");
    assertTrue(activated.await(10, TimeUnit.SECONDS), "activated by the timer");
    authority.close();
    authority.close();
    // The pool has terminated when close() returns; its worker may take a moment more to end.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (authorityThreads() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, authorityThreads());
    assertTrue(authority.isClosed());
    assertThrows(IllegalStateException.class, authority::tick);
    assertThrows(IllegalStateException.class, () -> authority.mintX509Svid(WEB));
    assertFalse(authority.bundle().isEmpty(), "the last bundle stays readable");
  }

  private static long authorityThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("spiffe4j-authority-") && t.isAlive()).count();
  }

  @Test
  void aListenerThatThrowsDoesNotStopRotation() {
    SpiffeAuthority authority = track(authority().build());
    authority.subscribe(new SpiffeAuthority.Listener() {
      @Override
      public void bundleChanged(SpiffeBundle bundle) {
        throw new IllegalStateException("listener bug");
      }
    });
    Events events = new Events(authority);
    SpiffeAuthority.Subscription gone = authority.subscribe(new Events(authority));
    gone.close();
    gone.close();
    at(authority, Duration.ofHours(5));
    assertEquals(List.of("bundle 2 2", "activated " + authority.activeCa().jwtKeyId()), events.events);
  }

  @Test
  void builderRefusesWhatCannotWork_andToStringShowsNoKey() {
    SpiffeAuthority.Builder builder = SpiffeAuthority.builder(TD);
    assertThrows(IllegalArgumentException.class, () -> builder.caTtl(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.x509SvidTtl(Duration.ofSeconds(-1)));
    assertThrows(IllegalArgumentException.class, () -> builder.jwtSvidTtl(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> builder.keyAlgorithm(KeyAlgorithm.ED25519));
    assertThrows(IllegalArgumentException.class, () -> builder.firstJwtKey("", KEY_A));
    assertThrows(IllegalArgumentException.class, () -> builder.firstJwtKey("kid", KeyAlgorithm.ED25519.generate()));
    assertThrows(NullPointerException.class, () -> builder.upstream(null));
    SpiffeAuthority p521 = track(authority().x509SvidKeyAlgorithm(KeyAlgorithm.EC_P521).build());
    assertThrows(X509SvidException.class, () -> p521.mintX509Svid(WEB), "X509-SVIDs have no P-521 keys");

    SpiffeAuthority authority = track(authority().keyAlgorithm(KeyAlgorithm.EC_P384).build());
    assertEquals("ES384", authority.mintJwtSvid(WEB, List.of("a")).algorithm());
    String text = authority.toString();
    assertTrue(text.contains("example.org") && text.contains(authority.activeCa().jwtKeyId()), text);
    assertFalse(text.toLowerCase(Locale.ROOT).contains("private"), text);
  }
}
