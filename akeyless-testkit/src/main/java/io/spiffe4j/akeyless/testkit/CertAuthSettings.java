package io.spiffe4j.akeyless.testkit;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A certificate auth method, as {@code /auth-method-create-cert} configures one: the CA certificates it trusts and
 * the constraints a client certificate must meet. Create it on a gateway with
 * {@link AkeylessGateway#createCertAuthMethod}.
 *
 * <p>What {@code /auth} then checks, in order: {@code access-expires}; the client address against
 * {@link Builder#boundIps}; the challenge signature; the chain from the presented certificate (plus any intermediates
 * sent after it in {@code cert-data}) to one of the trust anchors; validity dates at the gateway's clock; revocation;
 * and every bound. Bound common names, DNS, URI and email SANs match with shell-style {@code *} globbing (a
 * {@code *} matches any run of characters, {@code /} and {@code .} included; nothing else is special) and at least one
 * value must match one pattern. Bound organizational units match exactly. Bound extensions, {@code "oid:value"},
 * must ALL match: the certificate must carry the extension, its value must be an ASN.1 string, and the value globs
 * against the pattern.
 *
 * <p>Certificate IDs (for {@link Builder#revokedCertIds}) are serial numbers in lower-case hexadecimal without
 * leading zeros, as {@link #certId} computes; they apply to every certificate of the chain, intermediates and the
 * anchor included. Immutable and thread-safe.
 */
public final class CertAuthSettings {
  /** Which certificate field names the client in the token: Akeyless's {@code unique-identifier}. */
  public enum UniqueIdentifier {
    COMMON_NAME("common_name"),
    ORGANIZATIONAL_UNIT("organizational_unit");

    private final String wire;

    UniqueIdentifier(String wire) {
      this.wire = wire;
    }

    /** The API spelling, such as {@code common_name}. */
    public String wireName() {
      return wire;
    }

    static UniqueIdentifier fromWire(String text) {
      for (UniqueIdentifier value : values()) {
        if (value.wire.equals(text)) {
          return value;
        }
      }
      throw new IllegalArgumentException("unique-identifier must be common_name or organizational_unit");
    }
  }

  private static final Pattern OID = Pattern.compile("[0-2](\\.(0|[1-9][0-9]{0,17}))+");
  private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

  private final String name;
  private final List<X509Certificate> trustAnchors;
  private final UniqueIdentifier uniqueIdentifier;
  private final List<String> boundCommonNames;
  private final List<String> boundDnsSans;
  private final List<String> boundUriSans;
  private final List<String> boundEmailSans;
  private final List<String> boundOrganizationalUnits;
  private final List<String> boundExtensions;
  private final List<String> revokedCertIds;
  private final List<Cidr> boundIps;
  private final Instant accessExpires;

  private CertAuthSettings(Builder builder) {
    this.name = builder.name;
    this.trustAnchors = List.copyOf(builder.trustAnchors);
    this.uniqueIdentifier = builder.uniqueIdentifier;
    this.boundCommonNames = List.copyOf(builder.boundCommonNames);
    this.boundDnsSans = List.copyOf(builder.boundDnsSans);
    this.boundUriSans = List.copyOf(builder.boundUriSans);
    this.boundEmailSans = List.copyOf(builder.boundEmailSans);
    this.boundOrganizationalUnits = List.copyOf(builder.boundOrganizationalUnits);
    this.boundExtensions = List.copyOf(builder.boundExtensions);
    this.revokedCertIds = List.copyOf(builder.revokedCertIds);
    this.boundIps = List.copyOf(builder.boundIps);
    this.accessExpires = builder.accessExpires;
  }

  /**
   * Starts an auth method named {@code name} that trusts {@code trustAnchors} (Akeyless's "CA certificate",
   * {@code certificate-data}); at least one is required.
   */
  public static Builder builder(String name, X509Certificate... trustAnchors) {
    return new Builder(name, Arrays.asList(trustAnchors));
  }

  /** As {@link #builder(String, X509Certificate...)}. */
  public static Builder builder(String name, List<X509Certificate> trustAnchors) {
    return new Builder(name, trustAnchors);
  }

  /** The ID {@link Builder#revokedCertIds} expects for this certificate: its serial number in lower-case hex. */
  public static String certId(X509Certificate certificate) {
    return certificate.getSerialNumber().toString(16);
  }

  public String name() {
    return name;
  }

  List<X509Certificate> trustAnchors() {
    return trustAnchors;
  }

  UniqueIdentifier uniqueIdentifier() {
    return uniqueIdentifier;
  }

  List<String> boundCommonNames() {
    return boundCommonNames;
  }

  List<String> boundDnsSans() {
    return boundDnsSans;
  }

  List<String> boundUriSans() {
    return boundUriSans;
  }

  List<String> boundEmailSans() {
    return boundEmailSans;
  }

  List<String> boundOrganizationalUnits() {
    return boundOrganizationalUnits;
  }

  List<String> boundExtensions() {
    return boundExtensions;
  }

  List<String> revokedCertIds() {
    return revokedCertIds;
  }

  List<Cidr> boundIps() {
    return boundIps;
  }

  Instant accessExpires() {
    return accessExpires;
  }

  @Override
  public String toString() {
    return "CertAuthSettings[" + name + ", " + trustAnchors.size() + " trust anchor(s)]";
  }

  /** Collects the settings; every list setter replaces what was set before. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final List<X509Certificate> trustAnchors;
    private UniqueIdentifier uniqueIdentifier = UniqueIdentifier.COMMON_NAME;
    private List<String> boundCommonNames = List.of();
    private List<String> boundDnsSans = List.of();
    private List<String> boundUriSans = List.of();
    private List<String> boundEmailSans = List.of();
    private List<String> boundOrganizationalUnits = List.of();
    private List<String> boundExtensions = List.of();
    private final List<String> revokedCertIds = new ArrayList<>();
    private List<Cidr> boundIps = List.of();
    private Instant accessExpires;

    private Builder(String name, List<X509Certificate> trustAnchors) {
      this.name = AkeylessGateway.checkName(name);
      Objects.requireNonNull(trustAnchors, "trustAnchors");
      if (trustAnchors.isEmpty()) {
        throw new IllegalArgumentException("a certificate auth method needs at least one trust anchor");
      }
      trustAnchors.forEach(anchor -> Objects.requireNonNull(anchor, "trust anchor"));
      this.trustAnchors = List.copyOf(trustAnchors);
    }

    /** Which field names the client: the common name (the default) or the organizational unit. */
    public Builder uniqueIdentifier(UniqueIdentifier uniqueIdentifier) {
      this.uniqueIdentifier = Objects.requireNonNull(uniqueIdentifier, "uniqueIdentifier");
      return this;
    }

    /** Glob patterns; the subject's common name must match one. */
    public Builder boundCommonNames(String... patterns) {
      this.boundCommonNames = strings(patterns, "boundCommonNames");
      return this;
    }

    /** Glob patterns; one DNS SAN must match one. */
    public Builder boundDnsSans(String... patterns) {
      this.boundDnsSans = strings(patterns, "boundDnsSans");
      return this;
    }

    /** Glob patterns; one URI SAN must match one, for example {@code spiffe://example.org/*}. */
    public Builder boundUriSans(String... patterns) {
      this.boundUriSans = strings(patterns, "boundUriSans");
      return this;
    }

    /** Glob patterns; one email SAN must match one. */
    public Builder boundEmailSans(String... patterns) {
      this.boundEmailSans = strings(patterns, "boundEmailSans");
      return this;
    }

    /** Exact values; one of the subject's organizational units must equal one. */
    public Builder boundOrganizationalUnits(String... units) {
      this.boundOrganizationalUnits = strings(units, "boundOrganizationalUnits");
      return this;
    }

    /**
     * {@code "oid:value"} entries, such as {@code "1.2.3.4:prod-*"}; every one must match. The value after the first
     * colon is a glob pattern.
     *
     * @throws IllegalArgumentException if an entry has no colon or its OID is not a dotted OID
     */
    public Builder boundExtensions(String... entries) {
      List<String> checked = strings(entries, "boundExtensions");
      for (String entry : checked) {
        int colon = entry.indexOf(':');
        if (colon < 0 || !OID.matcher(entry.substring(0, colon)).matches()) {
          throw new IllegalArgumentException("bound extension must be \"oid:value\" with a dotted OID");
        }
      }
      this.boundExtensions = checked;
      return this;
    }

    /**
     * Adds revoked certificate IDs: serial numbers in hex, case and {@code :} separators and leading zeros ignored
     * ({@code 0A:1b} is {@code a1b}).
     *
     * @throws IllegalArgumentException if an ID is not hexadecimal
     */
    public Builder revokedCertIds(String... ids) {
      for (String id : strings(ids, "revokedCertIds")) {
        String hex = id.replace(":", "").toLowerCase(Locale.ROOT);
        if (!HEX.matcher(hex).matches()) {
          throw new IllegalArgumentException("a revoked cert id must be a serial number in hex");
        }
        revokedCertIds.add(new BigInteger(hex, 16).toString(16));
      }
      return this;
    }

    /** Adds the IDs of these certificates (leaves or CAs) to the revoked ones. */
    public Builder revoke(X509Certificate... certificates) {
      for (X509Certificate certificate : certificates) {
        revokedCertIds.add(certId(Objects.requireNonNull(certificate, "certificate")));
      }
      return this;
    }

    /**
     * CIDR blocks ({@code 127.0.0.0/8}, {@code ::1/128}, or a bare address) the client's address must fall in.
     *
     * @throws IllegalArgumentException if a block is not an IP literal with an optional prefix length
     */
    public Builder boundIps(String... cidrs) {
      List<Cidr> parsed = new ArrayList<>();
      for (String cidr : strings(cidrs, "boundIps")) {
        parsed.add(Cidr.parse(cidr));
      }
      this.boundIps = parsed;
      return this;
    }

    /** From this instant on, {@code /auth} refuses the method; null (the default) means never. */
    public Builder accessExpires(Instant accessExpires) {
      this.accessExpires = accessExpires;
      return this;
    }

    public CertAuthSettings build() {
      return new CertAuthSettings(this);
    }

    private static List<String> strings(String[] values, String what) {
      Objects.requireNonNull(values, what);
      List<String> list = new ArrayList<>();
      for (String value : values) {
        list.add(Objects.requireNonNull(value, what + " element"));
      }
      return Collections.unmodifiableList(list);
    }
  }
}
