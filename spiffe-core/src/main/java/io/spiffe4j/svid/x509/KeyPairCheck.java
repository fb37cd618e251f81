package io.spiffe4j.svid.x509;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECField;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Map;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.math.ec.FixedPointCombMultiplier;

/**
 * Checks that an SVID's private key belongs to its leaf, and that the key is of a type an X509-SVID may use: RSA of
 * at least 2048 bits, EC P-256 or P-384, or Ed25519.
 *
 * <p>The check is exact and signs nothing when the key exposes its material: RSA compares modulus and public exponent
 * (CRT keys carry both); EC derives d·G and compares the point; Ed25519 derives the public key from the seed. Only a
 * key that hides its material (a hardware token, or an RSA key without CRT parts) gets a sign/verify round trip.
 */
final class KeyPairCheck {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int MIN_RSA_BITS = 2048;
  /**
   * P-256 and P-384 with BouncyCastle's optimised arithmetic, made once: the multiples of each generator that the
   * comb multiplier precomputes are cached on these objects, so every later check reuses them (parameters fetched
   * per call, from the generic curve table, cost about five times as much).
   */
  private static final Map<String, X9ECParameters> CURVES = Map.of(
      "P-256", CustomNamedCurves.getByName("P-256"), "P-384", CustomNamedCurves.getByName("P-384"));
  private static final String ED25519_OID = "1.3.101.112";

  private KeyPairCheck() {}

  /** @throws X509SvidException if the key type is not allowed or the private key is not the leaf key's pair */
  static void check(PublicKey leafKey, PrivateKey privateKey) {
    boolean matches;
    if (leafKey instanceof RSAPublicKey) {
      matches = rsaMatches((RSAPublicKey) leafKey, privateKey);
    } else if (leafKey instanceof ECPublicKey) {
      matches = ecMatches((ECPublicKey) leafKey, privateKey);
    } else if (isEd25519(leafKey)) {
      matches = ed25519Matches(leafKey, privateKey);
    } else {
      throw new X509SvidException("unsupported leaf key algorithm " + leafKey.getAlgorithm()
          + "; an X509-SVID key is RSA, EC P-256/P-384 or Ed25519", null);
    }
    if (!matches) {
      throw new X509SvidException("private key does not match the leaf certificate's public key", null);
    }
  }

  private static boolean rsaMatches(RSAPublicKey leafKey, PrivateKey privateKey) {
    if (leafKey.getModulus().bitLength() < MIN_RSA_BITS) {
      throw new X509SvidException("RSA key has " + leafKey.getModulus().bitLength() + " bits; at least "
          + MIN_RSA_BITS + " are required", null);
    }
    if (privateKey instanceof RSAPrivateCrtKey) {
      RSAPrivateCrtKey crt = (RSAPrivateCrtKey) privateKey;
      return crt.getModulus().equals(leafKey.getModulus())
          && crt.getPublicExponent().equals(leafKey.getPublicExponent());
    }
    if (privateKey instanceof RSAPrivateKey) {
      RSAPrivateKey key = (RSAPrivateKey) privateKey;
      if (!key.getModulus().equals(leafKey.getModulus()) || key.getPrivateExponent() == null) {
        return false;
      }
      // Without CRT parts the public exponent is unknown to the key; (m^d)^e = m for a random m proves the pair.
      BigInteger n = leafKey.getModulus();
      BigInteger m = new BigInteger(n.bitLength() - 1, RANDOM).add(BigInteger.TWO);
      return m.modPow(key.getPrivateExponent(), n).modPow(leafKey.getPublicExponent(), n).equals(m);
    }
    return roundTrip("SHA256withRSA", leafKey, privateKey);
  }

  private static boolean ecMatches(ECPublicKey leafKey, PrivateKey privateKey) {
    String curve = namedCurve(leafKey.getParams());
    if (curve == null) {
      throw new X509SvidException("unsupported EC curve; an X509-SVID EC key is on P-256 or P-384", null);
    }
    if (!(privateKey instanceof ECPrivateKey)) {
      return roundTrip(curve.equals("P-256") ? "SHA256withECDSA" : "SHA384withECDSA", leafKey, privateKey);
    }
    ECPrivateKey key = (ECPrivateKey) privateKey;
    X9ECParameters parameters = CURVES.get(curve);
    BigInteger d = key.getS();
    if (!curve.equals(namedCurve(key.getParams())) || d == null
        || d.signum() <= 0 || d.compareTo(parameters.getN()) >= 0) {
      return false;
    }
    ECPoint derived = new FixedPointCombMultiplier().multiply(parameters.getG(), d).normalize();
    return derived.getAffineXCoord().toBigInteger().equals(leafKey.getW().getAffineX())
        && derived.getAffineYCoord().toBigInteger().equals(leafKey.getW().getAffineY());
  }

  private static boolean ed25519Matches(PublicKey leafKey, PrivateKey privateKey) {
    byte[] encoded = "PKCS#8".equals(privateKey.getFormat()) ? privateKey.getEncoded() : null;
    if (encoded == null) {
      return roundTrip("Ed25519", leafKey, privateKey);
    }
    try {
      PrivateKeyInfo info = PrivateKeyInfo.getInstance(encoded);
      if (!ED25519_OID.equals(info.getPrivateKeyAlgorithm().getAlgorithm().getId())) {
        return false;
      }
      byte[] seed = ASN1OctetString.getInstance(info.parsePrivateKey()).getOctets();
      byte[] derived = new Ed25519PrivateKeyParameters(seed).generatePublicKey().getEncoded();
      byte[] actual = SubjectPublicKeyInfo.getInstance(leafKey.getEncoded()).getPublicKeyData().getBytes();
      return Arrays.equals(derived, actual);
    } catch (java.io.IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isEd25519(PublicKey key) {
    try {
      return ED25519_OID.equals(
          SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getAlgorithm().getId());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** P-256 or P-384 when every domain parameter equals the named curve's; null for any other curve. */
  private static String namedCurve(ECParameterSpec spec) {
    if (spec == null) {
      return null;
    }
    ECField field = spec.getCurve().getField();
    if (!(field instanceof ECFieldFp)) {
      return null;
    }
    for (Map.Entry<String, X9ECParameters> entry : CURVES.entrySet()) {
      String name = entry.getKey();
      X9ECParameters named = entry.getValue();
      ECPoint g = named.getG().normalize();
      if (((ECFieldFp) field).getP().equals(named.getCurve().getField().getCharacteristic())
          && spec.getCurve().getA().equals(named.getCurve().getA().toBigInteger())
          && spec.getCurve().getB().equals(named.getCurve().getB().toBigInteger())
          && spec.getGenerator().getAffineX().equals(g.getAffineXCoord().toBigInteger())
          && spec.getGenerator().getAffineY().equals(g.getAffineYCoord().toBigInteger())
          && spec.getOrder().equals(named.getN())
          && BigInteger.valueOf(spec.getCofactor()).equals(named.getH())) {
        return name;
      }
    }
    return null;
  }

  /**
   * For keys that hide their material. A self-test of a key pair, not a trust decision on someone else's
   * signature, so it uses the JCA directly rather than {@code Signatures}.
   */
  private static boolean roundTrip(String algorithm, PublicKey leafKey, PrivateKey privateKey) {
    try {
      byte[] message = new byte[32];
      RANDOM.nextBytes(message);
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(privateKey);
      signer.update(message);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(leafKey);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }
}
