package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.CLIENT;
import static io.spiffe4j.tls.TestPki.EXAMPLE;
import static io.spiffe4j.tls.TestPki.OTHER;
import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.SpiffeException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpiffeTrustManagerTest {
  private static final X509Svid CLIENT_SVID = TestPki.svid(CLIENT, KeyAlgorithm.EC_P256);

  private static X509Certificate[] chain(X509Svid svid) {
    return svid.chain().toArray(new X509Certificate[0]);
  }

  @Test
  void trustedAndAuthorizedPeerPasses_andAuthorizerSeesVerifiedChain() throws Exception {
    List<VerifiedX509Svid> seen = new ArrayList<>();
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), seen::add);
    trustManager.checkClientTrusted(chain(CLIENT_SVID), "UNKNOWN");
    trustManager.checkServerTrusted(chain(CLIENT_SVID), "ECDHE_ECDSA");
    assertEquals(2, seen.size());
    assertEquals(CLIENT, seen.get(0).id());
    // Leaf first, ending at the bundle's trust anchor.
    assertEquals(CLIENT_SVID.leaf(), seen.get(0).verifiedChain().get(0));
    assertEquals(TestPki.ca(EXAMPLE).bundle().x509Authorities().get(0),
        seen.get(0).verifiedChain().get(seen.get(0).verifiedChain().size() - 1));
  }

  @Test
  void authorizerRejection_isCertificateExceptionCausedByAuthorizationException() {
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.id(SERVER));
    CertificateException e = assertThrows(CertificateException.class,
        () -> trustManager.checkClientTrusted(chain(CLIENT_SVID), "UNKNOWN"));
    AuthorizationException cause = assertInstanceOf(AuthorizationException.class, e.getCause());
    assertTrue(cause.getMessage().contains("spiffe://example.org/client"), cause.getMessage());
    assertTrue(e.getMessage().startsWith("untrusted client: peer ID"), e.getMessage());
  }

  /** The java-spiffe bug this package must not have: running the caller's check on a chain nobody verified. */
  @Test
  void X509_16_authorizerNeverSeesAChainFromAnUntrustedCa() {
    List<SpiffeId> seen = new ArrayList<>();
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), peer -> seen.add(peer.id()));
    X509Svid forged = TestPki.rogueCa(EXAMPLE).svid(SERVER, KeyAlgorithm.EC_P256);
    CertificateException e = assertThrows(CertificateException.class,
        () -> trustManager.checkServerTrusted(chain(forged), "UNKNOWN"));
    assertInstanceOf(X509SvidException.class, e.getCause());
    assertEquals(List.of(), seen);
  }

  @Test
  void X509_16_peerOfTrustDomainWithoutBundleRejected() {
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any());
    X509Svid foreign = TestPki.svid(SpiffeId.parse("spiffe://other.org/server"), KeyAlgorithm.EC_P256);
    CertificateException e = assertThrows(CertificateException.class,
        () -> trustManager.checkServerTrusted(chain(foreign), "UNKNOWN"));
    assertInstanceOf(SpiffeException.class, e.getCause());
    assertTrue(e.getMessage().contains("other.org"), e.getMessage());
    assertDoesNotThrow(() -> SpiffeTrustManager.of(TestPki.bundles(EXAMPLE, OTHER), Authorizer.any())
        .checkServerTrusted(chain(foreign), "UNKNOWN"));
  }

  @Test
  void X509_16_validityJudgedAtTheInjectedClock() {
    Instant now = Instant.now();
    SpiffeTrustManager later = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any(),
        Clock.fixed(now.plus(Duration.ofHours(2)), ZoneOffset.UTC));
    SpiffeTrustManager earlier = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any(),
        Clock.fixed(now.minus(Duration.ofHours(2)), ZoneOffset.UTC));
    SpiffeTrustManager present = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any(),
        Clock.fixed(now, ZoneOffset.UTC));
    assertInstanceOf(X509SvidException.class, assertThrows(CertificateException.class,
        () -> later.checkClientTrusted(chain(CLIENT_SVID), "UNKNOWN")).getCause());
    assertInstanceOf(X509SvidException.class, assertThrows(CertificateException.class,
        () -> earlier.checkClientTrusted(chain(CLIENT_SVID), "UNKNOWN")).getCause());
    assertDoesNotThrow(() -> present.checkClientTrusted(chain(CLIENT_SVID), "UNKNOWN"));
  }

  @Test
  void authorizerBugIsNotDisguisedAsAnUntrustedPeer() {
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), peer -> {
      throw new IllegalStateException("policy store down");
    });
    assertThrows(IllegalStateException.class, () -> trustManager.checkClientTrusted(chain(CLIENT_SVID), "RSA"));
  }

  @Test
  void emptyOrNullChainIsIllegalArgumentAsX509TrustManagerSpecifies() {
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any());
    assertThrows(IllegalArgumentException.class,
        () -> trustManager.checkClientTrusted(new X509Certificate[0], "RSA"));
    assertThrows(IllegalArgumentException.class, () -> trustManager.checkServerTrusted(null, "RSA"));
    assertInstanceOf(X509SvidException.class, assertThrows(CertificateException.class,
        () -> trustManager.checkServerTrusted(new X509Certificate[] {null}, "RSA")).getCause());
  }

  @Test
  void sendsNoCaHints() {
    assertEquals(0, SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any()).getAcceptedIssuers().length);
  }

  @Test
  void verifyAndAuthorize_returnsTheVerifiedPeer() {
    SpiffeTrustManager trustManager = SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.id(CLIENT));
    assertEquals(CLIENT, trustManager.verifyAndAuthorize(CLIENT_SVID.chain()).id());
    assertThrows(AuthorizationException.class, () -> SpiffeTrustManager.of(TestPki.bundles(EXAMPLE),
        Authorizer.id(SERVER)).verifyAndAuthorize(CLIENT_SVID.chain()));
  }

  @Test
  void requiresAllCollaborators() {
    assertThrows(NullPointerException.class, () -> SpiffeTrustManager.of(null, Authorizer.any()));
    assertThrows(NullPointerException.class, () -> SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), null));
    assertThrows(NullPointerException.class,
        () -> SpiffeTrustManager.of(TestPki.bundles(EXAMPLE), Authorizer.any(), null));
  }
}
