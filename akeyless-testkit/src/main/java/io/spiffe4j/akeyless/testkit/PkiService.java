package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.internal.Signatures;
import io.spiffe4j.mint.CertificateMinter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * PKI issuers and {@code /get-pki-certificate}: the CA each issuer signs with, and the checks a request must pass
 * before the CA signs it. Thread-safe: issuers are immutable and kept in a concurrent map.
 */
final class PkiService {
  private static final Duration ROOT_LIFETIME = Duration.ofDays(3650);
  private static final Duration INTERMEDIATE_LIFETIME = Duration.ofDays(1825);
  /** What is to be certified: the key, the subject and the SANs, from a CSR or from the request's fields. */
  private static final class Subject {
    final PublicKey key;
    final X500Principal name;
    final String commonName;
    final List<GeneralName> sans;

    Subject(PublicKey key, X500Name name, List<GeneralName> sans) {
      this.key = key;
      this.commonName = CertChecks.lastCommonName(name);
      try {
        this.name = new X500Principal(name.getEncoded(ASN1Encoding.DER));
      } catch (IOException e) {
        throw new IllegalArgumentException("subject cannot be encoded");
      }
      this.sans = sans;
    }
  }

  private final Clock clock;
  private final Map<PkiFailure, Integer> statuses;
  private final Map<String, PkiIssuer> issuers = new ConcurrentHashMap<>();

  PkiService(Clock clock, Map<PkiFailure, Integer> statuses) {
    this.clock = clock;
    this.statuses = new EnumMap<>(statuses);
  }

  int status(PkiFailure failure) {
    return statuses.get(failure);
  }

  Optional<PkiIssuer> find(String name) {
    return Optional.ofNullable(issuers.get(name.startsWith("/") ? name.substring(1) : name));
  }

  PkiIssuer create(PkiIssuerSettings settings) {
    if (issuers.containsKey(settings.name())) {
      throw nameTaken(settings.name());
    }
    PkiIssuer issuer = newIssuer(settings);
    if (issuers.putIfAbsent(settings.name(), issuer) != null) {
      throw nameTaken(settings.name());
    }
    return issuer;
  }

  private static AkeylessGatewayException nameTaken(String name) {
    return new AkeylessGatewayException("a PKI issuer named \"" + name + "\" already exists");
  }

