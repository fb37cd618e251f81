package io.spiffe4j.benchmarks;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * The X.509 side of the benchmarks' trust domain {@value #TRUST_DOMAIN}: a root CA (the bundle's one authority), an
 * intermediate CA under it with its own subject name, and X509-SVID leaves issued by either. All keys are EC P-256
 * and every certificate comes from {@link CertificateMinter} with the SPIFFE profile, valid for {@link #VALIDITY}.
 * Built in a trial's setup; not thread-safe.
 */
final class X509Pki {
  static final String TRUST_DOMAIN = "example.org";
  /** Far longer than any run, so nothing expires during a measurement. */
  static final Duration VALIDITY = Duration.ofDays(7);

  private final Instant now = Instant.now();
  private final KeyPair rootKey = KeyAlgorithm.EC_P256.generate();
  private final KeyPair intermediateKey = KeyAlgorithm.EC_P256.generate();
  private final KeyPair leafKey = KeyAlgorithm.EC_P256.generate();
  final X509Certificate root;
  final X509Certificate intermediate;

  X509Pki() {
    SpiffeId trustDomainId = SpiffeId.parse("spiffe://" + TRUST_DOMAIN);
    root = CertificateMinter.ca(rootKey.getPublic(), trustDomainId)
        .validFor(now, VALIDITY)
        .sign(rootKey.getPrivate());
    // A subject of its own: sharing the root's would send path building to a failing signature check first.
    intermediate = CertificateMinter.ca(intermediateKey.getPublic(), trustDomainId)
        .subject(new X500Principal("O=SPIFFE, CN=" + TRUST_DOMAIN + " intermediate"))
        .validFor(now, VALIDITY)
        .issuedBy(root, rootKey.getPrivate())
        .sign(null);
  }

  /** Which CA issues the leaves, and so how many signatures a chain carries above its leaf's. */
  enum Issuer {
    /** Leaf, intermediate, root: two signature checks, the intermediate presented after the leaf. */
    INTERMEDIATE,
    /** Leaf straight from the root: one signature check, the leaf presented alone. */
    ROOT
  }

  /** The issuing CA's certificate. */
  X509Certificate certificate(Issuer issuer) {
    return issuer == Issuer.INTERMEDIATE ? intermediate : root;
  }

  /**
   * DER encodings of {@code count} distinct X509-SVIDs by the issuer, for {@code spiffe://example.org/workload}:
   * the first from {@link CertificateMinter}, the others that certificate with another serial number, signed afresh.
   * The minting primitive signs through the JDK, whose P-256 signing took about 3 ms per leaf on JDK 17 here, a
   * minute of setup for thousands of leaves; BouncyCastle's lightweight signer over one prepared key takes a small
   * fraction of that.
   */
  List<byte[]> leaves(Issuer issuer, int count) {
    KeyPair issuerKey = issuer == Issuer.INTERMEDIATE ? intermediateKey : rootKey;
    X509Certificate template = CertificateMinter
        .x509Svid(leafKey.getPublic(), SpiffeId.parse("spiffe://" + TRUST_DOMAIN + "/workload"))
        .validFor(now, VALIDITY)
        .issuedBy(certificate(issuer), issuerKey.getPrivate())
        .sign(null);
    try {
      ASN1Encodable[] tbs = ASN1Sequence.getInstance(template.getTBSCertificate()).toArray();
      ASN1Encodable signatureAlgorithm = ASN1Sequence.getInstance(template.getEncoded()).getObjectAt(1);
      ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
      signer.init(true, new ECPrivateKeyParameters(((ECPrivateKey) issuerKey.getPrivate()).getS(),
          new ECDomainParameters(CustomNamedCurves.getByName("P-256"))));
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      List<byte[]> leaves = new ArrayList<>(count);
      leaves.add(template.getEncoded());
      for (int i = 1; i < count; i++) {
        // tbs[0] is the explicit version, tbs[1] the serial number.
        tbs[1] = new ASN1Integer(template.getSerialNumber().add(BigInteger.valueOf(i)));
        DERSequence resigned = new DERSequence(tbs);
        BigInteger[] rs = signer.generateSignature(sha256.digest(resigned.getEncoded(ASN1Encoding.DER)));
        leaves.add(new DERSequence(new ASN1Encodable[] {
                resigned, signatureAlgorithm, new DERBitString(FloorVerifiers.der(rs))})
            .getEncoded(ASN1Encoding.DER));
      }
      // The re-signing is ours, not the minting primitive's: prove a re-signed leaf with the JDK's own verifier.
      parse(x509Factory(), leaves.get(count - 1)).verify(certificate(issuer).getPublicKey());
      return leaves;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot mint benchmark leaves", e);
    }
  }

  static CertificateFactory x509Factory() {
    try {
      return CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The JDK's parse, as a TLS stack does it for each certificate a peer presents. */
  static X509Certificate parse(CertificateFactory factory, byte[] der) throws CertificateException {
    return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
  }
}
