package io.spiffe4j.svid.x509;

import io.spiffe4j.id.InvalidSpiffeIdException;
import io.spiffe4j.id.SpiffeId;
import java.net.URI;
import java.net.URISyntaxException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1String;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralSubtree;
import org.bouncycastle.asn1.x509.NameConstraints;

/**
 * RFC 5280 §4.2.1.10 name constraints for the URI and DNS name forms (X509-10), accumulated down a path from the
 * authority to the leaf. Constraints of any other form make the chain fail: an unenforced constraint must not be
 * silently ignored, and X509-10 allows refusing what a library does not support. Not thread-safe; one per path.
 *
 * <p>Semantics, as RFC 5280 and the JDK's PKIX validator: a URI constraint applies to the URI's host; {@code
 * .example.org} is satisfied by any subdomain of example.org but not by example.org itself, and {@code example.org}
 * only by that exact host (Go's x509 also lets it match subdomains; this is stricter, and for SPIFFE, where trust
 * domains are not hierarchical, the right reading). A DNS constraint {@code example.org} is satisfied by example.org
 * and its subdomains; a leading period means subdomains only, as in Go. Comparisons ignore ASCII case. Each CA's
 * permitted subtrees must be satisfied (intersection across CAs) for every name of a form that CA constrains; no
 * excluded subtree may be. Names are the certificate's URI and DNS SANs; unlike the JDK, a subject CN is never taken
 * for a DNS name (RFC 5280 does not ask for it, and Go does not do it).
 */
final class NameConstraintsChecker {
  private static final String OID = "2.5.29.30";
  private static final Integer DNS_NAME = GeneralName.dNSName;
  private static final Integer URI_NAME = GeneralName.uniformResourceIdentifier;

  /** One subtree: a form (a GeneralName tag), its base name and the CA it came from, for messages. */
  private static final class Subtree {
    final int form;
    final String base;
    final X509Certificate owner;
    final String ownerRole;

    Subtree(int form, String base, X509Certificate owner, String ownerRole) {
      this.form = form;
      this.base = base;
      this.owner = owner;
      this.ownerRole = ownerRole;
    }

    String owner() {
      return PathValidator.describe(owner, ownerRole);
    }
  }

  /** Per CA and form, the permitted subtrees; a name of that form must satisfy one in every group. */
  private final List<List<Subtree>> permittedGroups = new ArrayList<>();
  private final List<Subtree> excluded = new ArrayList<>();
  private boolean constrainsUris;
  private boolean constrainsDns;

  /** Adds a CA's constraints; answers the failure when they use a form or feature that is not supported. */
  X509SvidException add(X509Certificate ca, String role) {
    byte[] value = ca.getExtensionValue(OID);
    if (value == null) {
      return null;
    }
    List<Subtree> permittedUris = new ArrayList<>();
    List<Subtree> permittedDns = new ArrayList<>();
    List<Subtree> newlyExcluded = new ArrayList<>();
    try {
      NameConstraints constraints = NameConstraints.getInstance(ASN1OctetString.getInstance(value).getOctets());
      for (GeneralSubtree subtree : orEmpty(constraints.getPermittedSubtrees())) {
        Subtree parsed = subtree(subtree, ca, role);
        (parsed.form == GeneralName.dNSName ? permittedDns : permittedUris).add(parsed);
      }
      for (GeneralSubtree subtree : orEmpty(constraints.getExcludedSubtrees())) {
        newlyExcluded.add(subtree(subtree, ca, role));
      }
    } catch (X509SvidException unsupported) {
      return unsupported;
    } catch (RuntimeException e) {
      return PathValidator.failure("malformed name constraints in " + PathValidator.describe(ca, role));
    }
    for (List<Subtree> group : List.of(permittedUris, permittedDns)) {
      if (!group.isEmpty()) {
        permittedGroups.add(group);
        note(group.get(0).form);
      }
    }
    excluded.addAll(newlyExcluded);
    newlyExcluded.forEach(subtree -> note(subtree.form));
    return null;
  }

  private void note(int form) {
    constrainsUris |= form == GeneralName.uniformResourceIdentifier;
    constrainsDns |= form == GeneralName.dNSName;
  }

