package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.CLIENT;
import static io.spiffe4j.tls.TestPki.EXAMPLE;
import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private static final SpiffeId SUB = SpiffeId.parse("spiffe://sub.example.org/server");
  private static VerifiedX509Svid server;
  private static VerifiedX509Svid client;
  private static VerifiedX509Svid sub;

  @BeforeAll
  static void verifyPeers() {
    server = TestPki.verified(SERVER);
    client = TestPki.verified(CLIENT);
    sub = TestPki.verified(SUB);
  }

  private static AuthorizationException rejected(Authorizer authorizer, VerifiedX509Svid peer) {
    return assertThrows(AuthorizationException.class, () -> authorizer.authorize(peer));
  }

  @Test
  void any_allowsEveryVerifiedPeer() {
    assertDoesNotThrow(() -> Authorizer.any().authorize(server));
    assertDoesNotThrow(() -> Authorizer.any().authorize(sub));
    assertEquals("any()", Authorizer.any().toString());
  }

  @Test
  void id_allowsOnlyThatId_andNamesExpectedAndActual() {
    Authorizer authorizer = Authorizer.id(SERVER);
    assertDoesNotThrow(() -> authorizer.authorize(server));
    AuthorizationException e = rejected(authorizer, client);
    assertEquals("peer ID \"spiffe://example.org/client\" is not the expected \"spiffe://example.org/server\"",
        e.reason());
    assertTrue(e.rule().isEmpty());
    assertEquals("id(spiffe://example.org/server)", authorizer.toString());
  }

  @Test
  void oneOf_allowsListedIds() {
    Authorizer authorizer = Authorizer.oneOf(SERVER, CLIENT);
    assertDoesNotThrow(() -> authorizer.authorize(server));
    assertDoesNotThrow(() -> authorizer.authorize(client));
    AuthorizationException e = rejected(authorizer, sub);
    assertEquals("peer ID \"spiffe://sub.example.org/server\" is not one of "
        + "[spiffe://example.org/server, spiffe://example.org/client]", e.reason());
    assertDoesNotThrow(() -> Authorizer.oneOf(Set.of(CLIENT)).authorize(client));
    rejected(Authorizer.oneOf(List.of(CLIENT)), server);
  }

  @Test
  void oneOf_rejectsEmptyAndNullInput() {
    assertThrows(IllegalArgumentException.class, () -> Authorizer.oneOf());
    assertThrows(IllegalArgumentException.class, () -> Authorizer.oneOf(List.of()));
    assertThrows(NullPointerException.class, () -> Authorizer.oneOf(SERVER, null));
    assertThrows(NullPointerException.class, () -> Authorizer.id(null));
  }

  @Test
  void oneOf_copiesTheCollection() {
    java.util.ArrayList<SpiffeId> ids = new java.util.ArrayList<>(List.of(SERVER));
    Authorizer authorizer = Authorizer.oneOf(ids);
    ids.add(CLIENT);
    rejected(authorizer, client);
  }

  @Test
  void SID_19_memberOf_isExactTrustDomainNotSuffix() {
    Authorizer authorizer = Authorizer.memberOf(EXAMPLE);
    assertDoesNotThrow(() -> authorizer.authorize(server));
    AuthorizationException e = rejected(authorizer, sub);
    assertEquals("peer ID \"spiffe://sub.example.org/server\" is not a member of trust domain \"example.org\"",
        e.reason());
  }

  @Test
  void matching_usesDescriptionInMessageAndToString() {
    Authorizer authorizer = Authorizer.matching("path prefix /server", id -> id.path().startsWith("/server"));
    assertDoesNotThrow(() -> authorizer.authorize(server));
    assertEquals("peer ID \"spiffe://example.org/client\" does not match path prefix /server",
        rejected(authorizer, client).reason());
    assertEquals("matching(path prefix /server)", authorizer.toString());
  }

  @Test
  void and_requiresBoth_andStopsAtFirstRejection() {
    AtomicInteger secondCalls = new AtomicInteger();
    Authorizer counting = peer -> secondCalls.incrementAndGet();
    Authorizer authorizer = Authorizer.memberOf(EXAMPLE).and(Authorizer.id(SERVER));
    assertDoesNotThrow(() -> authorizer.authorize(server));
    assertTrue(rejected(authorizer, client).reason().contains("is not the expected"));
    assertTrue(rejected(authorizer, sub).reason().contains("is not a member"));

    rejected(Authorizer.id(SERVER).and(counting), client);
    assertEquals(0, secondCalls.get());
    assertEquals("(memberOf(example.org) and id(spiffe://example.org/server))", authorizer.toString());
  }

  @Test
  void or_allowsEither_andGivesBothReasonsWhenBothReject() {
    Authorizer authorizer = Authorizer.id(SERVER).or(Authorizer.memberOf(TrustDomain.parse("sub.example.org")));
    assertDoesNotThrow(() -> authorizer.authorize(server));
    assertDoesNotThrow(() -> authorizer.authorize(sub));
    AuthorizationException e = rejected(authorizer, client);
    assertEquals("peer ID \"spiffe://example.org/client\" is not the expected \"spiffe://example.org/server\", and "
        + "peer ID \"spiffe://example.org/client\" is not a member of trust domain \"sub.example.org\"", e.reason());
    assertEquals(2, e.getSuppressed().length);
  }

  @Test
  void or_skipsSecondWhenFirstAllows() {
    AtomicInteger secondCalls = new AtomicInteger();
    Authorizer.any().or(peer -> secondCalls.incrementAndGet()).authorize(client);
    assertEquals(0, secondCalls.get());
  }

  @Test
  void or_doesNotTreatABugAsARejection() {
    AtomicInteger secondCalls = new AtomicInteger();
    Authorizer buggy = peer -> {
      throw new IllegalStateException("policy store down");
    };
    Authorizer authorizer = buggy.or(peer -> secondCalls.incrementAndGet());
    assertThrows(IllegalStateException.class, () -> authorizer.authorize(client));
    assertEquals(0, secondCalls.get());
  }

  @Test
  void composition_nestsAndRejectsNulls() {
    Authorizer authorizer = Authorizer.id(CLIENT).or(Authorizer.id(SERVER)).and(Authorizer.memberOf(EXAMPLE));
    assertDoesNotThrow(() -> authorizer.authorize(client));
    assertDoesNotThrow(() -> authorizer.authorize(server));
    rejected(authorizer, sub);
    assertThrows(NullPointerException.class, () -> Authorizer.any().and(null));
    assertThrows(NullPointerException.class, () -> Authorizer.any().or(null));
    assertThrows(NullPointerException.class, () -> Authorizer.memberOf(null));
    assertThrows(NullPointerException.class, () -> Authorizer.matching(null, id -> true));
    assertThrows(NullPointerException.class, () -> Authorizer.matching("x", null));
    assertThrows(NullPointerException.class, () -> Authorizer.any().authorize(null));
  }
}
