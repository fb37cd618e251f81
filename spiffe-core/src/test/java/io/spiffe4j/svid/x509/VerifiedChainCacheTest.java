package io.spiffe4j.svid.x509;

import static io.spiffe4j.svid.x509.TestPki.NOT_AFTER;
import static io.spiffe4j.svid.x509.TestPki.NOT_BEFORE;
import static io.spiffe4j.svid.x509.TestPki.NOW;
import static io.spiffe4j.svid.x509.TestPki.WORKLOAD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.bundle.X509Bundle;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifiedChainCacheTest {
  private static final TestPki.Chain CHAIN = new TestPki.Chain(1);

  private static VerifiedX509Svid verified() {
    List<X509Certificate> path = List.of(CHAIN.leaf, CHAIN.intermediates.get(0), CHAIN.root);
    return new VerifiedX509Svid(WORKLOAD, path);
  }

  @Test
  void keysCompareTheExactDerOfTheWholeChain() {
    X509Certificate[] chain = CHAIN.presented().toArray(new X509Certificate[0]);
    VerifiedChainCache.Key key = VerifiedChainCache.Key.of(chain);
    X509Certificate[] reparsed = {TestPki.parse(encoded(chain[0])), TestPki.parse(encoded(chain[1]))};
    assertEquals(key, VerifiedChainCache.Key.of(reparsed));
    assertEquals(key.hashCode(), VerifiedChainCache.Key.of(reparsed).hashCode());
    assertNotEquals(key, VerifiedChainCache.Key.of(new X509Certificate[] {chain[0]}));
    assertNotEquals(key, VerifiedChainCache.Key.of(new X509Certificate[] {chain[1], chain[0]}));
    assertNotEquals(key, VerifiedChainCache.Key.of(new X509Certificate[] {chain[0], chain[1], chain[1]}));
  }

  private static byte[] encoded(X509Certificate certificate) {
    try {
      return certificate.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void entryWindowIsTheIntersectionOfThePathsValidity() {
    TestPki.Chain shortLived = new TestPki.Chain(0);
    X509Certificate leaf = TestPki.leafMinter(TestPki.ec(3), WORKLOAD, shortLived.root, shortLived.rootKey)
        .validity(NOW.minusSeconds(10), NOW.plus(Duration.ofMinutes(5))).sign(null);
    VerifiedChainCache.Entry entry = VerifiedChainCache.Entry.of(
        new VerifiedX509Svid(WORKLOAD, List.of(leaf, shortLived.root)), TestPki.bundle(shortLived.root));
    assertEquals(NOW.minusSeconds(10), entry.notBefore);
    assertEquals(NOW.plus(Duration.ofMinutes(5)), entry.notAfter);
    assertTrue(entry.validAt(NOW.plus(Duration.ofMinutes(5))));
    assertFalse(entry.validAt(NOW.plus(Duration.ofMinutes(5)).plusSeconds(1)));
    assertFalse(entry.validAt(NOW.minusSeconds(11)));

    VerifiedChainCache.Entry whole = VerifiedChainCache.Entry.of(verified(), TestPki.bundle(CHAIN.root));
    assertEquals(NOT_BEFORE, whole.notBefore);
    assertEquals(NOT_AFTER, whole.notAfter);
  }

  @Test
  void sizeStaysBounded() {
    VerifiedChainCache cache = new VerifiedChainCache(8);
    X509Bundle bundle = TestPki.bundle(CHAIN.root);
    VerifiedChainCache.Entry entry = VerifiedChainCache.Entry.of(verified(), bundle);
    for (int i = 0; i < 50; i++) {
      X509Certificate leaf = TestPki.leaf(TestPki.ec(i), CHAIN.root, CHAIN.rootKey);
      cache.put(VerifiedChainCache.Key.of(new X509Certificate[] {leaf}), entry);
      assertTrue(cache.size() <= 8, "size " + cache.size());
    }
    VerifiedChainCache.Key newest = VerifiedChainCache.Key.of(new X509Certificate[] {CHAIN.leaf});
    cache.put(newest, entry);
    assertSame(entry, cache.get(newest), "the entry just added survives its own eviction pass");
    assertThrows(IllegalArgumentException.class, () -> new VerifiedChainCache(0));
  }

  @Test
  void replaceAndRemoveOnlyTouchTheEntrySeen() {
    VerifiedChainCache cache = new VerifiedChainCache(4);
    VerifiedChainCache.Key key = VerifiedChainCache.Key.of(new X509Certificate[] {CHAIN.leaf});
    VerifiedChainCache.Entry first = VerifiedChainCache.Entry.of(verified(), TestPki.bundle(CHAIN.root));
    VerifiedChainCache.Entry second = first.withBundle(TestPki.bundle(CHAIN.root));
    cache.put(key, first);
    cache.replace(key, second, first.withBundle(TestPki.bundle(CHAIN.root)));
    assertSame(first, cache.get(key));
    cache.remove(key, second);
    assertSame(first, cache.get(key));
    cache.replace(key, first, second);
    assertSame(second, cache.get(key));
    cache.remove(key, second);
    assertEquals(0, cache.size());
  }
}
