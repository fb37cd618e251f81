package io.spiffe4j.akeyless.testkit;

import io.spiffe4j.mint.KeyAlgorithm;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.bouncycastle.asn1.x509.KeyUsage;

/**
 * A PKI certificate issuer, as {@code /create-pki-cert-issuer} configures one: the CA that signs and the policy
 * {@code /get-pki-certificate} enforces. Create it on a gateway with {@link AkeylessGateway#createPkiIssuer}.
 *
 * <p>The CA is, by {@link Builder} choice: a self-signed root the gateway generates (the default, an EC P-256 key),
 * a given CA certificate and key (a root, or an intermediate with its parents), or an intermediate the gateway
 * generates under a given root.
 *
 * <p>Policy, with Akeyless's defaults: not a CA ({@code is-ca} false); key usage
 * {@value #DEFAULT_KEY_USAGE}, critical; no path length limit ({@code max-path-len} -1); a common name is required
 * and must be an allowed domain unless {@link Builder#allowAnyName}; every URI SAN must glob-match an allowed URI SAN
 * (none are allowed by default, and {@code spiffe://example.org/*} does not cover the bare
 * {@code spiffe://example.org}: list it explicitly, as real Akeyless requires); every IP SAN must fall in an allowed
 * CIDR; the requested TTL must not exceed the issuer's. Immutable and thread-safe.
 */
public final class PkiIssuerSettings {
  /** Akeyless's default {@code key-usage}; note that SPIRE refuses it for an upstream CA (it lacks CertSign). */
  public static final String DEFAULT_KEY_USAGE = "DigitalSignature,KeyAgreement,KeyEncipherment";

  private static final Map<String, Integer> KEY_USAGE_BITS = Map.ofEntries(
      Map.entry("digitalsignature", KeyUsage.digitalSignature),
      Map.entry("contentcommitment", KeyUsage.nonRepudiation),
      Map.entry("nonrepudiation", KeyUsage.nonRepudiation),
      Map.entry("keyencipherment", KeyUsage.keyEncipherment),
      Map.entry("dataencipherment", KeyUsage.dataEncipherment),
      Map.entry("keyagreement", KeyUsage.keyAgreement),
      Map.entry("certsign", KeyUsage.keyCertSign),
      Map.entry("keycertsign", KeyUsage.keyCertSign),
      Map.entry("crlsign", KeyUsage.cRLSign),
      Map.entry("encipheronly", KeyUsage.encipherOnly),
      Map.entry("decipheronly", KeyUsage.decipherOnly));

  enum CaSource { SELF_SIGNED, GIVEN, INTERMEDIATE }

  private final String name;
  private final Duration ttl;
  private final CaSource caSource;
  private final KeyAlgorithm keyAlgorithm;
  private final X509Certificate givenCertificate;
  private final PrivateKey givenKey;
  private final List<X509Certificate> givenParents;
  private final boolean ca;
  private final int maxPathLen;
  private final int keyUsageBits;
  private final boolean criticalKeyUsage;
  private final List<String> allowedUriSans;
  private final List<String> allowedDomains;
  private final boolean allowSubdomains;
  private final boolean allowAnyName;
  private final boolean notRequireCn;
  private final List<Cidr> allowedIpSans;
  private final boolean serverFlag;
  private final boolean clientFlag;
  private final boolean codeSigningFlag;
  private final PkiAnswerShape answerShape;

  private PkiIssuerSettings(Builder b) {
    this.name = b.name;
    this.ttl = b.ttl;
    this.caSource = b.caSource;
    this.keyAlgorithm = b.keyAlgorithm;
    this.givenCertificate = b.givenCertificate;
    this.givenKey = b.givenKey;
    this.givenParents = List.copyOf(b.givenParents);
    this.ca = b.ca;
    this.maxPathLen = b.maxPathLen;
    this.keyUsageBits = b.keyUsageBits;
    this.criticalKeyUsage = b.criticalKeyUsage;
    this.allowedUriSans = List.copyOf(b.allowedUriSans);
    this.allowedDomains = List.copyOf(b.allowedDomains);
    this.allowSubdomains = b.allowSubdomains;
    this.allowAnyName = b.allowAnyName;
    this.notRequireCn = b.notRequireCn;
    this.allowedIpSans = List.copyOf(b.allowedIpSans);
    this.serverFlag = b.serverFlag;
    this.clientFlag = b.clientFlag;
    this.codeSigningFlag = b.codeSigningFlag;
    this.answerShape = b.answerShape;
  }

  /**
   * Starts an issuer named {@code name} (a leading {@code /} is dropped, as Akeyless item paths allow) whose
   * certificates live at most {@code ttl} (Akeyless's required issuer {@code ttl}).
   */
  public static Builder builder(String name, Duration ttl) {
    return new Builder(name, ttl);
  }

