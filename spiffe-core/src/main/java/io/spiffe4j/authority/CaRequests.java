package io.spiffe4j.authority;

import io.spiffe4j.authority.UpstreamAuthorityException.Kind;
import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Signatures;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Set;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.CertificationRequestInfo;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * PKCS#10 certification requests for intermediate CAs, the way SPIRE sends them to an upstream (SPIRE plugin
 * protocol §5.1): the new CA's key, a subject, and exactly one URI SAN, the trust domain's ID.
 */
final class CaRequests {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** The curves a CA key may be on: P-256, P-384 and P-521, by OID. */
  private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
      SECObjectIdentifiers.secp256r1, "P-256", SECObjectIdentifiers.secp384r1, "P-384",
      SECObjectIdentifiers.secp521r1, "P-521");
  private static final int MIN_RSA_BITS = 2048;

  private CaRequests() {}

  /** What a valid request asks for. */
  static final class CaRequest {
    final PublicKey publicKey;
    final X500Principal subject;
    final TrustDomain trustDomain;

    private CaRequest(PublicKey publicKey, X500Principal subject, TrustDomain trustDomain) {
      this.publicKey = publicKey;
      this.subject = subject;
      this.trustDomain = trustDomain;
    }
  }

  /**
   * A DER request for a CA of the trust domain, signed by its key, shaped as SPIRE's own: subject
   * {@code C=US, O=SPIFFE} with a random serialNumber (so each CA's subject is unique and path building never confuses
   * two generations), no common name, and the trust domain's ID as the one URI SAN. An upstream issuer set up for
   * SPIRE (for example an Akeyless issuer that does not require a common name) then signs ours too.
   */
  static byte[] create(KeyPair key, KeyAlgorithm algorithm, TrustDomain trustDomain) {
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, trustDomain.idString())));
      return new JcaPKCS10CertificationRequestBuilder(
          new X500Principal("C=US, O=SPIFFE, SERIALNUMBER=" + new BigInteger(63, RANDOM)), key.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder(algorithm.signatureAlgorithm()).build(key.getPrivate()))
          .getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot create a certification request: " + e.getMessage(), e);
    }
  }

  /**
   * Parses and checks a request: strict DER PKCS#10, a key that may sign certificates (RSA of 2048 bits or more, EC
   * P-256/P-384/P-521, Ed25519), a valid self-signature, and exactly one URI SAN that is a trust domain ID.
   *
   * @throws UpstreamAuthorityException of kind {@link Kind#INVALID_REQUEST} if any check fails
   */
  static CaRequest parse(byte[] der) {
    CertificationRequest request;
    try {
      request = CertificationRequest.getInstance(ASN1Primitive.fromByteArray(der));
    } catch (IOException | RuntimeException e) {
      throw invalid("the CSR is not a DER PKCS#10 certification request", e);
    }
    if (request == null) {
      throw invalid("the CSR is empty", null);
    }
    CertificationRequestInfo info = request.getCertificationRequestInfo();
    PublicKey publicKey = publicKey(info.getSubjectPublicKeyInfo());
    checkSignature(request, publicKey);
    TrustDomain trustDomain = trustDomain(uriSans(info));
    X500Principal subject;
    try {
      subject = new X500Principal(info.getSubject().getEncoded(ASN1Encoding.DER));
    } catch (IOException | RuntimeException e) {
      throw invalid("the CSR's subject is malformed", e);
    }
    return new CaRequest(publicKey, subject, trustDomain);
  }

  private static PublicKey publicKey(SubjectPublicKeyInfo info) {
    ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
    String jcaName;
    if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm)) {
      jcaName = "RSA";
    } else if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
      ASN1Encodable curve = info.getAlgorithm().getParameters();
      if (!(curve instanceof ASN1ObjectIdentifier) || !CURVES.containsKey(curve)) {
        throw invalid("the CSR's EC key is not on P-256, P-384 or P-521", null);
      }
      jcaName = "EC";
    } else if (EdECObjectIdentifiers.id_Ed25519.equals(algorithm)) {
      jcaName = "Ed25519";
    } else {
      throw invalid("the CSR's key algorithm " + algorithm.getId() + " cannot sign certificates", null);
    }
    PublicKey key;
    try {
      key = KeyFactory.getInstance(jcaName).generatePublic(new X509EncodedKeySpec(info.getEncoded(ASN1Encoding.DER)));
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw invalid("the CSR's " + jcaName + " public key is malformed", e);
    }
    if (key instanceof RSAPublicKey && ((RSAPublicKey) key).getModulus().bitLength() < MIN_RSA_BITS) {
      throw invalid("the CSR's RSA key has fewer than " + MIN_RSA_BITS + " bits", null);
    }
    return key;
  }

  private static void checkSignature(CertificationRequest request, PublicKey key) {
    AlgorithmIdentifier algorithm = request.getSignatureAlgorithm();
    boolean valid;
    try {
      ASN1Encodable parameters = algorithm.getParameters();
      valid = Signatures.verifySignedData(algorithm.getAlgorithm().getId(),
          parameters == null ? null : parameters.toASN1Primitive().getEncoded(ASN1Encoding.DER), key,
          request.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER), request.getSignature().getOctets());
    } catch (IOException | RuntimeException e) {
      valid = false;
    }
    if (!valid) {
      throw invalid("the CSR's signature does not verify with its own key (or uses a refused algorithm)", null);
    }
  }

  /** Every URI of every subjectAltName requested, in order. */
  private static List<String> uriSans(CertificationRequestInfo info) {
    List<String> uris = new ArrayList<>();
    ASN1Set attributes = info.getAttributes();
    if (attributes == null) {
      return uris;
    }
    try {
      for (ASN1Encodable element : attributes) {
        Attribute attribute = Attribute.getInstance(element);
        if (!PKCSObjectIdentifiers.pkcs_9_at_extensionRequest.equals(attribute.getAttrType())) {
          continue;
        }
        for (ASN1Encodable value : attribute.getAttrValues()) {
          Extension san = Extensions.getInstance(value).getExtension(Extension.subjectAlternativeName);
          if (san == null) {
            continue;
          }
          for (GeneralName name : GeneralNames.getInstance(san.getParsedValue()).getNames()) {
            if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
              uris.add(name.getName().toString());
            }
          }
        }
      }
    } catch (RuntimeException e) {
      throw invalid("the CSR's requested extensions are malformed", e);
    }
    return uris;
  }

  private static TrustDomain trustDomain(List<String> uris) {
    if (uris.size() != 1) {
      throw invalid("the CSR must carry exactly one URI SAN, the trust domain's ID; it has " + uris.size(), null);
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(uris.get(0));
    } catch (InvalidSpiffeIdException e) {
      throw invalid("the CSR's URI SAN is not a SPIFFE ID: " + e.getMessage(), e);
    }
    if (!id.isRootPath()) {
      throw invalid("the CSR's URI SAN " + id + " is not a trust domain ID: a CA's SPIFFE ID has no path (X509-07)",
          null);
    }
    return id.trustDomain();
  }

  private static UpstreamAuthorityException invalid(String reason, Throwable cause) {
    return new UpstreamAuthorityException(Kind.INVALID_REQUEST, reason, cause);
  }
}
