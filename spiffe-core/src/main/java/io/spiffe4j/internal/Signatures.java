package io.spiffe4j.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.math.ec.rfc8032.Ed25519;

/**
 * The one place where spiffe4j checks signatures, so that a faster verifier can serve every caller (certificate
 * chains and JWS) at once. Both methods answer false for any signature that does not verify, including malformed
 * encodings and algorithm/key mismatches; they never throw for bad input.
 *
 * <p>ECDSA and Ed25519 go through BouncyCastle's lightweight API over keys decoded once and cached
 * ({@link PreparedKeys}): on a two-core machine a P-256 verification takes about 0.08 ms there against 1 ms in
 * JDK 17's SunEC and 0.4-0.5 ms in JDK 25's, P-384 0.25 ms against 2.3 ms, Ed25519 0.08 ms against 0.6-0.7 ms.
 * ECDSA is strict: signatures must be in canonical DER (certificates) or exact-length R||S (JWS) with
 * 1 <= r, s < n, keys must be finite points on P-256, P-384 or P-521, and a JWS algorithm accepts only its own
 * curve. Ed25519 requires S < L (RFC 8032 §5.1.7). RSA and RSASSA-PSS stay with the JDK, which is as fast as
 * BouncyCastle there (0.034 ms for RSA-2048).
 *
 * <p>Certificate signatures are checked only under an allow-list of algorithms ({@link
 * #allowsCertificateAlgorithm}): a collision in a weak digest lets whoever can get one certificate signed forge
 * another, so a signature over MD2, MD5, SHA-1 or SHA-224, a DSA one, or one under any algorithm not listed never
 * verifies, however genuine. go-spiffe refuses the same ones ("insecure algorithm").
 *
 * <p>Thread-safe.
 */
public final class Signatures {
  /** The ECDSA certificate signature algorithms (RFC 5758 §3.2) and the digest each signs with. */
  private static final Map<String, String> ECDSA_CERTIFICATE_DIGESTS = Map.of(
      "1.2.840.10045.4.3.2", "SHA-256",
      "1.2.840.10045.4.3.3", "SHA-384",
      "1.2.840.10045.4.3.4", "SHA-512");
  private static final String ED25519 = "1.3.101.112";
  /** sha256WithRSAEncryption, sha384WithRSAEncryption, sha512WithRSAEncryption (RFC 4055 §5), by JCA name. */
  private static final Map<String, String> RSA_PKCS1_CERTIFICATE_ALGORITHMS = Map.of(
      "1.2.840.113549.1.1.11", "SHA256withRSA",
      "1.2.840.113549.1.1.12", "SHA384withRSA",
      "1.2.840.113549.1.1.13", "SHA512withRSA");
  private static final String RSASSA_PSS = PKCSObjectIdentifiers.id_RSASSA_PSS.getId();
  private static final String RSASSA_PSS_JCA = "RSASSA-PSS";
  /** The RSASSA-PSS digests allowed, each with the salt length it requires: the digest's own length. */
  private static final Map<ASN1ObjectIdentifier, Integer> PSS_SALT_LENGTHS = Map.of(
      NISTObjectIdentifiers.id_sha256, 32,
      NISTObjectIdentifiers.id_sha384, 48,
      NISTObjectIdentifiers.id_sha512, 64);
  private static final int ED25519_SIGNATURE_LENGTH = 64;

  private Signatures() {}