  /**
   * Parses an Akeyless {@code key-usage} list, such as {@code "DigitalSignature,CertSign,CRLSign"}, into the
   * RFC 5280 key usage bits. Names are case-insensitive: DigitalSignature, ContentCommitment (NonRepudiation),
   * KeyEncipherment, DataEncipherment, KeyAgreement, CertSign (KeyCertSign), CRLSign, EncipherOnly, DecipherOnly.
   * An empty list means no key usage extension.
   */
  static int keyUsageBits(String list) {
    int bits = 0;
    for (String item : list.split(",", -1)) {
      String key = item.trim().toLowerCase(Locale.ROOT);
      if (key.isEmpty()) {
        continue;
      }
      Integer bit = KEY_USAGE_BITS.get(key);
      if (bit == null) {
        throw new IllegalArgumentException("unknown key usage; expected names such as DigitalSignature, CertSign, CRLSign");
      }
      bits |= bit;
    }
    return bits;
  }

  public String name() {
    return name;
  }

  public Duration ttl() {
    return ttl;
  }

  CaSource caSource() {
    return caSource;
  }

  KeyAlgorithm keyAlgorithm() {
    return keyAlgorithm;
  }

  X509Certificate givenCertificate() {
    return givenCertificate;
  }

  PrivateKey givenKey() {
    return givenKey;
  }

  List<X509Certificate> givenParents() {
    return givenParents;
  }

  boolean ca() {
    return ca;
  }

  int maxPathLen() {
    return maxPathLen;
  }

  int keyUsageBits() {
    return keyUsageBits;
  }

  boolean criticalKeyUsage() {
    return criticalKeyUsage;
  }

  List<String> allowedUriSans() {
    return allowedUriSans;
  }

  List<String> allowedDomains() {
    return allowedDomains;
  }

  boolean allowSubdomains() {
    return allowSubdomains;
  }

  boolean allowAnyName() {
    return allowAnyName;
  }

  boolean notRequireCn() {
    return notRequireCn;
  }

  List<Cidr> allowedIpSans() {
    return allowedIpSans;
  }

  boolean serverFlag() {
    return serverFlag;
  }

  boolean clientFlag() {
    return clientFlag;
  }

  boolean codeSigningFlag() {
    return codeSigningFlag;
  }

  PkiAnswerShape answerShape() {
    return answerShape;
  }

  @Override
  public String toString() {
    return "PkiIssuerSettings[" + name + ", ttl=" + ttl + ", ca=" + ca + "]";
  }

