package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.internal.Signatures;
import java.io.IOException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * What certificate authentication checks once the challenge signature is good: the chain to the auth method's trust
 * anchors, validity, CA flags, revocation, bound constraints and the unique identifier. Every failure is an
 * {@link HttpError} 401 naming the check. Thread-safe (stateless).
 */
final class CertChecks {
  private static final int UNAUTHORIZED = 401;
  private static final int MAX_DEPTH = 10;
  private static final int EMAIL = 1;
  private static final int DNS = 2;
  private static final int URI = 6;
  private static final String ANY_EXTENDED_KEY_USAGE = "2.5.29.37.0";
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  /** Basic constraints, key usage, SAN, extended key usage: the critical extensions this verifier understands. */
  private static final Set<String> HANDLED_CRITICAL = Set.of("2.5.29.19", "2.5.29.15", "2.5.29.17", "2.5.29.37");

  private CertChecks() {}

  /**
   * Checks {@code presented} (leaf first, then any intermediates) against the auth method and returns the value of
   * its unique identifier, which becomes the token's subject.
   */
  static String verify(CertAuthSettings method, List<X509Certificate> presented, Instant now, byte[] clientAddress) {
    checkClientAddress(method, clientAddress);
    X509Certificate leaf = presented.get(0);
    List<X509Certificate> chain = chain(leaf, presented.subList(1, presented.size()), method.trustAnchors());
    for (int i = 0; i < chain.size(); i++) {
      checkValidity(chain.get(i), now);
      checkCriticalExtensions(chain.get(i));
      if (i > 0) {
        checkIssuer(chain.get(i), i - 1);
      }
      if (method.revokedCertIds().contains(CertAuthSettings.certId(chain.get(i)))) {
        throw refuse(i == 0 ? "certificate is revoked" : "a certificate of the chain is revoked");
      }
    }
    checkClientAuth(leaf);
    checkBounds(method, leaf);
    return uniqueIdentifier(method, leaf);
  }

  private static void checkClientAddress(CertAuthSettings method, byte[] clientAddress) {
    if (method.boundIps().isEmpty()) {
      return;
    }
    for (Cidr cidr : method.boundIps()) {
      if (cidr.contains(clientAddress)) {
        return;
      }
    }
    throw refuse("client address is not in bound-ips");
  }

  /**
   * The path from the leaf up to a trust anchor, each link a matching name and a verifying signature. The leaf
   * itself may be an anchor. Greedy: the first issuer that verifies is taken, without backtracking.
   */
  private static List<X509Certificate> chain(X509Certificate leaf, List<X509Certificate> intermediates,
      List<X509Certificate> anchors) {
    List<X509Certificate> chain = new ArrayList<>(List.of(leaf));
    X509Certificate current = leaf;
    while (chain.size() <= MAX_DEPTH) {
      if (isAnchor(current, anchors)) {
        return chain;
      }
      X509Certificate issuer = issuerAmong(current, anchors, chain);
      if (issuer != null) {
        chain.add(issuer);
        return chain;
      }
      issuer = issuerAmong(current, intermediates, chain);
      if (issuer == null) {
        throw refuse("certificate does not chain to the auth method's CA certificate");
      }
      chain.add(issuer);
      current = issuer;
    }
    throw refuse("certificate chain is longer than " + MAX_DEPTH);
  }

  private static boolean isAnchor(X509Certificate certificate, List<X509Certificate> anchors) {
    for (X509Certificate anchor : anchors) {
      if (anchor.equals(certificate)) {
        return true;
      }
    }
    return false;
  }

  private static X509Certificate issuerAmong(X509Certificate child, List<X509Certificate> candidates,
      List<X509Certificate> used) {
    for (X509Certificate candidate : candidates) {
      if (!used.contains(candidate)
          && candidate.getSubjectX500Principal().equals(child.getIssuerX500Principal())
          && Signatures.verifyCertificate(child, candidate.getPublicKey())) {
        return candidate;
      }
    }
    return null;
  }

  private static void checkValidity(X509Certificate certificate, Instant now) {
    Date at = Date.from(now);
    if (at.before(certificate.getNotBefore())) {
      throw refuse("certificate " + CertAuthSettings.certId(certificate) + " is not yet valid");
    }
    if (at.after(certificate.getNotAfter())) {
      throw refuse("certificate " + CertAuthSettings.certId(certificate) + " has expired");
    }
  }

  private static void checkCriticalExtensions(X509Certificate certificate) {
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    if (critical != null && !HANDLED_CRITICAL.containsAll(critical)) {
      throw refuse("certificate " + CertAuthSettings.certId(certificate) + " has an unhandled critical extension");
    }
  }

