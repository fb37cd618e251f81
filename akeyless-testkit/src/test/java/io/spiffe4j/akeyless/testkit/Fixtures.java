package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Keys from a pool generated once per run, and the certificates, CSRs and signatures the tests send. */
final class Fixtures {
  private static final Map<KeyAlgorithm, List<KeyPair>> POOL = new ConcurrentHashMap<>();

  /** A fixed start, in whole seconds, that every test clock begins at; certificates are minted around it. */
  static final Instant START = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

  private Fixtures() {}

  /** One of three pooled key pairs of the type. */
  static KeyPair key(KeyAlgorithm algorithm, int index) {
    return POOL.computeIfAbsent(algorithm, a -> List.of(a.generate(), a.generate(), a.generate())).get(index);
  }

  /** A root and an intermediate CA for client certificates, valid around {@link #START}. */
  static final class ClientPki {
    final KeyPair rootKey = key(KeyAlgorithm.EC_P256, 0);
    final X509Certificate root = ca(rootKey, "CN=Client Root CA, O=Example", null, null);
    final KeyPair intermediateKey = key(KeyAlgorithm.EC_P256, 1);
    final X509Certificate intermediate =
        ca(intermediateKey, "CN=Client Intermediate CA, O=Example", root, rootKey.getPrivate());

    /** A clientAuth leaf issued by the intermediate for the key, with a tweak applied last. */
    X509Certificate leaf(KeyPair subject, Consumer<CertificateMinter> tweak) {
      CertificateMinter minter = CertificateMinter.bare(subject.getPublic())
          .subject(new X500Principal("CN=client.example.org, OU=spire, O=Example"))
          .ca(false)
          .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.DIGITAL_SIGNATURE))
          .serverAndClientAuth(true)
          .validity(START.minus(Duration.ofHours(1)), START.plus(Duration.ofDays(1)))
          .issuedBy(intermediate, intermediateKey.getPrivate());
      tweak.accept(minter);
      return minter.sign(null);
    }

    X509Certificate leaf(KeyPair subject) {
      return leaf(subject, minter -> { });
    }
  }

  /** A CA certificate for the key: self-signed when {@code issuer} is null, otherwise issued by it. */
  static X509Certificate ca(KeyPair key, String subject, X509Certificate issuer, PrivateKey issuerKey) {
    CertificateMinter minter = CertificateMinter.bare(key.getPublic())
        .subject(new X500Principal(subject))
        .ca(true)
        .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN, CertificateMinter.KeyUsage.CRL_SIGN))
        .validity(START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(365)));
    if (issuer != null) {
      minter.issuedBy(issuer, issuerKey);
    }
    return minter.sign(issuer == null ? key.getPrivate() : null);
  }

  /** A SAN extension value with any kinds of names, for {@link CertificateMinter#extension}. */
  static byte[] sans(GeneralName... names) {
    try {
      return new GeneralNames(names).getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(X509Certificate... certificates) {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      try {
        pem.append("-----BEGIN CERTIFICATE-----\n")
            .append(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(certificate.getEncoded()))
            .append("\n-----END CERTIFICATE-----\n");
      } catch (CertificateEncodingException e) {
        throw new IllegalStateException(e);
      }
    }
    return pem.toString();
  }

  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static String b64(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }

  static byte[] sign(String algorithm, PrivateKey key, byte[] data) {
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(data);
      return signer.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What Akeyless expects for the key: SHA256withRSA, or SHA256withECDSA with a DER signature. */
  static String challengeAlgorithm(PrivateKey key) {
    return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }

  /** A PKCS#10 CSR for the key with this subject and SANs, signed with SHA-256 and the key's algorithm. */
  static PKCS10CertificationRequest csr(KeyPair key, String subject, GeneralName... sans) {
    return csr(key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA", key, subject,
        sans);
  }

  /** As {@link #csr(KeyPair, String, GeneralName...)}, signed with this JCA algorithm. */
  static PKCS10CertificationRequest csr(String algorithm, KeyPair key, String subject, GeneralName... sans) {
    try {
      JcaPKCS10CertificationRequestBuilder builder =
          new JcaPKCS10CertificationRequestBuilder(new X500Principal(subject), key.getPublic());
      if (sans.length > 0) {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
      }
      JcaContentSignerBuilder signer = new JcaContentSignerBuilder(algorithm);
      if (algorithm.contains("MGF1")) {
        // The JDK names RSA-PSS differently; BouncyCastle's provider knows BouncyCastle's names.
        signer.setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider());
      }
      return builder.build(signer.build(key.getPrivate()));
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }

  static String csrPem(PKCS10CertificationRequest csr) {
    try {
      return "-----BEGIN CERTIFICATE REQUEST-----\n"
          + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(csr.getEncoded())
          + "\n-----END CERTIFICATE REQUEST-----\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