  /** Collects the settings; list setters replace what was set before. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private final Duration ttl;
    private CaSource caSource = CaSource.SELF_SIGNED;
    private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
    private X509Certificate givenCertificate;
    private PrivateKey givenKey;
    private List<X509Certificate> givenParents = List.of();
    private boolean ca;
    private int maxPathLen = -1;
    private int keyUsageBits = keyUsageBits(DEFAULT_KEY_USAGE);
    private boolean criticalKeyUsage = true;
    private List<String> allowedUriSans = List.of();
    private List<String> allowedDomains = List.of();
    private boolean allowSubdomains;
    private boolean allowAnyName;
    private boolean notRequireCn;
    private List<Cidr> allowedIpSans = List.of();
    private boolean serverFlag;
    private boolean clientFlag;
    private boolean codeSigningFlag;
    private PkiAnswerShape answerShape = PkiAnswerShape.PEM_LEAF_AND_PARENT;

    private Builder(String name, Duration ttl) {
      String trimmed = Objects.requireNonNull(name, "name").startsWith("/") ? name.substring(1) : name;
      this.name = AkeylessGateway.checkName(trimmed);
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("issuer ttl must be positive");
      }
      this.ttl = ttl;
    }

    /** The key type of a CA the gateway generates (self-signed root or intermediate); EC P-256 by default. */
    public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
      this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
      return this;
    }

    /** Signs with a self-signed root the gateway generates (the default). */
    public Builder selfSignedRoot() {
      this.caSource = CaSource.SELF_SIGNED;
      return this;
    }

    /**
     * Signs with this CA: a root, or an intermediate followed by its {@code parents} up to the root, which then
     * appear in {@code parent_cert}. The key must belong to the certificate.
     */
    public Builder signingCa(X509Certificate certificate, PrivateKey key, X509Certificate... parents) {
      this.caSource = CaSource.GIVEN;
      this.givenCertificate = Objects.requireNonNull(certificate, "certificate");
      this.givenKey = Objects.requireNonNull(key, "key");
      this.givenParents = nonNull(Arrays.asList(Objects.requireNonNull(parents, "parents")), "parents");
      return this;
    }

    /** Signs with an intermediate CA the gateway generates ({@link #keyAlgorithm}) under this root. */
    public Builder intermediateUnder(X509Certificate root, PrivateKey rootKey) {
      this.caSource = CaSource.INTERMEDIATE;
      this.givenCertificate = Objects.requireNonNull(root, "root");
      this.givenKey = Objects.requireNonNull(rootKey, "rootKey");
      this.givenParents = List.of();
      return this;
    }

    /** {@code is-ca}: issued certificates get {@code cA=true} (false by default). */
    public Builder ca(boolean ca) {
      this.ca = ca;
      return this;
    }

    /** {@code max-path-len} of issued CA certificates; -1 (the default) for none. */
    public Builder maxPathLen(int maxPathLen) {
      if (maxPathLen < -1) {
        throw new IllegalArgumentException("max-path-len must be -1 or more");
      }
      this.maxPathLen = maxPathLen;
      return this;
    }

    /**
     * {@code key-usage}, an Akeyless list such as {@code "DigitalSignature,CertSign,CRLSign"}; see
     * {@link PkiIssuerSettings#DEFAULT_KEY_USAGE} for the default. An empty string omits the extension.
     *
     * @throws IllegalArgumentException for an unknown name
     */
    public Builder keyUsage(String keyUsage) {
      this.keyUsageBits = keyUsageBits(Objects.requireNonNull(keyUsage, "keyUsage"));
      return this;
    }

    /** {@code critical-key-usage} (true by default). */
    public Builder criticalKeyUsage(boolean critical) {
      this.criticalKeyUsage = critical;
      return this;
    }

    /** {@code allowed-uri-sans}: glob patterns every requested URI SAN must match one of. */
    public Builder allowedUriSans(String... patterns) {
      this.allowedUriSans = nonNull(Arrays.asList(Objects.requireNonNull(patterns, "patterns")), "allowedUriSans");
      return this;
    }

    /**
     * {@code allowed-domains}: names the common name, DNS SANs and the domain of email SANs may be. A name matches
     * a domain when equal to it, when the domain is a glob pattern it matches, or, with {@link #allowSubdomains},
     * when it ends in {@code .<domain>}.
     */
    public Builder allowedDomains(String... domains) {
      this.allowedDomains = nonNull(Arrays.asList(Objects.requireNonNull(domains, "domains")), "allowedDomains");
      return this;
    }

    public Builder allowSubdomains(boolean allow) {
      this.allowSubdomains = allow;
      return this;
    }

    /** {@code allow-any-name}: any common name, DNS SAN or email SAN is allowed. */
    public Builder allowAnyName(boolean allow) {
      this.allowAnyName = allow;
      return this;
    }

    /** {@code not-require-cn}: requests without a common name are allowed (needed for SPIRE's CA CSRs). */
    public Builder notRequireCn(boolean notRequireCn) {
      this.notRequireCn = notRequireCn;
      return this;
    }

    /** {@code allowed-ip-sans}: CIDR blocks every requested IP SAN must fall in. */
    public Builder allowedIpSans(String... cidrs) {
      List<Cidr> parsed = new ArrayList<>();
      for (String cidr : nonNull(Arrays.asList(Objects.requireNonNull(cidrs, "cidrs")), "allowedIpSans")) {
        parsed.add(Cidr.parse(cidr));
      }
      this.allowedIpSans = parsed;
      return this;
    }

    /** {@code server-flag}: issued certificates get the serverAuth extended key usage. */
    public Builder serverFlag(boolean flag) {
      this.serverFlag = flag;
      return this;
    }

    /** {@code client-flag}: issued certificates get the clientAuth extended key usage. */
    public Builder clientFlag(boolean flag) {
      this.clientFlag = flag;
      return this;
    }

    /** {@code code-signing-flag}: issued certificates get the codeSigning extended key usage. */
    public Builder codeSigningFlag(boolean flag) {
      this.codeSigningFlag = flag;
      return this;
    }

    /** How {@code /get-pki-certificate} spells the certificates; {@link PkiAnswerShape#PEM_LEAF_AND_PARENT} by default. */
    public Builder answerShape(PkiAnswerShape answerShape) {
      this.answerShape = Objects.requireNonNull(answerShape, "answerShape");
      return this;
    }

    public PkiIssuerSettings build() {
      return new PkiIssuerSettings(this);
    }

    private static <T> List<T> nonNull(List<T> values, String what) {
      Objects.requireNonNull(values, what);
      values.forEach(value -> Objects.requireNonNull(value, what + " element"));
      return List.copyOf(values);
    }
  }
}
