package io.spiffe4j.svid.x509;

import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Signatures;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * RFC 5280 §6.1 path validation of a presented chain against the authorities of one trust domain (X509-16): builds a
 * path from the leaf through the presented certificates (a pool, in any order, extras allowed) to an authority, and
 * validates it. One instance serves one verification; not thread-safe.
 *
 * <p>What is checked:
 *
 * <ul>
 *   <li>Every certificate in the path, the authority included: valid at the instant (bounds inclusive), and no
 *       critical extension outside basicConstraints, keyUsage, extKeyUsage, subjectAltName, nameConstraints and the
 *       four policy extensions (the set the JDK's PKIX validator handles).
 *   <li>Each certificate's issuer name equals the next certificate's subject, and its signature verifies with the
 *       next certificate's key, always through {@link Signatures}. PKIX's refusal of an empty issuer needs no code:
 *       neither the JDK's nor BouncyCastle's parser builds such a certificate.
 *   <li>Signature algorithms: the leaf and every intermediate must be signed with an algorithm
 *       {@link Signatures#allowsCertificateAlgorithm} allows (no MD5, SHA-1, DSA, ...). This is checked before any
 *       signature, so the failure names the algorithm. An authority's own signature is never checked (the bundle is
 *       the input of trust), and neither is its algorithm.
 *   <li>Issuers, intermediates and authorities alike: basicConstraints cA=true (X509-06/09, RFC 5280 §4.2.1.9), and
 *       keyCertSign when keyUsage is present (§6.1.4(n), X509-12): a bundle holds signing certificates (X509-16),
 *       so an authority that is not one cannot vouch for anything, whatever its signature says. pathLenConstraint
 *       per §6.1.4(l)(m), self-issued certificates not counted. The authority's own pathLenConstraint and name
 *       constraints bind too.
 *   <li>Name constraints of the URI and DNS forms are enforced ({@link NameConstraintsChecker}, X509-10); any other
 *       form fails the chain, saying so.
 *   <li>certificatePolicies and inhibitAnyPolicy are accepted and ignored, which is PKIX's verdict whenever no
 *       explicit policy is required; policyMappings and policyConstraints, which can make PKIX fail, fail the chain.
 *   <li>Extended key usage is not checked: go-spiffe verifies with ExtKeyUsageAny and PKIX ignores it.
 * </ul>
 *
 * <p>Where verdicts differ from the JDK's PKIX validator (checked by the differential test), all on the strict
 * side: the authority's validity, CA capability (cA=true, keyCertSign), pathLenConstraint, name constraints and
 * critical extensions count (PKIX takes a trust anchor as given; go-spiffe checks them); policyMappings and
 * policyConstraints are refused; self-issued means identically encoded names; v1/v2 intermediates are refused (the
 * JDK accepts a self-issued one under the anchor). Also: a subject CN is never taken for a DNS name under DNS
 * constraints (the JDK does; RFC 5280 and Go do not), and the child's authority key identifier only orders candidates
 * (the JDK's anchor selection requires it to match). Outside that comparison: SHA-1 signatures are refused, which
 * the JDK's {@code jdk.certpath.disabledAlgorithms} does only in chains to the JDK's own root CAs.
 *
 * <p>Where verdicts differ from go-spiffe (Go's {@code x509.Verify} with ExtKeyUsageAny; Go too requires issuers to
 * be CAs with keyCertSign when they have key usage, and refuses the same signature algorithms): self-issued
 * intermediates are exempt from path length (Go counts them); a URI constraint without a leading period matches
 * that host only (Go also matches subdomains); names that are equal as X.500 names but encoded differently still
 * chain (Go compares bytes); a leaf that is itself in the bundle is trusted only if it verifies as self-signed (Go
 * trusts it outright); a v1 authority, which cannot say cA=true, is refused (Go accepts v1 roots).
 *
 * <p>Path building is a depth-first search that tries authorities before intermediates (the shortest path first) and
 * prefers candidates whose subject key identifier matches the child's authority key identifier. It is bounded: at
 * most {@value #MAX_SIGNATURE_CHECKS} signature checks, and no certificate twice in a path. Cheap checks on a
 * candidate run before its signature is checked. When no path validates, the first failure found is reported; with
 * the presented order tried first, that is the failure on the chain as presented.
 */
final class PathValidator {
  static final int MAX_SIGNATURE_CHECKS = 32;
  private static final String RULE = "X509-16";
  static final String LEAF = "leaf";
  static final String INTERMEDIATE = "intermediate";
  static final String AUTHORITY = "authority";
  private static final String NAME_CONSTRAINTS = "2.5.29.30";
  private static final String POLICY_MAPPINGS = "2.5.29.33";
  private static final String POLICY_CONSTRAINTS = "2.5.29.36";
  private static final String AUTHORITY_KEY_ID = "2.5.29.35";
  private static final String SUBJECT_KEY_ID = "2.5.29.14";
  private static final Set<String> HANDLED_CRITICAL_EXTENSIONS = Set.of(
      "2.5.29.15", // keyUsage
      "2.5.29.19", // basicConstraints
      "2.5.29.37", // extKeyUsage
      "2.5.29.17", // subjectAltName
      NAME_CONSTRAINTS,
      "2.5.29.32", // certificatePolicies
      "2.5.29.54", // inhibitAnyPolicy
      POLICY_MAPPINGS,
      POLICY_CONSTRAINTS);

  private final X509Certificate leaf;
  private final List<X509Certificate> intermediates;
  private final List<X509Certificate> authorities;
  private final Instant at;
  private final TrustDomain trustDomain;
  private final Map<X509Certificate, X509SvidException> authorityVerdicts = new IdentityHashMap<>();
  private final Map<X509Certificate, X509SvidException> intermediateVerdicts = new IdentityHashMap<>();
  private int signatureChecks;
  private X509SvidException firstFailure;

  private PathValidator(X509Certificate[] chain, List<X509Certificate> authorities, Instant at,
      TrustDomain trustDomain) {
    this.leaf = chain[0];
    this.intermediates = distinctIntermediates(chain);
    this.authorities = authorities;
    this.at = at;
    this.trustDomain = trustDomain;
  }

  /**
   * The validated path: the leaf, the intermediates used, and the authority, in that order.
   *
   * @throws X509SvidException (X509-16) naming the reason when no path validates
   */
  static List<X509Certificate> validate(X509Certificate[] chain, List<X509Certificate> authorities, Instant at,
      TrustDomain trustDomain) {
    return new PathValidator(chain, authorities, at, trustDomain).validate();
  }

  private List<X509Certificate> validate() {
    X509SvidException leafFailure = validity(leaf, LEAF);
    if (leafFailure == null) {
      leafFailure = extensions(leaf, LEAF, true);
    }
    if (leafFailure == null) {
      leafFailure = signatureAlgorithm(leaf, LEAF);
    }
    if (leafFailure != null) {
      throw leafFailure;
    }
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    List<X509Certificate> validated = extend(path);
    if (validated == null) {
      throw firstFailure;
    }
    return validated;
  }

  /**
   * Extends a partial path (leaf first) to a validated one, or answers null having recorded why not. Issuer names are
   * first matched byte for byte, which is how CAs encode them and cheap; only if that finds no valid path are names
   * compared as X.500 names (RFC 5280 §7.1, as PKIX does), which costs a canonicalisation per name.
   */
  private List<X509Certificate> extend(List<X509Certificate> path) {
    X509Certificate child = path.get(path.size() - 1);
    String childRole = path.size() == 1 ? LEAF : INTERMEDIATE;
    X500Principal issuer = child.getIssuerX500Principal();
    byte[] issuerEncoding = issuer.getEncoded();
    boolean anyNamed = false;
    for (boolean exact : new boolean[] {true, false}) {
      List<X509Certificate> named = candidates(authorities, issuer, issuerEncoding, exact, child, path);
      anyNamed |= !named.isEmpty();
      for (X509Certificate authority : named) {
        if (usable(authority, AUTHORITY) && signedBy(child, childRole, authority, AUTHORITY)) {
          List<X509Certificate> complete = append(path, authority);
          X509SvidException failure = pathConstraints(complete);
          if (failure == null) {
            return complete;
          }
          fail(failure);
        }
        if (signatureChecks > MAX_SIGNATURE_CHECKS) {
          return null;
        }
      }
      named = candidates(intermediates, issuer, issuerEncoding, exact, child, path);
      anyNamed |= !named.isEmpty();
      for (X509Certificate intermediate : named) {
        if (usable(intermediate, INTERMEDIATE) && signedBy(child, childRole, intermediate, INTERMEDIATE)) {
          List<X509Certificate> complete = extend(append(path, intermediate));
          if (complete != null) {
            return complete;
          }
        }
        if (signatureChecks > MAX_SIGNATURE_CHECKS) {
          return null;
        }
      }
    }
    if (!anyNamed) {
      fail("certificate signed by unknown authority: neither the X.509 bundle of \"" + trustDomain
          + "\" nor the presented chain has a certificate named \"" + name(issuer) + "\", the issuer of "
          + describe(child, childRole));
    }
    return null;
  }

  /**
   * Certificates of the pool named as the child's issuer, byte for byte ({@code exact}) or else as X.500 names but
   * not byte for byte, and not yet in the path; those whose key identifier matches the child's AKI first.
   */
  private static List<X509Certificate> candidates(List<X509Certificate> pool, X500Principal issuer,
      byte[] issuerEncoding, boolean exact, X509Certificate child, List<X509Certificate> path) {
    List<X509Certificate> named = new ArrayList<>(2);
    for (X509Certificate certificate : pool) {
      X500Principal subject = certificate.getSubjectX500Principal();
      boolean sameBytes = Arrays.equals(subject.getEncoded(), issuerEncoding);
      if ((exact ? sameBytes : !sameBytes && subject.equals(issuer)) && !containsIdentical(path, certificate)) {
        named.add(certificate);
      }
    }
    if (named.size() > 1) {
      byte[] authorityKeyId = authorityKeyId(child);
      if (authorityKeyId != null) {
        // Stable sort: matching key identifiers first, otherwise presented (or bundle) order.
        named.sort((a, b) -> Boolean.compare(
            !Arrays.equals(authorityKeyId, subjectKeyId(a)), !Arrays.equals(authorityKeyId, subjectKeyId(b))));
      }
    }
    return named;
  }

  /** Path-independent checks of a would-be issuer, done once per certificate and before any signature check. */
  private boolean usable(X509Certificate candidate, String role) {
    Map<X509Certificate, X509SvidException> verdicts = role.equals(AUTHORITY) ? authorityVerdicts
        : intermediateVerdicts;
    X509SvidException failure;
    if (verdicts.containsKey(candidate)) {
      failure = verdicts.get(candidate);
    } else {
      failure = validity(candidate, role);
      if (failure == null) {
        failure = extensions(candidate, role, role.equals(INTERMEDIATE));
      }
      if (failure == null) {
        failure = caCapability(candidate, role);
      }
      if (failure == null && role.equals(INTERMEDIATE)) {
        // Its own signature is checked once it is the child; refusing its algorithm now spares the search a path
        // that cannot validate.
        failure = signatureAlgorithm(candidate, INTERMEDIATE);
      }
      verdicts.put(candidate, failure);
    }
    if (failure != null) {
      fail(failure);
    }
    return failure == null;
  }

  private boolean signedBy(X509Certificate child, String childRole, X509Certificate issuer, String issuerRole) {
    if (++signatureChecks > MAX_SIGNATURE_CHECKS) {
      // Overrides earlier failures: the search was cut short, so no single failure explains the verdict.
      firstFailure = failure("path building gave up after " + MAX_SIGNATURE_CHECKS + " signature checks");
      return false;
    }
    if (Signatures.verifyCertificate(child, issuer.getPublicKey())) {
      return true;
    }
    fail("certificate signature invalid: " + describe(child, childRole) + " is not signed by the key of "
        + describe(issuer, issuerRole));
    return false;
  }

  private X509SvidException validity(X509Certificate certificate, String role) {
    Instant notBefore = certificate.getNotBefore().toInstant();
    Instant notAfter = certificate.getNotAfter().toInstant();
    if (at.isBefore(notBefore) || at.isAfter(notAfter)) {
      return failure("certificate has expired or is not yet valid: " + describe(certificate, role)
          + " is valid from " + notBefore + " to " + notAfter + ", the verification time is " + at);
    }
    return null;
  }

  /** Unhandled critical extensions; and, outside the authority, the policy extensions this validator refuses. */
  private static X509SvidException extensions(X509Certificate certificate, String role, boolean inPath) {
    Set<String> critical = certificate.getCriticalExtensionOIDs();
    if (critical != null) {
      for (String oid : critical) {
        if (!HANDLED_CRITICAL_EXTENSIONS.contains(oid)) {
          return failure("unhandled critical extension " + oid + " in " + describe(certificate, role));
        }
      }
    }
    if (inPath && (certificate.getExtensionValue(POLICY_MAPPINGS) != null
        || certificate.getExtensionValue(POLICY_CONSTRAINTS) != null)) {
      return failure("policy mappings and policy constraints are not supported; found in "
          + describe(certificate, role));
    }
    return null;
  }

  /** X509-06/09/12: an issuer, intermediate or authority, is a signing certificate: cA=true, keyCertSign if KU. */
  private static X509SvidException caCapability(X509Certificate certificate, String role) {
    if (certificate.getBasicConstraints() < 0) {
      String why = certificate.getVersion() < 3
          ? " is a version " + certificate.getVersion() + " certificate, which cannot be a CA (it has no extensions)"
          : " is not a CA (no basicConstraints with cA=true)";
      return failure("certificate is not authorized to sign other certificates: " + describe(certificate, role) + why);
    }
    boolean[] keyUsage = certificate.getKeyUsage();
    if (keyUsage != null && !LeafRules.bit(keyUsage, LeafRules.KEY_CERT_SIGN)) {
      return failure("certificate is not authorized to sign other certificates: " + describe(certificate, role)
          + " has a key usage without keyCertSign");
    }
    return null;
  }

  private static X509SvidException signatureAlgorithm(X509Certificate certificate, String role) {
    if (Signatures.allowsCertificateAlgorithm(certificate)) {
      return null;
    }
    return failure("certificate signed with a disallowed algorithm " + printable(certificate.getSigAlgName())
        + ": " + describe(certificate, role) + " (allowed: ECDSA, RSA PKCS#1 v1.5 and RSASSA-PSS with SHA-256,"
        + " SHA-384 or SHA-512; Ed25519)");
  }

  /** Path length and name constraints over a complete path (leaf, intermediates, authority). */
  private X509SvidException pathConstraints(List<X509Certificate> path) {
    int last = path.size() - 1;
    X509Certificate authority = path.get(last);
    int authorityLimit = authority.getBasicConstraints();
    int maxPathLength = authorityLimit >= 0 ? authorityLimit : Integer.MAX_VALUE;
    X509Certificate limitedBy = authority;
    for (int i = last - 1; i >= 1; i--) {
      X509Certificate ca = path.get(i);
      if (!selfIssued(ca)) {
        if (maxPathLength <= 0) {
          return failure("too many intermediates for the path length constraint of "
              + describe(limitedBy, limitedBy == authority ? AUTHORITY : INTERMEDIATE));
        }
        maxPathLength--;
      }
      int constraint = ca.getBasicConstraints();
      if (constraint < maxPathLength) {
        maxPathLength = constraint;
        limitedBy = ca;
      }
    }
    NameConstraintsChecker names = new NameConstraintsChecker();
    X509SvidException failure = names.add(authority, AUTHORITY);
    for (int i = last - 1; i >= 0 && failure == null; i--) {
      X509Certificate certificate = path.get(i);
      String role = i == 0 ? LEAF : INTERMEDIATE;
      if (i == 0 || !selfIssued(certificate)) {
        failure = names.check(certificate, role);
      }
      if (failure == null && i > 0) {
        failure = names.add(certificate, role);
      }
    }
    return failure;
  }

  private void fail(String reason) {
    fail(failure(reason));
  }

  private void fail(X509SvidException failure) {
    if (firstFailure == null) {
      firstFailure = failure;
    }
  }

  static X509SvidException failure(String reason) {
    return new X509SvidException(reason, RULE);
  }

  private static List<X509Certificate> distinctIntermediates(X509Certificate[] chain) {
    List<X509Certificate> distinct = new ArrayList<>(chain.length);
    for (int i = 1; i < chain.length; i++) {
      if (!chain[i].equals(chain[0]) && !distinct.contains(chain[i])) {
        distinct.add(chain[i]);
      }
    }
    return distinct;
  }

  private static List<X509Certificate> append(List<X509Certificate> path, X509Certificate next) {
    List<X509Certificate> longer = new ArrayList<>(path.size() + 1);
    longer.addAll(path);
    longer.add(next);
    return longer;
  }

  private static boolean containsIdentical(List<X509Certificate> path, X509Certificate certificate) {
    for (X509Certificate inPath : path) {
      if (inPath == certificate) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether subject and issuer are encoded identically. PKIX compares them as X.500 names; a CA that spells one name
   * two ways gets no path length or name constraint exemption here, which errs on the strict side and spares the
   * name canonicalisation on every verification.
   */
  static boolean selfIssued(X509Certificate certificate) {
    return Arrays.equals(certificate.getSubjectX500Principal().getEncoded(),
        certificate.getIssuerX500Principal().getEncoded());
  }

  private static byte[] authorityKeyId(X509Certificate certificate) {
    byte[] value = certificate.getExtensionValue(AUTHORITY_KEY_ID);
    try {
      return value == null ? null
          : AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets())
              .getKeyIdentifierOctets();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static byte[] subjectKeyId(X509Certificate certificate) {
    byte[] value = certificate.getExtensionValue(SUBJECT_KEY_ID);
    try {
      return value == null ? null
          : SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(value).getOctets()).getKeyIdentifier();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * A certificate's role and subject, for messages only (built on failure, as it costs a name rendering). Subjects
   * are public but come from input, so they are kept short.
   */
  static String describe(X509Certificate certificate, String role) {
    return role.equals(LEAF) ? LEAF : role + " \"" + name(certificate.getSubjectX500Principal()) + "\"";
  }

  private static String name(X500Principal principal) {
    return printable(principal.getName());
  }

  /** Input text for a message: printable ASCII only, so nothing can forge log lines, and at most 120 characters. */
  static String printable(String text) {
    String clipped = text.length() > 120 ? text.substring(0, 120) + "..." : text;
    return clipped.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
