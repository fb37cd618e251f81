package io.spiffe4j.svid.x509;

import io.spiffe4j.bundle.X509Bundle;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chains that verified before, keyed by their exact DER bytes, so that a peer reconnecting with the same chain costs
 * no signature check. An entry is bound to the bundle it was verified against and to the validity window of its whole
 * path; the verifier checks both on every hit. Only successes are stored. Bounded to about {@code maxEntries}: when
 * full, an arbitrary eighth is dropped (hash order, so effectively random), which is cheap and good enough for a
 * working set of peers far smaller than the bound. Thread-safe and lock-free on reads.
 */
final class VerifiedChainCache {
  static final int DEFAULT_MAX_ENTRIES = 1024;

  /** A verified result, the bundle it was verified against, and when its path is valid (bounds inclusive). */
  static final class Entry {
    final VerifiedX509Svid result;
    final X509Bundle bundle;
    final Instant notBefore;
    final Instant notAfter;

    private Entry(VerifiedX509Svid result, X509Bundle bundle, Instant notBefore, Instant notAfter) {
      this.result = result;
      this.bundle = bundle;
      this.notBefore = notBefore;
      this.notAfter = notAfter;
    }

    static Entry of(VerifiedX509Svid result, X509Bundle bundle) {
      Instant notBefore = Instant.MIN;
      Instant notAfter = Instant.MAX;
      for (X509Certificate certificate : result.verifiedChain()) {
        Instant from = certificate.getNotBefore().toInstant();
        Instant to = certificate.getNotAfter().toInstant();
        notBefore = from.isAfter(notBefore) ? from : notBefore;
        notAfter = to.isBefore(notAfter) ? to : notAfter;
      }
      return new Entry(result, bundle, notBefore, notAfter);
    }

    Entry withBundle(X509Bundle equalBundle) {
      return new Entry(result, equalBundle, notBefore, notAfter);
    }

    boolean validAt(Instant at) {
      return !at.isBefore(notBefore) && !at.isAfter(notAfter);
    }
  }

  /** The presented chain's DER encodings, compared exactly. */
  static final class Key {
    private static final int HASHED_TAIL = 32;
    private final byte[][] encodings;
    private final int hash;

    private Key(byte[][] encodings) {
      this.encodings = encodings;
      int h = encodings.length;
      for (byte[] encoding : encodings) {
        // The tail of a certificate is its signature, unique per certificate: hashing it alone keeps a lookup
        // independent of certificate size. Equality still compares every byte.
        h = 31 * h + encoding.length;
        for (int i = Math.max(0, encoding.length - HASHED_TAIL); i < encoding.length; i++) {
          h = 31 * h + encoding[i];
        }
      }
      this.hash = h;
    }

    /** @throws X509SvidException if a certificate cannot give its encoding */
    static Key of(X509Certificate[] chain) {
      byte[][] encodings = new byte[chain.length][];
      for (int i = 0; i < chain.length; i++) {
        try {
          encodings[i] = chain[i].getEncoded();
        } catch (CertificateEncodingException e) {
          throw new X509SvidException("certificate " + i + " of the chain cannot be encoded", "X509-16", e);
        }
      }
      return new Key(encodings);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Key && ((Key) o).hash == hash && Arrays.deepEquals(((Key) o).encodings, encodings);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }

  private final int maxEntries;
  private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();

  VerifiedChainCache(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
    }
    this.maxEntries = maxEntries;
  }

  Entry get(Key key) {
    return entries.get(key);
  }

  void put(Key key, Entry entry) {
    if (entries.size() >= maxEntries) {
      evict();
    }
    entries.put(key, entry);
  }

  /** Replaces an entry only if it is still the one the caller saw. */
  void replace(Key key, Entry seen, Entry replacement) {
    entries.replace(key, seen, replacement);
  }

  void remove(Key key, Entry seen) {
    entries.remove(key, seen);
  }

  int size() {
    return entries.size();
  }

  private void evict() {
    int toRemove = Math.max(1, maxEntries / 8);
    Iterator<Key> keys = entries.keySet().iterator();
    while (toRemove-- > 0 && keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }
}
