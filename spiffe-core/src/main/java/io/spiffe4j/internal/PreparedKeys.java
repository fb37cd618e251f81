package io.spiffe4j.internal;

import java.security.PublicKey;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * Public keys decoded and validated once and kept ready for verification, keyed by their SubjectPublicKeyInfo
 * encoding: a trust bundle's few keys verify many signatures, and decoding is where most of the cost of a first
 * ECDSA verification goes (point validation and the precomputation cached on the point).
 *
 * <p>Only what spiffe4j verifies through BouncyCastle is prepared: EC keys on P-256, P-384 or P-521 given by named
 * curve, as a finite point on that curve in uncompressed or compressed form, and Ed25519 keys. Anything else (other
 * curves, explicit parameters, hybrid point encodings, points off the curve or at infinity) has no prepared form.
 *
 * <p>At most {@link #MAX_ENTRIES} keys are kept; a full cache drops an arbitrary entry to make room, so a flood of
 * fresh keys costs each of them one decoding but cannot grow memory. An entry takes under 1 KB, and 5 KB (P-256) to
 * 10 KB (P-521) once BouncyCastle promotes a much-used point to fixed-point tables: 40 MB at worst. Keys that do not
 * decode are not kept. Thread-safe.
 */
final class PreparedKeys {
  static final int MAX_ENTRIES = 4096;

  private static final byte COMPRESSED_EVEN = 0x02;
  private static final byte COMPRESSED_ODD = 0x03;
  private static final byte UNCOMPRESSED = 0x04;
  private static final ConcurrentHashMap<Encoding, Object> CACHE = new ConcurrentHashMap<>();

  private PreparedKeys() {}

  /** The prepared form of an EC key on a supported curve, or null. */
  static PreparedEcdsaKey ecdsa(PublicKey key) {
    Object prepared = prepared(key);
    return prepared instanceof PreparedEcdsaKey ? (PreparedEcdsaKey) prepared : null;
  }

  /** The prepared form of an Ed25519 key, or null. */
  static Ed25519PublicKeyParameters ed25519(PublicKey key) {
    Object prepared = prepared(key);
    return prepared instanceof Ed25519PublicKeyParameters ? (Ed25519PublicKeyParameters) prepared : null;
  }

  static int size() {
    return CACHE.size();
  }

  private static Object prepared(PublicKey key) {
    byte[] encoded = key.getEncoded();
    if (encoded == null) {
      return null;
    }
    Encoding lookup = new Encoding(encoded);
    Object prepared = CACHE.get(lookup);
    if (prepared != null) {
      return prepared;
    }
    prepared = decode(encoded);
    if (prepared == null) {
      return null;
    }
    if (CACHE.size() >= MAX_ENTRIES) {
      evictOne();
    }
    // Keep our own copy: the key's array is not ours to trust unchanged. Whoever loses a race for the same key
    // adopts the winner's entry, so the point precomputation is shared.
    Object raced = CACHE.putIfAbsent(new Encoding(encoded.clone()), prepared);
    return raced != null ? raced : prepared;
  }

  private static void evictOne() {
    Iterator<Encoding> keys = CACHE.keySet().iterator();
    if (keys.hasNext()) {
      keys.next();
      keys.remove();
    }
  }

  private static Object decode(byte[] spki) {
    try {
      SubjectPublicKeyInfo info = SubjectPublicKeyInfo.getInstance(spki);
      AlgorithmIdentifier algorithm = info.getAlgorithm();
      if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm.getAlgorithm())) {
        return decodeEc(algorithm.getParameters(), info.getPublicKeyData().getOctets());
      }
      if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm.getAlgorithm()) && algorithm.getParameters() == null) {
        // Decodes the point and rejects non-canonical or off-curve encodings (RFC 8032 §5.1.3).
        return new Ed25519PublicKeyParameters(info.getPublicKeyData().getOctets());
      }
      return null;
    } catch (RuntimeException e) {
      // BouncyCastle's ASN.1 and point decoders report malformed input as IllegalArgumentException or
      // IllegalStateException, and a truncated structure can surface as other runtime exceptions.
      return null;
    }
  }

  private static PreparedEcdsaKey decodeEc(ASN1Encodable parameters, byte[] point) {
    EcCurve curve = parameters instanceof ASN1ObjectIdentifier ? EcCurve.forOid((ASN1ObjectIdentifier) parameters) : null;
    if (curve == null || point.length == 0) {
      return null;
    }
    byte form = point[0];
    if (form != UNCOMPRESSED && form != COMPRESSED_EVEN && form != COMPRESSED_ODD) {
      return null;
    }
    ECDomainParameters domain = curve.domain();
    // decodePoint checks the encoding's length and, for compressed points, that x has a y on the curve; the
    // parameters' constructor validates the point: finite, on the curve, normalised.
    return new PreparedEcdsaKey(curve, new ECPublicKeyParameters(domain.getCurve().decodePoint(point), domain));
  }

  /** Byte-array contents as a map key, hashed once. */
  private static final class Encoding {
    private final byte[] bytes;
    private final int hash;

    Encoding(byte[] bytes) {
      this.bytes = bytes;
      this.hash = Arrays.hashCode(bytes);
    }

    @Override
    public boolean equals(Object other) {
      return other instanceof Encoding && Arrays.equals(bytes, ((Encoding) other).bytes);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
