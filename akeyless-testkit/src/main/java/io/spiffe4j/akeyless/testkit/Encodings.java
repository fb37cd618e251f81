package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.internal.Pem;
import io.spiffe4j.internal.PrivateKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.crypto.util.OpenSSHPrivateKeyUtil;
import org.bouncycastle.crypto.util.PrivateKeyInfoFactory;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Decoding of what clients send (base64, PEM and DER certificates, CSRs, key files) and PEM encoding of what the
 * gateway answers. Failures are {@link IllegalArgumentException}s with messages that never echo the input.
 * Thread-safe.
 */
final class Encodings {
  private static final int MAX_CERTIFICATES = 10;
  private static final String CERTIFICATE = "CERTIFICATE";

  private Encodings() {}

  /** Standard base64 with padding; ASCII whitespace (line breaks of wrapped output) is ignored. */
  static byte[] base64(String text) {
    StringBuilder compact = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
        compact.append(c);
      }
    }
    try {
      return Base64.getDecoder().decode(compact.toString());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not valid standard base64");
    }
  }

  static String base64(byte[] data) {
    return Base64.getEncoder().encodeToString(data);
  }

  /** The certificates in PEM text (CERTIFICATE blocks only) or in DER (one or several concatenated). */
  static List<X509Certificate> certificates(byte[] data) {
    List<X509Certificate> certificates = new ArrayList<>();
    try {
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      if (Pem.looksLikePem(data)) {
        for (Pem.Block block : Pem.decode(new String(data, StandardCharsets.ISO_8859_1))) {
          if (!CERTIFICATE.equals(block.type())) {
            throw new IllegalArgumentException("holds a PEM block that is not a certificate");
          }
          certificates.add(x509(factory.generateCertificate(new ByteArrayInputStream(block.der()))));
        }
      } else {
        Collection<? extends Certificate> all = factory.generateCertificates(new ByteArrayInputStream(data));
        for (Certificate certificate : all) {
          certificates.add(x509(certificate));
        }
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw e instanceof IllegalArgumentException ? (IllegalArgumentException) e
          : new IllegalArgumentException("does not hold parseable X.509 certificates");
    }
    if (certificates.isEmpty()) {
      throw new IllegalArgumentException("holds no certificate");
    }
    if (certificates.size() > MAX_CERTIFICATES) {
      throw new IllegalArgumentException("holds more than " + MAX_CERTIFICATES + " certificates");
    }
    return certificates;
  }

  private static X509Certificate x509(Certificate certificate) {
    if (!(certificate instanceof X509Certificate)) {
      throw new IllegalArgumentException("holds a certificate that is not X.509");
    }
    return (X509Certificate) certificate;
  }

  /** The DER of a CSR given as PEM (CERTIFICATE REQUEST or NEW CERTIFICATE REQUEST) or as DER. */
  static byte[] csr(byte[] data) {
    if (!Pem.looksLikePem(data)) {
      return data;
    }
    for (Pem.Block block : Pem.decode(new String(data, StandardCharsets.ISO_8859_1))) {
      if (block.type().equals("CERTIFICATE REQUEST") || block.type().equals("NEW CERTIFICATE REQUEST")) {
        return block.der();
      }
    }
    throw new IllegalArgumentException("holds no CERTIFICATE REQUEST PEM block");
  }

  static String pem(List<X509Certificate> certificates) {
    StringBuilder pem = new StringBuilder();
    try {
      for (X509Certificate certificate : certificates) {
        pem.append(Pem.encode(CERTIFICATE, certificate.getEncoded()));
      }
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("cannot encode a certificate", e);
    }
    return pem.toString();
  }

  /**
   * An unencrypted private key: PEM PKCS#8 ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1
   * ({@code EC PRIVATE KEY}) through core's {@link PrivateKeys} (which also takes PKCS#8 DER and skips certificate
   * blocks), or OpenSSH ({@code OPENSSH PRIVATE KEY}) through BouncyCastle.
   */
  static PrivateKey privateKey(byte[] pemOrDer) {
    Pem.Block first = Pem.looksLikePem(pemOrDer) ? firstBlock(pemOrDer) : null;
    if (first != null && first.type().equals("OPENSSH PRIVATE KEY")) {
      try {
        PrivateKeyInfo info = PrivateKeyInfoFactory.createPrivateKeyInfo(
            OpenSSHPrivateKeyUtil.parsePrivateKeyBlob(first.der()));
        return new JcaPEMKeyConverter().getPrivateKey(info);
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException("is not a parseable OpenSSH private key");
      }
    }
    try {
      return PrivateKeys.parse(pemOrDer);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("is not a usable private key: " + e.getMessage());
    }
  }

  /** A public key from PEM text: a {@code PUBLIC KEY} block, or a private key whose public half is derived. */
  static PublicKey publicKey(byte[] pemText) {
    Pem.Block block = firstBlock(pemText);
    if (!block.type().equals("PUBLIC KEY")) {
      return publicKeyOf(privateKey(pemText));
    }
    try {
      return new JcaPEMKeyConverter().getPublicKey(SubjectPublicKeyInfo.getInstance(block.der()));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("is not a parseable public key");
    }
  }

  /** The public half of an RSA (CRT) or EC private key. */
  static PublicKey publicKeyOf(PrivateKey key) {
    try {
      if (key instanceof RSAPrivateCrtKey) {
        RSAPrivateCrtKey rsa = (RSAPrivateCrtKey) key;
        return KeyFactory.getInstance("RSA")
            .generatePublic(new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
      }
      if (key instanceof ECPrivateKey) {
        ECPrivateKey ec = (ECPrivateKey) key;
        ECPoint q = EC5Util.convertSpec(ec.getParams()).getG().multiply(ec.getS()).normalize();
        BigInteger x = q.getAffineXCoord().toBigInteger();
        BigInteger y = q.getAffineYCoord().toBigInteger();
        return KeyFactory.getInstance("EC")
            .generatePublic(new ECPublicKeySpec(new java.security.spec.ECPoint(x, y), ec.getParams()));
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("cannot derive the public key");
    }
    throw new IllegalArgumentException("only RSA and EC keys are supported");
  }

  private static Pem.Block firstBlock(byte[] pemText) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.decode(new String(pemText, StandardCharsets.ISO_8859_1));
    } catch (IllegalArgumentException e) {
      if (e.getMessage() != null && e.getMessage().contains("headers")) {
        throw new IllegalArgumentException("encrypted private keys are not supported");
      }
      throw new IllegalArgumentException("is not valid PEM");
    }
    if (blocks.isEmpty()) {
      throw new IllegalArgumentException("holds no PEM block");
    }
    return blocks.get(0);
  }
}
