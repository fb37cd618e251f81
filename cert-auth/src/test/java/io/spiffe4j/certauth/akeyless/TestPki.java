package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.SuiteSecrets;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.internal.Pem;
import io.spiffe4j.mint.CertificateMinter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Keys, CAs and CSRs for the tests, all minted with {@link CertificateMinter}. Keys come from a pool generated
 * once per run; each private key is registered with {@link SuiteSecrets}, so the secret scan looks for it.
 */
final class TestPki {
  private static final List<KeyPair> EC_KEYS = new ArrayList<>();
  private static final List<KeyPair> RSA_KEYS = new ArrayList<>();

  static final KeyPair ROOT_KEY = ecKey(0);
  static final X509Certificate ROOT = CertificateMinter.ca(ROOT_KEY.getPublic(), SpiffeId.parse("spiffe://root.test"))
      .subject(new X500Principal("CN=Akeyless Test Root")).sign(ROOT_KEY.getPrivate());
  static final KeyPair INTERMEDIATE_KEY = ecKey(1);
  static final X509Certificate INTERMEDIATE = CertificateMinter.ca(INTERMEDIATE_KEY.getPublic(),
          SpiffeId.parse("spiffe://root.test"))
      .subject(new X500Principal("CN=Akeyless Test Intermediate"))
      .issuedBy(ROOT, ROOT_KEY.getPrivate()).sign(null);

  private TestPki() {}

  /** The {@code n}th pooled P-256 key. */
  static synchronized KeyPair ecKey(int n) {
    try {
      while (EC_KEYS.size() <= n) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        SuiteSecrets.privateKey("TestPki EC key", key.getPrivate());
        EC_KEYS.add(key);
      }
      return EC_KEYS.get(n);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static KeyPair rsaKey() {
    return rsaKey(0);
  }

  /** The {@code n}th pooled RSA-2048 key. */
  static synchronized KeyPair rsaKey(int n) {
    try {
      while (RSA_KEYS.size() <= n) {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair key = generator.generateKeyPair();
        SuiteSecrets.privateKey("TestPki RSA key", key.getPrivate());
        RSA_KEYS.add(key);
      }
      return RSA_KEYS.get(n);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client certificate for the key, issued by the test root. */
  static X509Certificate clientCertificate(KeyPair key, String commonName) {
    return CertificateMinter.bare(key.getPublic())
        .subject(new X500Principal("CN=" + commonName))
        .ca(false)
        .issuedBy(ROOT, ROOT_KEY.getPrivate())
        .sign(null);
  }

  /** SHA-256 with the key's algorithm; ECDSA signatures in DER, as Akeyless verifies them. */
  static byte[] sign(KeyPair key, byte[] data) {
    try {
      Signature signature = Signature.getInstance(algorithm(key.getPublic()));
      signature.initSign(key.getPrivate());
      signature.update(data);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  static boolean verify(PublicKey key, byte[] data, byte[] signatureBytes) {
    try {
      Signature signature = Signature.getInstance(algorithm(key));
      signature.initVerify(key);
      signature.update(data);
      return signature.verify(signatureBytes);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static String algorithm(PublicKey key) {
    return key.getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
  }

  /** A DER PKCS#10 CSR for the key. */
  static byte[] csr(KeyPair key, String commonName) {
    try {
      return new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + commonName), key.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
          .getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A DER CSR for a CA key, as SPIRE sends one: subject {@code O=SPIFFE}, the trust domain as the only URI SAN. */
  static byte[] caCsr(KeyPair key, String trustDomainUri) {
    try {
      ExtensionsGenerator extensions = new ExtensionsGenerator();
      extensions.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, trustDomainUri)));
      return new JcaPKCS10CertificationRequestBuilder(new X500Principal("O=SPIFFE"), key.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate()))
          .getEncoded();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String pem(X509Certificate... certificates) {
    StringBuilder pem = new StringBuilder();
    for (X509Certificate certificate : certificates) {
      pem.append(Pem.encode("CERTIFICATE", Certificates.encoded(certificate)));
    }
    return pem.toString();
  }

  /** A client certificate and its in-process key, checked by {@link ClientCertificate}. */
  static ClientCertificate clientCertificate(KeyPair key, X509Certificate... chain) {
    return ClientCertificate.of(List.of(chain), key.getPrivate());
  }

  /** Signs the CSR in a {@code csr-data-base64} value (base64 of PEM) with the intermediate, as an issuer would. */
  static X509Certificate issueFromCsrField(String csrDataBase64, Duration ttl) {
    String pem = new String(Base64.getDecoder().decode(csrDataBase64), java.nio.charset.StandardCharsets.US_ASCII);
    List<Pem.Block> blocks = Pem.decode(pem);
    if (blocks.size() != 1 || !blocks.get(0).type().equals("CERTIFICATE REQUEST")) {
      throw new IllegalArgumentException("csr-data-base64 is not base64 of one PEM CERTIFICATE REQUEST");
    }
    try {
      PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequest(blocks.get(0).der());
      PublicKey key = new JcaPKCS10CertificationRequest(csr).getPublicKey();
      return CertificateMinter.bare(key)
          .subject(new X500Principal(csr.getSubject().getEncoded()))
          .ca(false)
          .validFor(Instant.now(), ttl)
          .issuedBy(INTERMEDIATE, INTERMEDIATE_KEY.getPrivate())
          .sign(null);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TLS server context presenting a certificate for {@code localhost} issued by a fresh root. */
  static final class Server {
    final X509Certificate root;
    final SSLContext context;

    Server(int keyIndex) {
      KeyPair caKey = ecKey(keyIndex);
      KeyPair serverKey = ecKey(keyIndex + 1);
      root = CertificateMinter.ca(caKey.getPublic(), SpiffeId.parse("spiffe://gateway.test"))
          .subject(new X500Principal("CN=Gateway CA " + keyIndex)).sign(caKey.getPrivate());
      X509Certificate leaf = CertificateMinter.bare(serverKey.getPublic())
          .subject(new X500Principal("CN=localhost"))
          .dnsSans("localhost")
          .ca(false)
          .serverAndClientAuth(true)
          .issuedBy(root, caKey.getPrivate())
          .sign(null);
      try {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", serverKey.getPrivate(), new char[0], new X509Certificate[] {leaf, root});
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, new char[0]);
        context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
