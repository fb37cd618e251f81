package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X962Parameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Turns the ASN.1 key structures (PKCS#8 {@code PrivateKeyInfo}, PKCS#1 {@code RSAPrivateKey}, SEC1
 * {@code ECPrivateKey}, SEC1 {@code ECParameters}) into JCA keys, admitting only RSA, ECDSA on P-256/P-384/P-521 and
 * Ed25519. Every failure is a {@link CertAuthException} whose message names {@code source}, never key bytes.
 */
final class KeyInfos {
  private static final Map<String, String> REFUSED_ALGORITHMS = Map.of(
      "1.2.840.10040.4.1", "DSA",
      "1.2.840.113549.1.1.10", "RSASSA-PSS",
      "1.3.101.110", "X25519",
      "1.3.101.111", "X448",
      "1.3.101.113", "Ed448");

  private KeyInfos() {}

  /** A DER structure that must be one SEQUENCE with nothing after it. */
  static ASN1Sequence sequence(byte[] der, String source, String what) {
    try {
      ASN1Primitive primitive = ASN1Primitive.fromByteArray(der);
      if (primitive instanceof ASN1Sequence) {
        return (ASN1Sequence) primitive;
      }
    } catch (IOException | RuntimeException e) {
      // BouncyCastle reports hostile ASN.1 with IOException, IllegalArgumentException, ClassCastException, ...
      throw malformed(source, what, e);
    }
    throw malformed(source, what, null);
  }

