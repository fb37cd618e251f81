package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.List;
import java.util.Objects;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/** The leaf certificate's public key, judged for Akeyless and matched against a private key or a signer. */
final class LeafKey {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final int PROBE_LENGTH = 32;

  private final X509Certificate leaf;
  private final PublicKey publicKey;
  /** Null for RSA. */
  private final NamedCurve curve;
  private final String description;

  private LeafKey(X509Certificate leaf, PublicKey publicKey, NamedCurve curve, String description) {
    this.leaf = leaf;
    this.publicKey = publicKey;
    this.curve = curve;
    this.description = description;
  }

  /**
   * @throws CertAuthException of kind {@code UNSUPPORTED_ALGORITHM} unless the leaf's key is RSA or ECDSA on
   *     P-256, P-384 or P-521
   */
  static LeafKey of(X509Certificate leaf) {
    Objects.requireNonNull(leaf, "leaf");
    PublicKey key = leaf.getPublicKey();
    if (key instanceof RSAPublicKey && "RSA".equals(key.getAlgorithm())) {
      return new LeafKey(leaf, key, null, "RSA " + ((RSAPublicKey) key).getModulus().bitLength());
    }
    if (key instanceof ECPublicKey) {
      NamedCurve curve = NamedCurve.forParameters(((ECPublicKey) key).getParams());
      if (curve == null) {
        throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, "the leaf certificate's EC curve "
            + curveName(key) + " is not supported; Akeyless verifies ECDSA on P-256, P-384 and P-521 only");
      }
      return new LeafKey(leaf, key, curve, "EC " + curve);
    }
    throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, "the leaf certificate's key is " + KeySigner.algorithmName(key)
        + "; Akeyless certificate authentication verifies only RSA (PKCS#1 v1.5) and ECDSA signatures");
  }

  private static String curveName(PublicKey key) {
    try {
      return NamedCurve.describe(ASN1ObjectIdentifier.getInstance(
          SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters()));
    } catch (RuntimeException e) {
      return "(explicit parameters)";
    }
  }

  /** "RSA 2048", "EC P-256". */
  String description() {
    return description;
  }

  /**
   * Compares {@code key}'s visible public parts with the leaf's key; signs and verifies a probe with
   * {@code signer} when the key shows none (a PKCS#11 handle).
   *
   * @throws CertAuthException of kind {@code KEY_MISMATCH} if the key is not the leaf's
   */
  void requireMatch(PrivateKey key, ChallengeSigner signer, List<X509Certificate> chain) {
    String keyFamily = "RSA".equals(key.getAlgorithm()) ? "RSA" : "EC";
    if (!keyFamily.equals(curve == null ? "RSA" : "EC")) {
      throw new CertAuthException(Kind.KEY_MISMATCH, "the private key is " + keyFamily
          + " but the leaf certificate's key is " + description + " (" + leafName() + ")");
    }
    Boolean matches = matches(key, publicKey);
    if (matches == null) {
      requireProbeVerifies(signer);
      return;
    }
    if (matches) {
      return;
    }
    for (int i = 1; i < chain.size(); i++) {
      if (Boolean.TRUE.equals(matches(key, chain.get(i).getPublicKey()))) {
        throw new CertAuthException(Kind.KEY_MISMATCH, "the private key belongs to certificate " + (i + 1)
            + " of the chain, not to the first: the leaf certificate must come first");
      }
    }
    throw new CertAuthException(Kind.KEY_MISMATCH,
        "the private key does not belong to the leaf certificate (" + leafName() + ")");
  }

  /** Whether the key's public parts are {@code candidate}'s; null when the key does not show them. */
  private static Boolean matches(PrivateKey key, PublicKey candidate) {
    try {
      if (key instanceof RSAKey && candidate instanceof RSAPublicKey) {
        RSAPublicKey rsa = (RSAPublicKey) candidate;
        boolean sameExponent = !(key instanceof RSAPrivateCrtKey)
            || rsa.getPublicExponent().equals(((RSAPrivateCrtKey) key).getPublicExponent());
        return rsa.getModulus().equals(((RSAKey) key).getModulus()) && sameExponent;
      }
      if (key instanceof ECPrivateKey && candidate instanceof ECPublicKey) {
        BigInteger scalar = ((ECPrivateKey) key).getS();
        if (scalar == null) {
          return null;
        }
        ECPublicKey ec = (ECPublicKey) candidate;
        NamedCurve curve = NamedCurve.forParameters(ec.getParams());
        return curve != null && curve == NamedCurve.forParameters(((ECPrivateKey) key).getParams())
            && curve.isPublicPointOf(scalar, ec.getW());
      }
      return key instanceof RSAKey || key instanceof ECPrivateKey ? false : null;
    } catch (RuntimeException e) {
      // A token's key handle may refuse to reveal its parts (ProviderException); the probe decides then.
      return null;
    }
  }

  /**
   * Signs a random probe and verifies the signature with the leaf's key.
   *
   * @throws CertAuthException of kind {@code KEY_MISMATCH} if it does not verify, or {@code SIGNING_FAILED}
   */
  void requireProbeVerifies(ChallengeSigner signer) {
    byte[] probe = new byte[PROBE_LENGTH];
    RANDOM.nextBytes(probe);
    byte[] signature = signer.sign(probe);
    if (!verifies(probe, signature)) {
      throw new CertAuthException(Kind.KEY_MISMATCH, "the signer's probe signature does not verify with the leaf"
          + " certificate's " + description + " key (" + leafName() + "): the signer holds another key"
          + (curve != null ? ", or answers in another encoding than ASN.1 DER (R||S? see"
          + " ChallengeSigner.ecdsaP1363ToDer)" : ", or signs with another scheme than SHA-256 PKCS#1 v1.5"));
    }
  }

  /**
   * The JDK verifies here, not {@code io.spiffe4j.internal.Signatures}: that class checks certificate and JWS
   * signatures, and neither form covers SHA-256 ECDSA in DER on P-384 and P-521. One probe per construction makes
   * speed irrelevant.
   */
  private boolean verifies(byte[] data, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(curve == null ? "SHA256withRSA" : "SHA256withECDSA");
      verifier.initVerify(publicKey);
      verifier.update(data);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private String leafName() {
    return "subject " + leaf.getSubjectX500Principal().getName(X500Principal.RFC2253)
        + ", serial " + leaf.getSerialNumber().toString(16);
  }
}
