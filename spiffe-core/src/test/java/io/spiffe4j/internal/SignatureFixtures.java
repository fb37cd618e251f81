package io.spiffe4j.internal;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;

/**
 * Shared test material: a key pool generated once per run, the JDK as an independent signer and verifier (the
 * oracle), and raw DER builders for the malformed encodings a strict verifier must refuse.
 */
final class SignatureFixtures {
  static final SpiffeId TRUST_DOMAIN = SpiffeId.parse("spiffe://example.org");
  static final SpiffeId WORKLOAD = SpiffeId.parse("spiffe://example.org/workload");

  private static final Map<KeyAlgorithm, List<KeyPair>> POOL = new ConcurrentHashMap<>();

  private SignatureFixtures() {}

  /** One of two pooled key pairs of the type, generated on first use. */
  static KeyPair key(KeyAlgorithm algorithm, int index) {
    return POOL.computeIfAbsent(algorithm, a -> List.of(a.generate(), a.generate())).get(index);
  }

  static byte[] randomMessage(Random random) {
    byte[] message = new byte[random.nextInt(600)];
    random.nextBytes(message);
    return message;
  }

  /** The JCA name that signs as JWS {@code alg} does (ECDSA in JOSE's R||S form). */
  static String jcaName(String alg) {
    String bits = alg.substring(2);
    switch (alg.substring(0, 2)) {
      case "ES": return "SHA" + bits + "withECDSAinP1363Format";
      case "RS": return "SHA" + bits + "withRSA";
      default: return "RSASSA-PSS";
    }
  }