  /** A PKCS#8 {@code PrivateKeyInfo} as a JCA key of an admitted algorithm. */
  static PrivateKey toPrivateKey(PrivateKeyInfo info, String source) {
    AlgorithmIdentifier algorithm = info.getPrivateKeyAlgorithm();
    ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
    String jcaName;
    if (PKCSObjectIdentifiers.rsaEncryption.equals(oid)) {
      jcaName = "RSA";
    } else if (X9ObjectIdentifiers.id_ecPublicKey.equals(oid)) {
      requireSupportedCurve(curveOf(algorithm.getParameters(), source), source);
      jcaName = "EC";
    } else if (EdECObjectIdentifiers.id_Ed25519.equals(oid)) {
      jcaName = "Ed25519";
    } else {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, source + ": " + REFUSED_ALGORITHMS.getOrDefault(
          oid.getId(), "algorithm " + oid.getId()) + " keys are not supported; use an RSA or ECDSA key");
    }
    byte[] encoded = null;
    try {
      encoded = info.getEncoded(ASN1Encoding.DER);
      return KeyFactory.getInstance(jcaName).generatePrivate(new PKCS8EncodedKeySpec(encoded));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw malformed(source, jcaName + " private key", e);
    } finally {
      if (encoded != null) {
        Arrays.fill(encoded, (byte) 0);
      }
    }
  }

  /** PKCS#1 {@code RSAPrivateKey} (the {@code RSA PRIVATE KEY} PEM label) as PKCS#8. */
  static PrivateKeyInfo fromPkcs1(ASN1Sequence sequence, String source) {
    try {
      return new PrivateKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
          RSAPrivateKey.getInstance(sequence));
    } catch (IOException | RuntimeException e) {
      throw malformed(source, "PKCS#1 RSA private key", e);
    }
  }

  /**
   * SEC1 {@code ECPrivateKey} (the {@code EC PRIVATE KEY} PEM label) as PKCS#8. Its curve comes from the key's own
   * parameters or, when it has none, from a preceding {@code EC PARAMETERS} block ({@code separateCurve}, may be null).
   */
  static PrivateKeyInfo fromSec1(ASN1Sequence sequence, ASN1ObjectIdentifier separateCurve, String source) {
    if (!hasVersion(sequence, 1)) {
      throw malformed(source, "SEC1 EC private key", null);
    }
    ECPrivateKey key;
    ASN1Encodable ownParameters;
    try {
      key = ECPrivateKey.getInstance(sequence);
      ownParameters = key.getParametersObject();
    } catch (RuntimeException e) {
      throw malformed(source, "SEC1 EC private key", e);
    }
    ASN1ObjectIdentifier curve = ownParameters != null ? curveOf(ownParameters, source) : separateCurve;
    if (curve == null) {
      throw new CertAuthException(Kind.MALFORMED, source + ": the EC private key names no curve");
    }
    if (separateCurve != null && !separateCurve.equals(curve)) {
      throw new CertAuthException(Kind.MALFORMED,
          source + ": the EC PARAMETERS block names a different curve than the EC private key");
    }
    requireSupportedCurve(curve, source);
    try {
      return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, curve), key);
    } catch (IOException | RuntimeException e) {
      throw malformed(source, "SEC1 EC private key", e);
    }
  }

  /** The curve of an {@code EC PARAMETERS} block: SEC1 {@code ECParameters}, which must name a curve. */
  static ASN1ObjectIdentifier curveOfParametersBlock(byte[] der, String source) {
    ASN1Primitive parameters;
    try {
      parameters = ASN1Primitive.fromByteArray(der);
    } catch (IOException | RuntimeException e) {
      throw malformed(source, "EC PARAMETERS block", e);
    }
    return curveOf(parameters, source);
  }

  /** Which kind of DER key structure a SEQUENCE is, judged by its first elements; null if none. */
  static String classify(ASN1Sequence sequence) {
    int size = sequence.size();
    ASN1Encodable first = size > 0 ? sequence.getObjectAt(0) : null;
    ASN1Encodable second = size > 1 ? sequence.getObjectAt(1) : null;
    if (size >= 3 && first instanceof ASN1Integer && second instanceof ASN1Sequence
        && sequence.getObjectAt(2) instanceof ASN1OctetString) {
      return "PRIVATE KEY";
    }
    if (size == 2 && first instanceof ASN1Sequence && second instanceof ASN1OctetString) {
      return "ENCRYPTED PRIVATE KEY";
    }
    if (size >= 9 && hasVersion(sequence, 0) && second instanceof ASN1Integer) {
      return "RSA PRIVATE KEY";
    }
    if (hasVersion(sequence, 1) && second instanceof ASN1OctetString) {
      return "EC PRIVATE KEY";
    }
    return null;
  }

  private static boolean hasVersion(ASN1Sequence sequence, int version) {
    return sequence.size() > 0 && sequence.getObjectAt(0) instanceof ASN1Integer
        && ((ASN1Integer) sequence.getObjectAt(0)).hasValue(version);
  }

  /** The named curve in X9.62 {@code Parameters}; explicit or inherited parameters are refused. */
  private static ASN1ObjectIdentifier curveOf(ASN1Encodable encoded, String source) {
    X962Parameters parameters;
    try {
      parameters = X962Parameters.getInstance(encoded);
    } catch (RuntimeException e) {
      throw malformed(source, "EC curve parameters", e);
    }
    if (parameters == null || parameters.isImplicitlyCA()) {
      throw new CertAuthException(Kind.MALFORMED, source + ": the EC key names no curve");
    }
    if (!parameters.isNamedCurve()) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, source + ": the EC key spells its curve out as"
          + " explicit parameters; only named curves (P-256, P-384, P-521) are supported"
          + " (convert with: openssl pkey -in KEY -out KEY2 -ec_param_enc named_curve)");
    }
    return ASN1ObjectIdentifier.getInstance(parameters.getParameters());
  }

  private static void requireSupportedCurve(ASN1ObjectIdentifier curve, String source) {
    if (NamedCurve.forOid(curve) == null) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, source + ": EC curve " + NamedCurve.describe(curve)
          + " is not supported; Akeyless verifies ECDSA on P-256, P-384 and P-521 only");
    }
  }

  static CertAuthException wrongPassword(String source, Throwable cause) {
    return new CertAuthException(Kind.WRONG_PASSWORD,
        source + ": cannot decrypt the private key: wrong password, or the encrypted key is corrupted", cause);
  }

  static CertAuthException malformed(String source, String what, Throwable cause) {
    return new CertAuthException(Kind.MALFORMED, source + ": malformed " + what, cause);
  }
}