  /**
   * Whether {@code certificate} carries a valid signature by {@code issuerKey}, under the certificate's own signature
   * algorithm, which must be one {@link #allowsCertificateAlgorithm allowed}: false for any other, however genuine
   * the signature. ECDSA and Ed25519 are checked here; RSA and RSASSA-PSS (with the certificate's parameters) are
   * left to the JDK's {@link X509Certificate#verify(PublicKey)}.
   */
  public static boolean verifyCertificate(X509Certificate certificate, PublicKey issuerKey) {
    try {
      String algorithm = certificate.getSigAlgOID();
      String ecdsaDigest = ECDSA_CERTIFICATE_DIGESTS.get(algorithm);
      if (ecdsaDigest != null) {
        return verifyEcdsaCertificate(certificate, issuerKey, ecdsaDigest);
      }
      if (ED25519.equals(algorithm)) {
        return verifyEd25519Certificate(certificate, issuerKey);
      }
      if (!allowsRsaCertificateAlgorithm(certificate)) {
        return false;
      }
      // Without a provider argument the JDK chooses the first one that accepts the key, so keys from any provider
      // keep working; that choice measured under 1 µs of a 35 µs RSA-2048 verification.
      certificate.verify(issuerKey);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether certificates signed with {@code certificate}'s signature algorithm may verify at all: ECDSA with
   * SHA-256, SHA-384 or SHA-512 (RFC 5758 §3.2); RSASSA-PKCS1-v1_5 with SHA-256, SHA-384 or SHA-512 (RFC 4055 §5);
   * RSASSA-PSS whose parameters name SHA-256, SHA-384 or SHA-512, MGF1 over that same digest, a salt as long as the
   * digest and the trailer field 1 (the profiles TLS 1.3 and go-spiffe accept); Ed25519 (RFC 8410). Anything else
   * is refused: MD2, MD5, SHA-1 and SHA-224 digests, DSA, other PSS parameters, Ed448, unknown algorithms. This
   * judges the algorithm only, so that callers can say why a certificate is refused before checking its signature.
   */
  public static boolean allowsCertificateAlgorithm(X509Certificate certificate) {
    Objects.requireNonNull(certificate, "certificate");
    String algorithm = certificate.getSigAlgOID();
    return ECDSA_CERTIFICATE_DIGESTS.containsKey(algorithm) || ED25519.equals(algorithm)
        || allowsRsaCertificateAlgorithm(certificate);
  }

  private static boolean allowsRsaCertificateAlgorithm(X509Certificate certificate) {
    String algorithm = certificate.getSigAlgOID();
    if (RSA_PKCS1_CERTIFICATE_ALGORITHMS.containsKey(algorithm)) {
      return true;
    }
    return RSASSA_PSS.equals(algorithm) && allowsPssParameters(certificate.getSigAlgParams());
  }

  /** RSASSA-PSS parameters (RFC 4055 §3.1); absent ones mean SHA-1 throughout, so they are refused too. */
  private static boolean allowsPssParameters(byte[] encoded) {
    if (encoded == null) {
      return false;
    }
    try {
      RSASSAPSSparams parameters = RSASSAPSSparams.getInstance(ASN1Primitive.fromByteArray(encoded));
      ASN1ObjectIdentifier digest = parameters.getHashAlgorithm().getAlgorithm();
      Integer saltLength = PSS_SALT_LENGTHS.get(digest);
      AlgorithmIdentifier mask = parameters.getMaskGenAlgorithm();
      return saltLength != null
          && PKCSObjectIdentifiers.id_mgf1.equals(mask.getAlgorithm())
          && digest.equals(AlgorithmIdentifier.getInstance(mask.getParameters()).getAlgorithm())
          && parameters.getSaltLength().intValueExact() == saltLength
          && parameters.getTrailerField().intValueExact() == 1;
    } catch (IOException | RuntimeException e) {
      // Malformed parameters: BouncyCastle reports them as IOException, IllegalArgumentException or others.
      return false;
    }
  }

  /**
   * Whether {@code signature} (JOSE encoding: R||S for ECDSA) is a valid signature of {@code signingInput} under
   * the JWS algorithm {@code alg} (one of RS/PS/ES 256/384/512) by {@code key}.
   */
  public static boolean verifyJws(String alg, PublicKey key, byte[] signingInput, byte[] signature) {
    try {
      JwsAlgorithms.Ecdsa ecdsa = JwsAlgorithms.ecdsa(alg);
      if (ecdsa != null) {
        PreparedEcdsaKey ecKey = PreparedKeys.ecdsa(key);
        BigInteger[] rs = EcdsaSignatureEncoding.fromConcatenated(signature, ecdsa.curve().fieldLength());
        return ecKey != null && ecKey.curve() == ecdsa.curve() && rs != null
            && ecKey.verify(ecdsa.digest(), signingInput, rs);
      }
      Signature verifier = JwsAlgorithms.jcaSignature(alg);
      verifier.initVerify(key);
      verifier.update(signingInput);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Whether {@code signature} is a valid signature of {@code signedData} by {@code key} under the X.509 signature
   * algorithm {@code algorithmOid} with the DER-encoded {@code algorithmParameters} (null when absent): the check of
   * {@link #verifyCertificate}, with the same allow-list and strictness, for signed structures other than
   * certificates, such as PKCS#10 certification requests. RSA and RSASSA-PSS go through the JDK's
   * {@link Signature}.
   */
  public static boolean verifySignedData(String algorithmOid, byte[] algorithmParameters, PublicKey key,
      byte[] signedData, byte[] signature) {
    try {
      String ecdsaDigest = ECDSA_CERTIFICATE_DIGESTS.get(algorithmOid);
      if (ecdsaDigest != null) {
        return verifyEcdsa(algorithmParameters, key, ecdsaDigest, signedData, signature);
      }
      if (ED25519.equals(algorithmOid)) {
        return verifyEd25519(algorithmParameters, key, signedData, signature);
      }
      Signature verifier;
      String rsaPkcs1 = RSA_PKCS1_CERTIFICATE_ALGORITHMS.get(algorithmOid);
      if (rsaPkcs1 != null) {
        verifier = Signature.getInstance(rsaPkcs1);
      } else if (RSASSA_PSS.equals(algorithmOid) && allowsPssParameters(algorithmParameters)) {
        AlgorithmParameters parameters = AlgorithmParameters.getInstance(RSASSA_PSS_JCA);
        parameters.init(algorithmParameters);
        verifier = Signature.getInstance(RSASSA_PSS_JCA);
        verifier.setParameter(parameters.getParameterSpec(PSSParameterSpec.class));
      } else {
        return false;
      }
      verifier.initVerify(key);
      verifier.update(signedData);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean verifyEcdsaCertificate(X509Certificate certificate, PublicKey issuerKey, String digest)
      throws GeneralSecurityException {
    return verifyEcdsa(certificate.getSigAlgParams(), issuerKey, digest, certificate.getTBSCertificate(),
        certificate.getSignature());
  }

  private static boolean verifyEcdsa(byte[] parameters, PublicKey issuerKey, String digest, byte[] signedData,
      byte[] signature) throws GeneralSecurityException {
    // RFC 5758 §3.2: ECDSA algorithm identifiers carry no parameters.
    if (parameters != null) {
      return false;
    }
    PreparedEcdsaKey key = PreparedKeys.ecdsa(issuerKey);
    BigInteger[] rs = EcdsaSignatureEncoding.fromDer(signature);
    return key != null && rs != null && key.verify(digest, signedData, rs);
  }

  private static boolean verifyEd25519Certificate(X509Certificate certificate, PublicKey issuerKey)
      throws GeneralSecurityException {
    return verifyEd25519(certificate.getSigAlgParams(), issuerKey, certificate.getTBSCertificate(),
        certificate.getSignature());
  }

  private static boolean verifyEd25519(byte[] parameters, PublicKey issuerKey, byte[] signedData, byte[] signature)
      throws GeneralSecurityException {
    // RFC 8410 §3: the Ed25519 algorithm identifier has no parameters.
    if (parameters != null) {
      return false;
    }
    Ed25519PublicKeyParameters key = PreparedKeys.ed25519(issuerKey);
    return key != null && signature.length == ED25519_SIGNATURE_LENGTH
        && key.verify(Ed25519.Algorithm.Ed25519, null, signedData, 0, signedData.length, signature, 0);
  }
}