  /** Checks a certificate's URI and DNS SANs against everything added so far. */
  X509SvidException check(X509Certificate certificate, String role) {
    if (!constrainsUris && !constrainsDns) {
      return null;
    }
    Collection<List<?>> sans;
    try {
      sans = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException | RuntimeException e) {
      return PathValidator.failure("malformed subject alternative names in "
          + PathValidator.describe(certificate, role) + " cannot be checked against name constraints");
    }
    if (sans == null) {
      return null;
    }
    for (List<?> san : sans) {
      if (san.size() < 2 || !(san.get(1) instanceof String)) {
        continue;
      }
      String value = (String) san.get(1);
      X509SvidException failure = null;
      if (URI_NAME.equals(san.get(0)) && constrainsUris) {
        String host = uriHost(value);
        failure = host == null
            ? PathValidator.failure("URI SAN of " + PathValidator.describe(certificate, role)
                + " has no host to check against name constraints")
            : checkName(GeneralName.uniformResourceIdentifier, host, "URI SAN host", certificate, role);
      } else if (DNS_NAME.equals(san.get(0)) && constrainsDns) {
        failure = checkName(GeneralName.dNSName, value, "DNS SAN", certificate, role);
      }
      if (failure != null) {
        return failure;
      }
    }
    return null;
  }

  private X509SvidException checkName(int form, String name, String kind, X509Certificate certificate,
      String role) {
    for (Subtree subtree : excluded) {
      if (subtree.form == form && matches(form, subtree.base, name)) {
        return PathValidator.failure(kind + " \"" + PathValidator.printable(name) + "\" of "
            + PathValidator.describe(certificate, role) + " is excluded by the name constraints of " + subtree.owner());
      }
    }
    for (List<Subtree> group : permittedGroups) {
      if (group.get(0).form == form && group.stream().noneMatch(subtree -> matches(form, subtree.base, name))) {
        return PathValidator.failure(kind + " \"" + PathValidator.printable(name) + "\" of "
            + PathValidator.describe(certificate, role) + " is not permitted by the name constraints of "
            + group.get(0).owner());
      }
    }
    return null;
  }

  static boolean matches(int form, String constraint, String name) {
    String c = constraint.toLowerCase(Locale.ROOT);
    String n = name.toLowerCase(Locale.ROOT);
    if (c.startsWith(".")) {
      return n.endsWith(c);
    }
    return form == GeneralName.uniformResourceIdentifier ? n.equals(c) : n.equals(c) || n.endsWith("." + c);
  }

  /** The host of a URI: a SPIFFE ID's trust domain, else what {@link URI} finds; null when there is none. */
  static String uriHost(String uri) {
    try {
      return SpiffeId.parse(uri).trustDomain().name();
    } catch (InvalidSpiffeIdException notSpiffe) {
      try {
        String host = new URI(uri).getHost();
        return host == null || host.isEmpty() ? null : host;
      } catch (URISyntaxException malformed) {
        return null;
      }
    }
  }

  private static Subtree subtree(GeneralSubtree subtree, X509Certificate ca, String role) {
    int form = subtree.getBase().getTagNo();
    if (form != GeneralName.uniformResourceIdentifier && form != GeneralName.dNSName) {
      throw PathValidator.failure("name constraints of " + PathValidator.describe(ca, role) + " use the "
          + formName(form) + " form; only URI and DNS name constraints are supported");
    }
    if (subtree.getMinimum().signum() != 0 || subtree.getMaximum() != null) {
      throw PathValidator.failure("name constraints of " + PathValidator.describe(ca, role)
          + " set minimum or maximum, which RFC 5280 forbids");
    }
    String base = ((ASN1String) subtree.getBase().getName()).getString();
    if (base.isEmpty()) {
      throw PathValidator.failure(
          "name constraints of " + PathValidator.describe(ca, role) + " have an empty base name");
    }
    return new Subtree(form, base, ca, role);
  }

  private static GeneralSubtree[] orEmpty(GeneralSubtree[] subtrees) {
    return subtrees == null ? new GeneralSubtree[0] : subtrees;
  }

  private static String formName(int tag) {
    switch (tag) {
      case GeneralName.otherName: return "otherName";
      case GeneralName.rfc822Name: return "rfc822Name (email)";
      case GeneralName.x400Address: return "x400Address";
      case GeneralName.directoryName: return "directoryName";
      case GeneralName.ediPartyName: return "ediPartyName";
      case GeneralName.iPAddress: return "iPAddress";
      case GeneralName.registeredID: return "registeredID";
      default: return "tag " + tag;
    }
  }
}
