package io.spiffe4j.mint;

import io.spiffe4j.id.SpiffeId;
import java.math.BigInteger;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v1CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The minting primitive: builds X.509 CA and X509-SVID certificates from keys. Used by the embedded authority, the
 * test kit and the tests, so every certificate spiffe4j issues comes from here.
 *
 * <p>{@link #ca} and {@link #x509Svid} start from the SPIFFE profile (X509-SVID §4: critical basic constraints and
 * key usage, {@code keyCertSign|cRLSign} on CAs, {@code digitalSignature} and server/client EKU on leaves); every
 * knob can then be changed, on purpose, so tests can build the malformed certificates a verifier must reject.
 *
 * <p>A builder is not thread-safe; the certificates it builds are immutable.
 */
public final class CertificateMinter {
  /** X.509 key usage bits, as in RFC 5280 §4.2.1.3. */
  public enum KeyUsage {
    DIGITAL_SIGNATURE(org.bouncycastle.asn1.x509.KeyUsage.digitalSignature),
    KEY_ENCIPHERMENT(org.bouncycastle.asn1.x509.KeyUsage.keyEncipherment),
    KEY_AGREEMENT(org.bouncycastle.asn1.x509.KeyUsage.keyAgreement),
    KEY_CERT_SIGN(org.bouncycastle.asn1.x509.KeyUsage.keyCertSign),
    CRL_SIGN(org.bouncycastle.asn1.x509.KeyUsage.cRLSign);

    private final int bit;

    KeyUsage(int bit) {
      this.bit = bit;
    }
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final PublicKey subjectKey;
  private X500Principal subject = new X500Principal("O=SPIFFE");
  private final List<String> uriSans = new ArrayList<>();
  private final List<String> dnsSans = new ArrayList<>();
  private Boolean ca;
  private Integer pathLength;
  private Set<KeyUsage> keyUsage;
  private boolean keyUsageCritical = true;
  private boolean serverAndClientAuth;
  private Instant notBefore;
  private Instant notAfter;
  private BigInteger serial;
  private X509Certificate issuer;
  private PrivateKey signingKey;
  private String signatureAlgorithm;
  private boolean version1;
  private final List<RawExtension> extraExtensions = new ArrayList<>();

  private static final class RawExtension {
    final ASN1ObjectIdentifier oid;
    final boolean critical;
    final byte[] value;

    RawExtension(ASN1ObjectIdentifier oid, boolean critical, byte[] value) {
      this.oid = oid;
      this.critical = critical;
      this.value = value;
    }
  }

  private CertificateMinter(PublicKey subjectKey) {
    this.subjectKey = Objects.requireNonNull(subjectKey, "subjectKey");
  }

  /**
   * A CA certificate for the key: {@code cA=true}, {@code keyCertSign|cRLSign}, the trust domain's ID as its only URI
   * SAN (X509-07), valid for an hour from now unless changed. Self-signed unless {@link #issuedBy} is called.
   */
  public static CertificateMinter ca(PublicKey subjectKey, SpiffeId trustDomainId) {
    return new CertificateMinter(subjectKey)
        .subject(new X500Principal("O=SPIFFE, CN=" + trustDomainId.trustDomain().name()))
        .uriSans(trustDomainId.toString())
        .ca(true)
        .keyUsage(EnumSet.of(KeyUsage.KEY_CERT_SIGN, KeyUsage.CRL_SIGN));
  }

  /**
   * An X509-SVID leaf for the key: {@code cA=false}, {@code digitalSignature}, server and client auth, the ID as its
   * only URI SAN, valid for an hour from now unless changed. Must be {@linkplain #issuedBy issued by} a CA.
   */
  public static CertificateMinter x509Svid(PublicKey subjectKey, SpiffeId id) {
    return new CertificateMinter(subjectKey)
        .uriSans(id.toString())
        .ca(false)
        .keyUsage(EnumSet.of(KeyUsage.DIGITAL_SIGNATURE))
        .serverAndClientAuth(true);
  }

  /** A certificate with no extensions chosen yet: everything is up to the caller. */
  public static CertificateMinter bare(PublicKey subjectKey) {
    return new CertificateMinter(subjectKey);
  }

  public CertificateMinter subject(X500Principal subject) {
    this.subject = Objects.requireNonNull(subject, "subject");
    return this;
  }

  /** Replaces the URI SANs; none drops the extension. */
  public CertificateMinter uriSans(String... uris) {
    uriSans.clear();
    uriSans.addAll(List.of(uris));
    return this;
  }

  public CertificateMinter dnsSans(String... names) {
    dnsSans.clear();
    dnsSans.addAll(List.of(names));
    return this;
  }

  /** Sets a critical basic constraints extension with this cA flag; null drops the extension. */
  public CertificateMinter ca(Boolean ca) {
    this.ca = ca;
    return this;
  }

  /** The CA's path length constraint; null for none. */
  public CertificateMinter pathLength(Integer pathLength) {
    this.pathLength = pathLength;
    return this;
  }

  /** Sets the key usage extension; null drops it. */
  public CertificateMinter keyUsage(Set<KeyUsage> keyUsage) {
    if (keyUsage == null) {
      this.keyUsage = null;
    } else {
      this.keyUsage = EnumSet.noneOf(KeyUsage.class);
      this.keyUsage.addAll(keyUsage);
    }
    return this;
  }

  public CertificateMinter keyUsageCritical(boolean critical) {
    this.keyUsageCritical = critical;
    return this;
  }