  static byte[] jwsSign(String alg, PrivateKey key, byte[] message) {
    try {
      Signature signer = jcaSignature(jcaName(alg), alg);
      signer.initSign(key);
      signer.update(message);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDK's own verdict; an exception of any kind counts as "does not verify". */
  static boolean jdkVerifyJws(String alg, PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = jcaSignature(jcaName(alg), alg);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static boolean jdkVerifyCertificate(X509Certificate certificate, PublicKey key) {
    try {
      certificate.verify(key);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private static Signature jcaSignature(String jcaName, String alg) throws GeneralSecurityException {
    Signature signature = Signature.getInstance(jcaName);
    if (jcaName.equals("RSASSA-PSS")) {
      int bits = Integer.parseInt(alg.substring(2));
      signature.setParameter(new PSSParameterSpec(
          "SHA-" + bits, "MGF1", new MGF1ParameterSpec("SHA-" + bits), bits / 8, 1));
    }
    return signature;
  }

  /** The order n of the EC key's curve, as the JDK knows it. */
  static BigInteger order(PublicKey key) {
    return ((ECPublicKey) key).getParams().getOrder();
  }

  /** A leaf certificate issued by the pooled key (self-signed CA first), signed with its default algorithm. */
  static X509Certificate leafIssuedBy(KeyPair issuer) {
    return leafIssuedBy(issuer, null);
  }

  /** As {@link #leafIssuedBy(KeyPair)}, with a JCA signature algorithm of choice (null for the key's default). */
  static X509Certificate leafIssuedBy(KeyPair issuer, String signatureAlgorithm) {
    X509Certificate ca = CertificateMinter.ca(issuer.getPublic(), TRUST_DOMAIN).sign(issuer.getPrivate());
    CertificateMinter leaf = CertificateMinter.x509Svid(key(KeyAlgorithm.EC_P256, 1).getPublic(), WORKLOAD)
        .issuedBy(ca, issuer.getPrivate());
    if (signatureAlgorithm != null) {
      leaf.signatureAlgorithm(signatureAlgorithm);
    }
    return leaf.sign(null);
  }

  /** The same certificate with its signature value replaced, re-parsed by the JDK. */
  static X509Certificate withSignature(X509Certificate certificate, byte[] signature) {
    try {
      Certificate parsed = Certificate.getInstance(certificate.getEncoded());
      byte[] der = new DERSequence(new ASN1Encodable[] {
          parsed.getTBSCertificate(), parsed.getSignatureAlgorithm(), new DERBitString(signature)}).getEncoded();
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The certificate re-signed with RSASSA-PSS (SHA-256, MGF1-SHA-256, 32-octet salt), its algorithm identifiers
   * rewritten to match: the minter signs through the JDK's providers, which know no RSASSA-PSS name it can ask for.
   */
  static X509Certificate resignedWithPss(X509Certificate certificate, PrivateKey key) {
    try {
      AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
      AlgorithmIdentifier pss = new AlgorithmIdentifier(PKCSObjectIdentifiers.id_RSASSA_PSS, new RSASSAPSSparams(
          sha256, new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
          new ASN1Integer(32), new ASN1Integer(1)));
      ASN1Encodable[] fields = ASN1Sequence.getInstance(
          Certificate.getInstance(certificate.getEncoded()).getTBSCertificate()).toArray();
      fields[2] = pss; // after the [0] version and the serial number
      byte[] tbsDer = new DERSequence(fields).getEncoded();
      Signature signer = jcaSignature("RSASSA-PSS", "PS256");
      signer.initSign(key);
      signer.update(tbsDer);
      byte[] der = new DERSequence(new ASN1Encodable[] {
          new DERSequence(fields), pss, new DERBitString(signer.sign())}).getEncoded();
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The certificate's to-be-signed part signed afresh by the JDK with {@code jcaName}. */
  static byte[] signTbs(X509Certificate certificate, String jcaName, PrivateKey key) {
    try {
      return sign(jcaName, key, certificate.getTBSCertificate());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A JDK signature with an algorithm that needs no parameters. */
  static byte[] sign(String jcaName, PrivateKey key, byte[] message) throws GeneralSecurityException {
    Signature signer = Signature.getInstance(jcaName);
    signer.initSign(key);
    signer.update(message);
    return signer.sign();
  }

  /** The JDK's verdict for an algorithm that needs no parameters; an exception counts as "does not verify". */
  static boolean jdkVerify(String jcaName, PublicKey key, byte[] message, byte[] signature) {
    try {
      Signature verifier = Signature.getInstance(jcaName);
      verifier.initVerify(key);
      verifier.update(message);
      return verifier.verify(signature);
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  static BigInteger[] decodeDer(byte[] der) {
    ASN1Sequence sequence = ASN1Sequence.getInstance(der);
    return new BigInteger[] {
        ASN1Integer.getInstance(sequence.getObjectAt(0)).getValue(),
        ASN1Integer.getInstance(sequence.getObjectAt(1)).getValue()};
  }

  /** A TLV with a short-form length; the content is taken as given, however wrong. */
  static byte[] tlv(int tag, byte[]... contents) {
    byte[] content = concat(contents);
    return concat(new byte[] {(byte) tag, (byte) content.length}, content);
  }

  /** A TLV with a one-octet long-form length (minimal only for lengths of 128 and more). */
  static byte[] tlvLongForm(int tag, byte[]... contents) {
    byte[] content = concat(contents);
    return concat(new byte[] {(byte) tag, (byte) 0x81, (byte) content.length}, content);
  }

  /** SEQUENCE { INTEGER r, INTEGER s } in DER, with the length form DER demands. */
  static byte[] der(BigInteger r, BigInteger s) {
    byte[] content = concat(integer(r), integer(s));
    return content.length < 128 ? tlv(0x30, content) : tlvLongForm(0x30, content);
  }

  static byte[] integer(BigInteger value) {
    return tlv(0x02, value.toByteArray());
  }

  /** R||S of the curve's field length, each left-padded with zeros. */
  static byte[] concatenated(BigInteger r, BigInteger s, int fieldLength) {
    return concat(fixed(r, fieldLength), fixed(s, fieldLength));
  }

  static byte[] fixed(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    byte[] out = new byte[length];
    int copy = Math.min(bytes.length, length);
    System.arraycopy(bytes, bytes.length - copy, out, length - copy, copy);
    return out;
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  /** A public key that is nothing but its encoding, to hand the verifier SubjectPublicKeyInfos the JDK refuses. */
  static PublicKey rawKey(String algorithm, byte[] encoded) {
    return new PublicKey() {
      private static final long serialVersionUID = 1L;

      @Override
      public String getAlgorithm() {
        return algorithm;
      }

      @Override
      public String getFormat() {
        return "X.509";
      }

      @Override
      public byte[] getEncoded() {
        return encoded == null ? null : encoded.clone();
      }
    };
  }
}