  /** An issuing certificate must be a CA allowed to sign certificates, with room for the CAs below it. */
  private static void checkIssuer(X509Certificate issuer, int intermediatesBelow) {
    int pathLength = issuer.getBasicConstraints();
    if (pathLength < 0) {
      throw refuse("issuing certificate " + CertAuthSettings.certId(issuer) + " is not a CA");
    }
    if (intermediatesBelow > pathLength) {
      throw refuse("issuing certificate " + CertAuthSettings.certId(issuer) + " path length constraint exceeded");
    }
    boolean[] keyUsage = issuer.getKeyUsage();
    if (keyUsage != null && (keyUsage.length < 6 || !keyUsage[5])) {
      throw refuse("issuing certificate " + CertAuthSettings.certId(issuer) + " lacks the keyCertSign key usage");
    }
  }

  /** As Go's verifier: no extended key usage means any; otherwise clientAuth or anyExtendedKeyUsage is needed. */
  private static void checkClientAuth(X509Certificate leaf) {
    List<String> usages;
    try {
      usages = leaf.getExtendedKeyUsage();
    } catch (CertificateParsingException e) {
      throw refuse("certificate has a malformed extended key usage");
    }
    if (usages != null && !usages.contains(CLIENT_AUTH) && !usages.contains(ANY_EXTENDED_KEY_USAGE)) {
      throw refuse("certificate is not for client authentication (extended key usage lacks clientAuth)");
    }
  }

  private static void checkBounds(CertAuthSettings method, X509Certificate leaf) {
    X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
    if (!method.boundCommonNames().isEmpty()) {
      String commonName = lastCommonName(subject);
      if (commonName == null || !Glob.matchesAny(method.boundCommonNames(), commonName)) {
        throw refuse("certificate common name does not match bound-common-names");
      }
    }
    checkSans(method.boundDnsSans(), sans(leaf, DNS), "DNS", "bound-dns-sans");
    checkSans(method.boundUriSans(), sans(leaf, URI), "URI", "bound-uri-sans");
    checkSans(method.boundEmailSans(), sans(leaf, EMAIL), "email", "bound-email-sans");
    if (!method.boundOrganizationalUnits().isEmpty()
        && values(subject, BCStyle.OU).stream().noneMatch(method.boundOrganizationalUnits()::contains)) {
      throw refuse("certificate organizational units do not match bound-organizational-units");
    }
    for (String bound : method.boundExtensions()) {
      int colon = bound.indexOf(':');
      String value = extensionString(leaf, bound.substring(0, colon));
      if (value == null || !Glob.matches(bound.substring(colon + 1), value)) {
        throw refuse("certificate does not match bound extension " + bound.substring(0, colon));
      }
    }
  }

  private static void checkSans(List<String> patterns, List<String> sans, String kind, String field) {
    if (patterns.isEmpty()) {
      return;
    }
    for (String san : sans) {
      if (Glob.matchesAny(patterns, san)) {
        return;
      }
    }
    throw refuse("no " + kind + " SAN of the certificate matches " + field);
  }

  private static List<String> sans(X509Certificate leaf, int type) {
    List<String> values = new ArrayList<>();
    Collection<List<?>> names;
    try {
      names = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      throw refuse("certificate has a malformed subject alternative name extension");
    }
    if (names != null) {
      for (List<?> name : names) {
        if (((Integer) name.get(0)) == type && name.get(1) instanceof String) {
          values.add((String) name.get(1));
        }
      }
    }
    return values;
  }

  /** The DER string value of an extension, or null when absent or not an ASN.1 string. */
  private static String extensionString(X509Certificate leaf, String oid) {
    byte[] wrapped = leaf.getExtensionValue(oid);
    if (wrapped == null) {
      return null;
    }
    try {
      ASN1Primitive value = ASN1Primitive.fromByteArray(ASN1OctetString.getInstance(wrapped).getOctets());
      return value instanceof ASN1String ? ((ASN1String) value).getString() : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The last CN of the subject, as Go's {@code pkix.Name.CommonName} reads it. */
  static String lastCommonName(X500Name subject) {
    List<String> names = values(subject, BCStyle.CN);
    return names.isEmpty() ? null : names.get(names.size() - 1);
  }

  private static List<String> values(X500Name name, ASN1ObjectIdentifier type) {
    List<String> values = new ArrayList<>();
    for (RDN rdn : name.getRDNs()) {
      for (AttributeTypeAndValue attribute : rdn.getTypesAndValues()) {
        if (attribute.getType().equals(type) && attribute.getValue() instanceof ASN1String) {
          values.add(((ASN1String) attribute.getValue()).getString());
        }
      }
    }
    return values;
  }

  private static String uniqueIdentifier(CertAuthSettings method, X509Certificate leaf) {
    X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
    if (method.uniqueIdentifier() == CertAuthSettings.UniqueIdentifier.COMMON_NAME) {
      String commonName = lastCommonName(subject);
      if (commonName == null) {
        throw refuse("certificate has no common name, the auth method's unique identifier");
      }
      return commonName;
    }
    List<String> units = values(subject, BCStyle.OU);
    if (units.isEmpty()) {
      throw refuse("certificate has no organizational unit, the auth method's unique identifier");
    }
    return units.get(0);
  }

  private static HttpError refuse(String reason) {
    return new HttpError(UNAUTHORIZED, reason);
  }
}