  private PkiIssuer newIssuer(PkiIssuerSettings settings) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    switch (settings.caSource()) {
      case GIVEN:
        requireKeyOf(settings.givenCertificate(), settings.givenKey(), "CA");
        List<X509Certificate> chain = new ArrayList<>(List.of(settings.givenCertificate()));
        chain.addAll(settings.givenParents());
        return new PkiIssuer(settings, settings.givenKey(), chain);
      case INTERMEDIATE:
        X509Certificate root = settings.givenCertificate();
        requireKeyOf(root, settings.givenKey(), "root");
        KeyPair intermediateKey = settings.keyAlgorithm().generate();
        Instant notAfter = now.plus(INTERMEDIATE_LIFETIME);
        if (notAfter.isAfter(root.getNotAfter().toInstant())) {
          notAfter = root.getNotAfter().toInstant();
        }
        X509Certificate intermediate = caMinter(intermediateKey.getPublic(), settings.name() + " Intermediate CA")
            .validity(now.minus(Duration.ofHours(1)), notAfter)
            .issuedBy(root, settings.givenKey())
            .sign(null);
        return new PkiIssuer(settings, intermediateKey.getPrivate(), List.of(intermediate, root));
      default:
        KeyPair rootKey = settings.keyAlgorithm().generate();
        X509Certificate selfSigned = caMinter(rootKey.getPublic(), settings.name() + " Root CA")
            .validity(now.minus(Duration.ofHours(1)), now.plus(ROOT_LIFETIME))
            .sign(rootKey.getPrivate());
        return new PkiIssuer(settings, rootKey.getPrivate(), List.of(selfSigned));
    }
  }

  private static void requireKeyOf(X509Certificate certificate, PrivateKey key, String what) {
    if (!KeyChecks.belongTogether(key, certificate.getPublicKey())) {
      throw new AkeylessGatewayException("the " + what + " key does not belong to the " + what + " certificate");
    }
  }

  private static CertificateMinter caMinter(PublicKey key, String commonName) {
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, "spiffe4j Akeyless testkit").addRDN(BCStyle.CN, commonName).build();
    try {
      return CertificateMinter.bare(key)
          .subject(new X500Principal(name.getEncoded(ASN1Encoding.DER)))
          .ca(true)
          .keyUsage(EnumSet.of(CertificateMinter.KeyUsage.KEY_CERT_SIGN, CertificateMinter.KeyUsage.CRL_SIGN));
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode a CA name", e);
    }
  }

  /** {@code /get-pki-certificate}. */
  Map<String, Object> issue(RequestBody body, AuthService auth) {
    if (!auth.isValidToken(body.text("token"))) {
      throw fail(PkiFailure.BAD_TOKEN, "token is missing, unknown or expired");
    }
    String name = body.text("cert-issuer-name");
    if (name == null || name.isEmpty()) {
      throw fail(PkiFailure.BAD_REQUEST, "cert-issuer-name is required");
    }
    PkiIssuer issuer = find(name).orElseThrow(() -> fail(PkiFailure.UNKNOWN_ISSUER, "no such PKI issuer"));
    PkiIssuerSettings policy = issuer.settings();
    Subject subject = subject(body);
    checkNames(policy, subject);
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(ttl(body, policy));
    if (notAfter.isAfter(issuer.certificate().getNotAfter().toInstant())) {
      throw fail(PkiFailure.POLICY_VIOLATION, "the certificate would outlive the issuer's CA certificate");
    }
    X509Certificate issued = mint(issuer, subject, pathLength(body, policy), extendedKeyUsages(body, policy))
        .validity(now, notAfter)
        .sign(null);
    return answer(issuer, issued);
  }

  private Subject subject(RequestBody body) {
    String csr = body.text("csr-data-base64");
    if (csr != null && !csr.isEmpty()) {
      return csrSubject(decode(csr, "csr-data-base64"));
    }
    String keyData = body.text("key-data-base64");
    if (keyData == null || keyData.isEmpty()) {
      throw fail(PkiFailure.BAD_REQUEST, "csr-data-base64 or key-data-base64 is required");
    }
    PublicKey key;
    try {
      key = Encodings.publicKey(decode(keyData, "key-data-base64"));
    } catch (IllegalArgumentException e) {
      throw fail(PkiFailure.BAD_REQUEST, "key-data-base64 " + e.getMessage());
    }
    X500NameBuilder name = new X500NameBuilder(BCStyle.INSTANCE);
    String commonName = body.text("common-name");
    if (commonName != null && !commonName.isEmpty()) {
      name.addRDN(BCStyle.CN, commonName);
    }
    List<GeneralName> sans = new ArrayList<>();
    for (String altName : body.list("alt-names")) {
      sans.add(altName(altName));
    }
    for (String uri : body.list("uri-sans")) {
      sans.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    }
    return new Subject(key, name.build(), sans);
  }

  private static GeneralName altName(String altName) {
    if (altName.indexOf('@') >= 0) {
      return new GeneralName(GeneralName.rfc822Name, altName);
    }
    try {
      Cidr.literal(altName);
      return new GeneralName(GeneralName.iPAddress, altName);
    } catch (IllegalArgumentException notAnAddress) {
      return new GeneralName(GeneralName.dNSName, altName);
    }
  }

  private byte[] decode(String base64, String field) {
    try {
      return Encodings.base64(base64);
    } catch (IllegalArgumentException e) {
      throw fail(PkiFailure.BAD_REQUEST, field + " is not valid base64");
    }
  }

  /** The CSR's key, subject and SANs, once its own signature verifies. Other requested extensions are ignored. */
  private Subject csrSubject(byte[] data) {
    PKCS10CertificationRequest csr;
    PublicKey key;
    byte[] signedPart;
    byte[] algorithmParameters;
    try {
      csr = new PKCS10CertificationRequest(Encodings.csr(data));
      key = new JcaPEMKeyConverter().getPublicKey(csr.getSubjectPublicKeyInfo());
      signedPart = csr.toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER);
      ASN1Encodable parameters = csr.getSignatureAlgorithm().getParameters();
      algorithmParameters = parameters == null ? null : parameters.toASN1Primitive().getEncoded(ASN1Encoding.DER);
    } catch (IOException | RuntimeException e) {
      throw fail(PkiFailure.BAD_REQUEST, "csr-data-base64 does not hold a parseable CSR");
    }
    // The allowed algorithms are core's, as for certificates: SHA-2 with RSA, RSA-PSS or ECDSA (DER), and Ed25519.
    if (!Signatures.verifySignedData(csr.getSignatureAlgorithm().getAlgorithm().getId(), algorithmParameters, key,
        signedPart, csr.getSignature())) {
      throw fail(PkiFailure.BAD_REQUEST, "CSR signature does not verify");
    }
    List<GeneralName> sans = new ArrayList<>();
    try {
      for (Attribute attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
        Extensions extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
        GeneralNames names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
        if (names != null) {
          sans.addAll(List.of(names.getNames()));
        }
      }
      return new Subject(key, csr.getSubject(), sans);
    } catch (RuntimeException e) {
      throw fail(PkiFailure.BAD_REQUEST, "CSR extension request is malformed");
    }
  }

  private void checkNames(PkiIssuerSettings policy, Subject subject) {
    if (subject.commonName == null) {
      if (!policy.notRequireCn()) {
        throw fail(PkiFailure.POLICY_VIOLATION, "a common name is required (the issuer does not set not-require-cn)");
      }
    } else if (!nameAllowed(policy, domainOf(subject.commonName))) {
      throw fail(PkiFailure.POLICY_VIOLATION, "common name is not allowed by the issuer");
    }
    for (GeneralName san : subject.sans) {
      String value = san.getTagNo() == GeneralName.iPAddress ? null : san.getName().toString();
      switch (san.getTagNo()) {
        case GeneralName.dNSName:
        case GeneralName.rfc822Name:
          if (!nameAllowed(policy, domainOf(value))) {
            throw fail(PkiFailure.POLICY_VIOLATION, "DNS or email SAN is not allowed by the issuer");
          }
          break;
        case GeneralName.uniformResourceIdentifier:
          if (!Glob.matchesAny(policy.allowedUriSans(), value)) {
            throw fail(PkiFailure.POLICY_VIOLATION, "URI SAN " + value + " is not allowed by the issuer");
          }
          break;
        case GeneralName.iPAddress:
          byte[] address = ASN1OctetString.getInstance(san.getName()).getOctets();
          if (policy.allowedIpSans().stream().noneMatch(cidr -> cidr.contains(address))) {
            throw fail(PkiFailure.POLICY_VIOLATION, "IP SAN is not allowed by the issuer");
          }
          break;
        default:
          throw fail(PkiFailure.POLICY_VIOLATION, "only DNS, email, URI and IP SANs can be requested");
      }
    }
  }

  private static String domainOf(String name) {
    int at = name.lastIndexOf('@');
    return at >= 0 ? name.substring(at + 1) : name;
  }

  private static boolean nameAllowed(PkiIssuerSettings policy, String name) {
    if (policy.allowAnyName()) {
      return true;
    }
    String lower = name.toLowerCase(Locale.ROOT);
    for (String domain : policy.allowedDomains()) {
      String allowed = domain.toLowerCase(Locale.ROOT);
      if (lower.equals(allowed) || (allowed.indexOf('*') >= 0 && Glob.matches(allowed, lower))
          || (policy.allowSubdomains() && lower.endsWith("." + allowed))) {
        return true;
      }
    }
    return false;
  }

  /** The requested {@code ttl} (the issuer's when absent); longer than the issuer's is refused, not shortened. */
  private Duration ttl(RequestBody body, PkiIssuerSettings policy) {
    Duration requested = body.ttl("ttl");
    if (requested == null) {
      return policy.ttl();
    }
    if (requested.compareTo(policy.ttl()) > 0) {
      throw fail(PkiFailure.POLICY_VIOLATION, "requested ttl exceeds the issuer's ttl of "
          + policy.ttl().getSeconds() + " seconds");
    }
    return requested;
  }

  /** The path length of an issued CA: the issuer's, or a smaller one the request asks for. */
  private Integer pathLength(RequestBody body, PkiIssuerSettings policy) {
    Long requested = body.integer("max-path-len");
    int pathLength = policy.maxPathLen();
    if (requested != null && requested >= 0) {
      if (pathLength >= 0 && requested > pathLength) {
        throw fail(PkiFailure.POLICY_VIOLATION, "requested max-path-len exceeds the issuer's");
      }
      pathLength = (int) Math.min(requested, Integer.MAX_VALUE);
    }
    return policy.ca() && pathLength >= 0 ? pathLength : null;
  }

  /** Extended key usages to set, and whether the extension is critical. */
  private static final class ExtendedKeyUsages {
    final Set<KeyPurposeId> purposes = new LinkedHashSet<>();
    boolean critical;
  }

  /** The issuer's flags plus the request's {@code extended-key-usage}; the word {@code critical} marks it critical. */
  private ExtendedKeyUsages extendedKeyUsages(RequestBody body, PkiIssuerSettings policy) {
    ExtendedKeyUsages usages = new ExtendedKeyUsages();
    if (policy.serverFlag()) {
      usages.purposes.add(KeyPurposeId.id_kp_serverAuth);
    }
    if (policy.clientFlag()) {
      usages.purposes.add(KeyPurposeId.id_kp_clientAuth);
    }
    if (policy.codeSigningFlag()) {
      usages.purposes.add(KeyPurposeId.id_kp_codeSigning);
    }
    for (String usage : body.list("extended-key-usage")) {
      switch (usage.toLowerCase(Locale.ROOT)) {
        case "serverauth":
          usages.purposes.add(KeyPurposeId.id_kp_serverAuth);
          break;
        case "clientauth":
          usages.purposes.add(KeyPurposeId.id_kp_clientAuth);
          break;
        case "codesigning":
          usages.purposes.add(KeyPurposeId.id_kp_codeSigning);
          break;
        case "critical":
          usages.critical = true;
          break;
        default:
          throw fail(PkiFailure.BAD_REQUEST, "extended-key-usage must list clientauth, serverauth, codesigning");
      }
    }
    return usages;
  }

  private static CertificateMinter mint(PkiIssuer issuer, Subject subject, Integer pathLength,
      ExtendedKeyUsages ekus) {
    PkiIssuerSettings policy = issuer.settings();
    CertificateMinter minter = CertificateMinter.bare(subject.key)
        .subject(subject.name)
        .ca(policy.ca())
        .pathLength(pathLength)
        .keyUsage(null)
        .issuedBy(issuer.certificate(), issuer.signingKey());
    try {
      if (policy.keyUsageBits() != 0) {
        minter.extension(Extension.keyUsage.getId(), policy.criticalKeyUsage(),
            new KeyUsage(policy.keyUsageBits()).getEncoded(ASN1Encoding.DER));
      }
      if (!subject.sans.isEmpty()) {
        // RFC 5280 4.2.1.6: the SAN extension is critical when the subject is empty.
        boolean critical = X500Name.getInstance(subject.name.getEncoded()).getRDNs().length == 0;
        minter.extension(Extension.subjectAlternativeName.getId(), critical,
            new GeneralNames(subject.sans.toArray(new GeneralName[0])).getEncoded(ASN1Encoding.DER));
      }
      if (!ekus.purposes.isEmpty()) {
        minter.extension(Extension.extendedKeyUsage.getId(), ekus.critical,
            new ExtendedKeyUsage(ekus.purposes.toArray(new KeyPurposeId[0])).getEncoded(ASN1Encoding.DER));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot encode an extension", e);
    }
    return minter;
  }

  private static Map<String, Object> answer(PkiIssuer issuer, X509Certificate issued) {
    String leaf = Encodings.pem(List.of(issued));
    String parents = issuer.chainPem();
    Map<String, Object> answer = new LinkedHashMap<>();
    switch (issuer.settings().answerShape()) {
      case CHAIN_IN_DATA:
        answer.put("data", leaf + parents);
        break;
      case CHAIN_IN_DATA_AND_PARENT:
        answer.put("data", leaf + parents);
        answer.put("parent_cert", parents);
        break;
      case BASE64_PEM:
        answer.put("data", Encodings.base64(leaf.getBytes(StandardCharsets.US_ASCII)));
        answer.put("parent_cert", Encodings.base64(parents.getBytes(StandardCharsets.US_ASCII)));
        break;
      default:
        answer.put("data", leaf);
        answer.put("parent_cert", parents);
    }
    answer.put("cert_display_id", CertAuthSettings.certId(issued));
    return answer;
  }

  private HttpError fail(PkiFailure failure, String reason) {
    return new HttpError(statuses.get(failure), reason);
  }
}