  /** Whether to add the extended key usage extension with serverAuth and clientAuth (X509-14). */
  public CertificateMinter serverAndClientAuth(boolean include) {
    this.serverAndClientAuth = include;
    return this;
  }

  public CertificateMinter validity(Instant notBefore, Instant notAfter) {
    this.notBefore = Objects.requireNonNull(notBefore, "notBefore");
    this.notAfter = Objects.requireNonNull(notAfter, "notAfter");
    return this;
  }

  /** Valid from one minute before {@code now} (to absorb clock skew) until {@code now + ttl}. */
  public CertificateMinter validFor(Instant now, Duration ttl) {
    return validity(now.minusSeconds(60), now.plus(ttl));
  }

  public CertificateMinter serial(BigInteger serial) {
    this.serial = Objects.requireNonNull(serial, "serial");
    return this;
  }

  /** Signs with the issuer's key; the subject becomes the issuer's subject's child. */
  public CertificateMinter issuedBy(X509Certificate issuer, PrivateKey issuerKey) {
    this.issuer = Objects.requireNonNull(issuer, "issuer");
    this.signingKey = Objects.requireNonNull(issuerKey, "issuerKey");
    return this;
  }

  /**
   * Adds an extension as given: its OID, criticality and DER-encoded value (the content of the extnValue OCTET
   * STRING). For what the other knobs do not cover, such as name constraints, policy extensions or an unknown
   * critical extension. The OID must not be one this builder already adds, or {@link #sign} throws an
   * {@link IllegalArgumentException}.
   */
  public CertificateMinter extension(String oid, boolean critical, byte[] derValue) {
    Objects.requireNonNull(derValue, "derValue");
    extraExtensions.add(new RawExtension(new ASN1ObjectIdentifier(Objects.requireNonNull(oid, "oid")), critical,
        derValue.clone()));
    return this;
  }

  /** Overrides the signature algorithm (a JCA name such as {@code SHA384withECDSA}). */
  public CertificateMinter signatureAlgorithm(String jcaName) {
    this.signatureAlgorithm = Objects.requireNonNull(jcaName, "jcaName");
    return this;
  }

  /**
   * Builds an X.509 version 1 certificate, which has no extensions: every extension knob is then ignored. For tests
   * of legacy certificates, which cannot say whether they are CAs.
   */
  public CertificateMinter version1() {
    this.version1 = true;
    return this;
  }

  /**
   * Builds and signs the certificate. Self-signed certificates need {@code selfSigningKey}, the private half of the
   * subject key; pass null when {@link #issuedBy} was called.
   *
   * @throws IllegalStateException if no signing key is known, or signing fails
   */
  public X509Certificate sign(PrivateKey selfSigningKey) {
    PrivateKey key = signingKey != null ? signingKey : selfSigningKey;
    if (key == null) {
      throw new IllegalStateException("no signing key: call issuedBy(...) or pass the subject's private key");
    }
    Instant from = notBefore != null ? notBefore : Instant.now().minusSeconds(60);
    Instant to = notAfter != null ? notAfter : Instant.now().plus(Duration.ofHours(1));
    X500Principal issuerName = issuer != null ? issuer.getSubjectX500Principal() : subject;
    BigInteger serialNumber = serial != null ? serial : new BigInteger(127, RANDOM).add(BigInteger.ONE);
    try {
      String algorithm = signatureAlgorithm != null ? signatureAlgorithm : KeyAlgorithm.of(key).signatureAlgorithm();
      ContentSigner signer = new JcaContentSignerBuilder(algorithm).build(key);
      if (version1) {
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v1CertificateBuilder(
            issuerName, serialNumber, Date.from(from), Date.from(to), subject, subjectKey).build(signer));
      }
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          issuerName, serialNumber, Date.from(from), Date.from(to), subject, subjectKey);
      addExtensions(builder);
      return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
    } catch (java.io.IOException | OperatorCreationException | java.security.GeneralSecurityException e) {
      throw new IllegalStateException("cannot mint certificate: " + e.getMessage(), e);
    }
  }

  private void addExtensions(X509v3CertificateBuilder builder)
      throws CertIOException, java.security.NoSuchAlgorithmException, CertificateException {
    JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
    if (ca != null) {
      BasicConstraints constraints = ca && pathLength != null
          ? new BasicConstraints(pathLength)
          : new BasicConstraints(ca);
      builder.addExtension(Extension.basicConstraints, true, constraints);
    }
    if (keyUsage != null) {
      int bits = 0;
      for (KeyUsage usage : keyUsage) {
        bits |= usage.bit;
      }
      builder.addExtension(Extension.keyUsage, keyUsageCritical, new org.bouncycastle.asn1.x509.KeyUsage(bits));
    }
    if (serverAndClientAuth) {
      builder.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    }
    List<GeneralName> names = new ArrayList<>();
    uriSans.forEach(uri -> names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    dnsSans.forEach(dns -> names.add(new GeneralName(GeneralName.dNSName, dns)));
    if (!names.isEmpty()) {
      // Critical when the subject is empty, as RFC 5280 4.1.2.6 requires (X509-05).
      boolean critical = X500Name.getInstance(subject.getEncoded()).getRDNs().length == 0;
      builder.addExtension(Extension.subjectAlternativeName, critical,
          new GeneralNames(names.toArray(new GeneralName[0])));
    }
    builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKey));
    if (issuer != null) {
      builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuer));
    }
    for (RawExtension extension : extraExtensions) {
      builder.addExtension(extension.oid, extension.critical, extension.value);
    }
  }
}
