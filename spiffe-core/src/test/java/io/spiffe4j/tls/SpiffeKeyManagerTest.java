package io.spiffe4j.tls;

import static io.spiffe4j.tls.TestPki.SERVER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class SpiffeKeyManagerTest {
  private static final X509Svid EC = TestPki.svid(SERVER, KeyAlgorithm.EC_P256);
  private static final X509Svid RSA = TestPki.svid(SERVER, KeyAlgorithm.RSA_2048);

  private static X509Certificate[] chainOf(X509Svid svid) {
    return svid.chain().toArray(new X509Certificate[0]);
  }

  @Test
  void offersEcSvidOnlyWhenEcIsRequested() {
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(EC);
    assertNotNull(keyManager.chooseServerAlias("EC", null, null));
    assertNotNull(keyManager.chooseEngineServerAlias("EC", null, null));
    assertNull(keyManager.chooseServerAlias("RSA", null, null));
    assertNull(keyManager.chooseEngineServerAlias("EdDSA", null, null));
    assertNull(keyManager.chooseEngineClientAlias(new String[] {"RSA", "RSASSA-PSS"}, null, null));
    assertNotNull(keyManager.chooseClientAlias(new String[] {"RSA", "EC"}, null, null));
    assertNull(keyManager.getServerAliases("RSA", null));
    assertEquals(1, keyManager.getClientAliases("EC", null).length);
  }

  @Test
  void offersRsaSvidOnlyForRsaNotForPssOnlyKeys() {
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(RSA);
    assertNotNull(keyManager.chooseEngineServerAlias("RSA", null, null));
    assertNull(keyManager.chooseEngineServerAlias("RSASSA-PSS", null, null));
    assertNull(keyManager.chooseEngineServerAlias("EC", null, null));
    assertNull(keyManager.chooseClientAlias(null, null, null));
  }

  @Test
  void offersEd25519SvidAsEdDsa() {
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(TestPki.svid(SERVER, KeyAlgorithm.ED25519));
    assertNotNull(keyManager.chooseEngineServerAlias("EdDSA", null, null));
    assertNull(keyManager.chooseEngineServerAlias("EC", null, null));
  }

  @Test
  void aliasResolvesToTheChosenSnapshotAfterTheSourceRotates() {
    AtomicReference<X509Svid> current = new AtomicReference<>(EC);
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(current::get);
    String first = keyManager.chooseClientAlias(new String[] {"EC", "RSA"}, null, null);

    current.set(RSA);
    assertArrayEquals(chainOf(EC), keyManager.getCertificateChain(first));
    assertSame(EC.privateKey(), keyManager.getPrivateKey(first));

    String second = keyManager.chooseClientAlias(new String[] {"EC", "RSA"}, null, null);
    assertNotEquals(first, second);
    assertArrayEquals(chainOf(RSA), keyManager.getCertificateChain(second));
    assertSame(RSA.privateKey(), keyManager.getPrivateKey(second));
    assertSame(EC.privateKey(), keyManager.getPrivateKey(first));
  }

  @Test
  void unchangedSvidKeepsItsAlias_andSwitchingBackReusesIt() {
    AtomicReference<X509Svid> current = new AtomicReference<>(EC);
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(current::get);
    String[] types = {"EC", "RSA"};
    String ecAlias = keyManager.chooseEngineClientAlias(types, null, null);
    assertEquals(ecAlias, keyManager.chooseEngineClientAlias(types, null, null));
    current.set(RSA);
    String rsaAlias = keyManager.chooseEngineClientAlias(types, null, null);
    for (int i = 0; i < 10 * SpiffeKeyManager.RETAINED_SNAPSHOTS; i++) {
      current.set(i % 2 == 0 ? EC : RSA);
      assertEquals(i % 2 == 0 ? ecAlias : rsaAlias, keyManager.chooseEngineClientAlias(types, null, null));
    }
  }

  @Test
  void aliasOutsideTheRetentionWindowResolvesToNullNeverToAnotherSvid() {
    AtomicReference<X509Svid> current = new AtomicReference<>(EC);
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(current::get);
    String old = keyManager.chooseEngineServerAlias("EC", null, null);
    for (int i = 0; i < SpiffeKeyManager.RETAINED_SNAPSHOTS; i++) {
      // Distinct snapshot objects with the same content, as a source re-reading the same files would produce.
      current.set(X509Svid.of(EC.chain(), EC.privateKey()));
      assertNotNull(keyManager.chooseEngineServerAlias("EC", null, null));
    }
    assertNull(keyManager.getCertificateChain(old));
    assertNull(keyManager.getPrivateKey(old));
  }

  @Test
  void unknownAliasesResolveToNull() {
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(EC);
    assertNull(keyManager.getCertificateChain("spiffe4j-svid-999"));
    assertNull(keyManager.getPrivateKey("other"));
    assertNull(keyManager.getPrivateKey(null));
  }

  @Test
  void sourceFailurePropagates() {
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(() -> {
      throw new IllegalStateException("source closed");
    });
    assertThrows(IllegalStateException.class, () -> keyManager.chooseEngineServerAlias("EC", null, null));
    assertThrows(NullPointerException.class, () -> SpiffeKeyManager.of(null));
    assertThrows(NullPointerException.class, () -> SpiffeKeyManager.of(() -> null).chooseServerAlias("EC", null,
        null));
  }

  /**
   * Many threads run JSSE's choose-then-fetch sequence while another rotates the source as fast as it can: every
   * fetched chain must belong to the fetched key. No crypto is involved, so this runs far more sequences than the
   * handshake tests can.
   */
  @Test
  void chainAndKeyAlwaysMatchUnderConcurrentRotation() throws Exception {
    List<X509Svid> pool = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      pool.add(TestPki.svid(SERVER, KeyAlgorithm.EC_P256));
    }
    pool.add(RSA);
    Map<PrivateKey, X509Certificate> leafOfKey = new IdentityHashMap<>();
    pool.forEach(svid -> leafOfKey.put(svid.privateKey(), svid.leaf()));

    AtomicReference<X509Svid> current = new AtomicReference<>(pool.get(0));
    SpiffeKeyManager keyManager = SpiffeKeyManager.of(current::get);
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<String> mismatches = new ConcurrentLinkedQueue<>();
    Thread rotator = new Thread(() -> {
      for (int i = 0; !stop.get(); i++) {
        current.set(pool.get(i % pool.size()));
      }
    });
    int threads = 4;
    CountDownLatch done = new CountDownLatch(threads);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      workers.add(new Thread(() -> {
        try {
          for (int i = 0; i < 20_000; i++) {
            String alias = keyManager.chooseEngineServerAlias(i % 2 == 0 ? "EC" : "RSA", null, null);
            if (alias == null) {
              continue;
            }
            PrivateKey key = keyManager.getPrivateKey(alias);
            X509Certificate[] chain = keyManager.getCertificateChain(alias);
            if (key == null || chain == null || !chain[0].equals(leafOfKey.get(key))) {
              mismatches.add(alias);
            }
          }
        } finally {
          done.countDown();
        }
      }));
    }
    rotator.start();
    workers.forEach(Thread::start);
    done.await();
    stop.set(true);
    rotator.join();
    assertEquals(List.of(), List.copyOf(mismatches));
  }
}
