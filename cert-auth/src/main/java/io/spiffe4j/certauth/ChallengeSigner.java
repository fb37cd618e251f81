package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.math.BigInteger;
import java.security.Provider;
import java.security.PrivateKey;
import java.util.Base64;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Signs an authentication challenge with a private key that may live anywhere: in this process (a key loaded from a
 * file), in a PKCS#11 token, or in a KMS reached through a callback. The key itself never passes through this
 * interface, so it never leaves where it is kept.
 *
 * <p>The signature is SHA-256 over {@code challenge}: RSASSA-PKCS#1 v1.5 for RSA keys, ECDSA with an ASN.1 DER
 * signature (not IEEE P1363) for EC keys, as Akeyless's certificate authentication verifies it.
 *
 * <p>Where the key lives decides the factory:
 * <ul>
 *   <li>a key in this process, such as one from {@link PrivateKeys}: {@link #ofKey(PrivateKey)};
 *   <li>a key in a PKCS#11 token or any other JCA provider: get the {@code PrivateKey} handle from the provider's
 *       {@code KeyStore}, for example {@code KeyStore ks = KeyStore.getInstance("PKCS11", pkcs11Provider);
 *       ks.load(null, pin); PrivateKey key = (PrivateKey) ks.getKey(alias, null);}, then pass it to
 *       {@link #ofKey(PrivateKey)}: JCA's delayed provider selection picks the provider that accepts the key, so the
 *       token signs. {@link #ofKey(PrivateKey, Provider)} names the provider explicitly;
 *   <li>a KMS that signs a SHA-256 digest (AWS KMS with {@code MessageType=DIGEST}, Google Cloud KMS, Azure Key
 *       Vault, PKCS#11 {@code CKM_ECDSA}): {@link #ofDigestSigner}, converting an R||S answer with
 *       {@link #ecdsaP1363ToDer} where the service returns that (Azure Key Vault, {@code CKM_ECDSA});
 *   <li>anything that signs the whole message itself: a lambda, {@code challenge -> kms.sign(challenge)}.
 * </ul>
 * {@link ClientCertificate} checks any of them against the certificate before it is used.
 *
 * <p>Implementations are thread-safe and their {@code toString()} never shows key material.
 */
@FunctionalInterface
public interface ChallengeSigner {

  /**
   * Signs the raw challenge bytes (already base64-decoded).
   *
   * @return the signature bytes (DER for ECDSA)
   * @throws CertAuthException if the key or the device holding it cannot sign
   */
  byte[] sign(byte[] challenge);

  /**
   * Signs a challenge in Akeyless's wire form: {@code base64Challenge} is the {@code challenge} string of
   * {@code /get-cert-challenge} (standard base64; surrounding whitespace is ignored), the result is the
   * {@code signed-cert-challenge} (standard base64 with padding).
   *
   * @throws CertAuthException of kind {@code INVALID_CHALLENGE} if the challenge is empty or not base64, or as
   *     {@link #sign} does
   */
  default String signBase64(String base64Challenge) {
    Objects.requireNonNull(base64Challenge, "base64Challenge");
    String trimmed = base64Challenge.strip();
    byte[] challenge;
    try {
      challenge = Base64.getDecoder().decode(trimmed);
    } catch (IllegalArgumentException e) {
      throw new CertAuthException(Kind.INVALID_CHALLENGE, "the challenge is not standard base64");
    }
    if (challenge.length == 0) {
      throw new CertAuthException(Kind.INVALID_CHALLENGE, "the challenge is empty");
    }
    return Base64.getEncoder().encodeToString(sign(challenge));
  }

  /**
   * A signer for a JCA private key: a key in this process, or a handle to one in a PKCS#11 token or another
   * provider, chosen by JCA's delayed provider selection. Each call uses a new {@link java.security.Signature}.
   *
   * @throws CertAuthException of kind {@code UNSUPPORTED_ALGORITHM} for keys other than RSA and EC (Ed25519
   *     among them), and for EC keys on curves other than P-256, P-384 and P-521
   */
  static ChallengeSigner ofKey(PrivateKey key) {
    return KeySigner.of(key, null);
  }

  /**
   * A signer for a private key that {@code provider} (for example a configured SunPKCS11 instance) signs with.
   *
   * @throws CertAuthException as {@link #ofKey(PrivateKey)}
   */
  static ChallengeSigner ofKey(PrivateKey key, Provider provider) {
    return KeySigner.of(key, Objects.requireNonNull(provider, "provider"));
  }

  /**
   * A signer for a key in a KMS or HSM that signs a precomputed digest. {@code signSha256Digest} receives the
   * 32-byte SHA-256 digest of the challenge and returns the signature as Akeyless expects it: RSASSA-PKCS#1 v1.5
   * (the service adds the DigestInfo, as AWS KMS {@code RSASSA_PKCS1_V1_5_SHA_256} and Google Cloud KMS
   * {@code RSA_SIGN_PKCS1_*_SHA256} do), or an ASN.1 DER ECDSA signature. Anything it throws, and an empty answer,
   * become a {@link CertAuthException} of kind {@code SIGNING_FAILED}.
   */
  static ChallengeSigner ofDigestSigner(UnaryOperator<byte[]> signSha256Digest) {
    return ExternalSigner.ofDigestSigner(Objects.requireNonNull(signSha256Digest, "signSha256Digest"));
  }

  /**
   * Re-encodes an ECDSA signature from IEEE P1363 ({@code R||S}, two equal-length big-endian integers, as Azure Key
   * Vault, JOSE and PKCS#11 {@code CKM_ECDSA} return it) into the ASN.1 DER form Akeyless verifies.
   *
   * @throws CertAuthException of kind {@code SIGNING_FAILED} if the length is odd or zero
   */
  static byte[] ecdsaP1363ToDer(byte[] rs) {
    Objects.requireNonNull(rs, "rs");
    if (rs.length == 0 || rs.length % 2 != 0) {
      throw new CertAuthException(Kind.SIGNING_FAILED,
          "an R||S ECDSA signature has two halves of equal length; got " + rs.length + " bytes");
    }
    int half = rs.length / 2;
    return EcdsaDer.encode(new BigInteger(1, rs, 0, half), new BigInteger(1, rs, half, half));
  }
}
