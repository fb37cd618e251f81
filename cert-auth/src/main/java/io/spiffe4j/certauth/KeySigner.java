package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.EdECKey;
import java.util.Objects;

/**
 * Signs with a JCA private key. A new {@link Signature} per call keeps it thread-safe without locking: a
 * {@code Signature} object holds per-operation state.
 */
final class KeySigner implements ChallengeSigner {
  private final PrivateKey key;
  private final String signatureAlgorithm;
  private final Provider provider;
  private final String keyDescription;

  private KeySigner(PrivateKey key, String signatureAlgorithm, Provider provider, String keyDescription) {
    this.key = key;
    this.signatureAlgorithm = signatureAlgorithm;
    this.provider = provider;
    this.keyDescription = keyDescription;
  }

  static KeySigner of(PrivateKey key, Provider provider) {
    Objects.requireNonNull(key, "key");
    String algorithm = String.valueOf(key.getAlgorithm());
    switch (algorithm) {
      case "RSA":
        return new KeySigner(key, "SHA256withRSA", provider, "RSA");
      case "EC":
      case "ECDSA":
        return new KeySigner(key, "SHA256withECDSA", provider, "EC" + curveOf(key));
      case "Ed25519":
      case "EdDSA":
      case "Ed448":
        throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, algorithmName(key) + " keys cannot sign Akeyless"
            + " certificate challenges: Akeyless verifies only RSA (PKCS#1 v1.5) and ECDSA signatures");
      default:
        throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, "keys of algorithm " + algorithmName(key)
            + " cannot sign Akeyless certificate challenges; use an RSA or ECDSA key");
    }
  }

  /** The curve, when the key shows it (a PKCS#11 handle may not); only the curves Akeyless verifies pass. */
  private static String curveOf(PrivateKey key) {
    if (!(key instanceof ECKey) || ((ECKey) key).getParams() == null) {
      return "";
    }
    NamedCurve curve = NamedCurve.forParameters(((ECKey) key).getParams());
    if (curve == null) {
      throw new CertAuthException(Kind.UNSUPPORTED_ALGORITHM, "the EC key's curve is not supported; Akeyless"
          + " verifies ECDSA on P-256, P-384 and P-521 only");
    }
    return " " + curve;
  }

  /** The key's algorithm, naming the curve for EdDSA keys, which the JDK calls "EdDSA" whatever the curve. */
  static String algorithmName(Key key) {
    if (key instanceof EdECKey) {
      return ((EdECKey) key).getParams().getName();
    }
    return printable(String.valueOf(key.getAlgorithm()));
  }

  private static String printable(String name) {
    String clean = name.replaceAll("[^\\x21-\\x7e]", "?");
    return clean.length() > 40 ? clean.substring(0, 40) + "..." : clean;
  }

  @Override
  public byte[] sign(byte[] challenge) {
    Objects.requireNonNull(challenge, "challenge");
    try {
      Signature signature = provider == null
          ? Signature.getInstance(signatureAlgorithm)
          : Signature.getInstance(signatureAlgorithm, provider);
      signature.initSign(key);
      signature.update(challenge);
      return signature.sign();
    } catch (GeneralSecurityException | ProviderException e) {
      // ProviderException is how SunPKCS11 reports a token failure (CKR_*) that is no GeneralSecurityException.
      throw new CertAuthException(Kind.SIGNING_FAILED, "cannot sign with the " + keyDescription + " key ("
          + signatureAlgorithm + (provider != null ? " via " + provider.getName() : "") + "): "
          + e.getClass().getSimpleName(), e);
    }
  }

  @Override
  public String toString() {
    return "ChallengeSigner[" + signatureAlgorithm + ", " + keyDescription + " key"
        + (provider != null ? ", provider " + provider.getName() : "") + "]";
  }
}
