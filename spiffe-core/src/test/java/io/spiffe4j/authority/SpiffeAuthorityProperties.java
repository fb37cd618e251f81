package io.spiffe4j.authority;

import static io.spiffe4j.authority.AuthorityFixtures.THEN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.jwt.JwtSvidValidator;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidVerifier;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.From;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * Whatever valid SPIFFE ID and lifetimes it is given, the authority issues SVIDs that verify against its bundle and
 * stay inside their bounds; whatever a CSR is mutated into, an upstream answers a valid CA or an invalid-request
 * error.
 */
class SpiffeAuthorityProperties {
  private static final TrustDomain TD = TrustDomain.parse("example.org");

  /** SVID keys made once per run, of every type X509-SVIDs allow. */
  private static final class Keys {
    static final List<KeyPair> POOL = List.of(KeyAlgorithm.EC_P256.generate(), KeyAlgorithm.EC_P384.generate(),
        KeyAlgorithm.RSA_2048.generate(), KeyAlgorithm.ED25519.generate());
  }

  /** An upstream and a valid CSR, made once per run. */
  private static final class Upstream {
    static final LocalUpstreamAuthority LOCAL = UpstreamAuthorities.selfSigned(KeyAlgorithm.EC_P256,
        Duration.ofDays(30), Clock.fixed(THEN, ZoneOffset.UTC));
    static final byte[] CSR = CaRequests.create(AuthorityFixtures.KEY_A, KeyAlgorithm.EC_P256, TD);
  }

  @Provide
  Arbitrary<String> segment() {
    return Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        .ofMinLength(1).ofMaxLength(12).filter(s -> !s.equals(".") && !s.equals(".."));
  }

  @Property(tries = 200)
  void mintedSvidsVerifyAndRespectTheirTtlBounds(
      @ForAll @Size(min = 1, max = 4) List<@From("segment") String> segments,
      @ForAll @LongRange(min = 1, max = 172_800) long svidTtlSeconds,
      @ForAll @LongRange(min = 60, max = 259_200) long caTtlSeconds,
      @ForAll @IntRange(min = 0, max = 999) int elapsedPerMille,
      @ForAll @IntRange(min = 0, max = 3) int keyIndex) {
    SpiffeId id = SpiffeId.fromSegments(TD, segments);
    Duration svidTtl = Duration.ofSeconds(svidTtlSeconds);
    Duration caTtl = Duration.ofSeconds(caTtlSeconds);
    AuthorityFixtures.MovingClock clock = new AuthorityFixtures.MovingClock(THEN);
    try (SpiffeAuthority authority = SpiffeAuthority.builder(TD).caTtl(caTtl).x509SvidTtl(svidTtl)
        .jwtSvidTtl(svidTtl).clock(clock).withoutTimer().build()) {
      Instant caExpiry = authority.activeCa().expiresAt();
      clock.set(THEN.plusSeconds(caTtlSeconds * elapsedPerMille / 1000));
      Instant now = clock.instant();
      KeyPair key = Keys.POOL.get(keyIndex);

      X509Svid svid = X509Svid.of(authority.signX509Svid(id, key.getPublic()), key.getPrivate());
      assertEquals(id, X509SvidVerifier.of(authority.bundle(), clock).verify(svid.chain()).id());
      X509Certificate leaf = svid.leaf();
      Instant expected = now.plus(svidTtl).isBefore(caExpiry) ? now.plus(svidTtl) : caExpiry;
      assertEquals(expected, svid.expiresAt());
      assertFalse(Duration.between(now, svid.expiresAt()).compareTo(svidTtl) > 0);
      assertFalse(leaf.getNotBefore().toInstant().isAfter(now));

      JwtSvid token = authority.mintJwtSvid(id, List.of("audience"));
      assertFalse(token.expiry().isAfter(now.plus(svidTtl)));
      assertFalse(token.expiry().isAfter(caExpiry));
      assertEquals(id, JwtSvidValidator.builder().bundleSource(authority.bundle()).expectAudience("audience")
          .clock(clock).leeway(Duration.ZERO).build().validate(token.token()).id());
    }
  }

  @Property(tries = 300)
  void aMutatedCsrGetsAValidCaOrAnInvalidRequest(
      @ForAll @IntRange(min = 0, max = 2) int kind,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll @IntRange(min = 1, max = 255) int value) {
    byte[] csr = Upstream.CSR.clone();
    int at = position % csr.length;
    switch (kind) {
      case 0:
        csr[at] ^= (byte) value;
        break;
      case 1:
        csr = java.util.Arrays.copyOf(csr, at);
        break;
      default:
        csr[at] = (byte) value;
        break;
    }
    try {
      UpstreamX509Ca answer = Upstream.LOCAL.mintX509Ca(csr, Duration.ofHours(1));
      assertEquals(List.of("spiffe://example.org"), SpiffeAuthorityTest.uriSans(answer.mintedCa()));
      assertTrue(answer.mintedCa().getBasicConstraints() >= 0);
    } catch (UpstreamAuthorityException e) {
      assertEquals(Kind.INVALID_REQUEST, e.kind(), e.getMessage());
    }
  }
}
