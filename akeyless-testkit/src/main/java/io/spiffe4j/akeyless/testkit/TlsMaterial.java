package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;

/**
 * The gateway's HTTPS identity: a CA generated per gateway and a server certificate for {@code localhost},
 * {@code 127.0.0.1} and {@code ::1} it signs. Immutable and thread-safe.
 */
final class TlsMaterial {
  private static final char[] NO_PASSWORD = new char[0];

  private final X509Certificate caCertificate;
  private final SSLContext serverContext;

  private TlsMaterial(X509Certificate caCertificate, SSLContext serverContext) {
    this.caCertificate = caCertificate;
    this.serverContext = serverContext;
  }

  /**
   * Generates the CA and server certificate. Their validity follows the system clock, not the gateway's injected
   * one: JSSE checks it against the system clock, so a test moving its clock must not break the handshake.
   */
  static TlsMaterial generate() {
    Instant now = Instant.now();
    KeyPair caKey = KeyAlgorithm.EC_P256.generate();
    X509Certificate ca = CertificateMinter.bare(caKey.getPublic())
        .subject(new X500Principal("CN=spiffe4j Akeyless testkit gateway TLS CA"))
        .ca(true)
        .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN, CertificateMinter.KeyUsage.CRL_SIGN))
        .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)))
        .sign(caKey.getPrivate());
    KeyPair serverKey = KeyAlgorithm.EC_P256.generate();
    try {
      GeneralNames names = new GeneralNames(new GeneralName[] {
          new GeneralName(GeneralName.dNSName, "localhost"),
          new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
          new GeneralName(GeneralName.iPAddress, "::1")});
      X509Certificate server = CertificateMinter.bare(serverKey.getPublic())
          .subject(new X500Principal("CN=localhost"))
          .ca(false)
          .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.DIGITAL_SIGNATURE))
          .serverAndClientAuth(true)
          .extension(Extension.subjectAlternativeName.getId(), false, names.getEncoded(ASN1Encoding.DER))
          .validity(now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)))
          .issuedBy(ca, caKey.getPrivate())
          .sign(null);
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry("gateway", serverKey.getPrivate(), NO_PASSWORD, new X509Certificate[] {server, ca});
      KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, NO_PASSWORD);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keyManagers.getKeyManagers(), null, null);
      return new TlsMaterial(ca, context);
    } catch (GeneralSecurityException | IOException e) {
      throw new AkeylessGatewayException("cannot set up the gateway's TLS identity", e);
    }
  }

  X509Certificate caCertificate() {
    return caCertificate;
  }

  SSLContext serverContext() {
    return serverContext;
  }

  /** A client context trusting only this gateway's CA. */
  SSLContext clientContext() {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("gateway-ca", caCertificate);
      TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustManagers.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, trustManagers.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new AkeylessGatewayException("cannot build a client TLS context", e);
    }
  }
}
