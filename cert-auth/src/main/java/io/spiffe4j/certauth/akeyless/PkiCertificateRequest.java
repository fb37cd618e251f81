package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import io.spiffe4j.internal.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * What to ask {@code /get-pki-certificate} for: a certificate from a PKI issuer for the public key of a CSR.
 *
 * <p>The CSR may be given as DER or PEM; it is always sent as {@code csr-data-base64}, the base64 of its PEM text,
 * which is what Akeyless's CLI sends for {@code --csr-file-path}. When a CSR is given, Akeyless takes the subject
 * and SANs from it; {@code common-name}, {@code alt-names} and {@code uri-sans} then only matter to issuers that
 * ignore the CSR's names. The TTL is sent as a string of whole seconds and must be shorter than the issuer's.
 *
 * <p>Immutable and thread-safe.
 */
public final class PkiCertificateRequest {
  /** An extended key usage Akeyless can put into the certificate. */
  public enum ExtendedKeyUsage {
    CLIENT_AUTH("clientauth"),
    SERVER_AUTH("serverauth"),
    CODE_SIGNING("codesigning");

    private final String apiName;

    ExtendedKeyUsage(String apiName) {
      this.apiName = apiName;
    }
  }

  static final String OPERATION = "get-pki-certificate";

  private final String issuerName;
  private final String csrPem;
  private final byte[] publicKeyInfo;
  private final Duration ttl;
  private final List<String> uriSans;
  private final List<String> altNames;
  private final String commonName;
  private final Set<ExtendedKeyUsage> extendedKeyUsage;
  private final boolean extendedKeyUsageCritical;

  private PkiCertificateRequest(Builder builder, String csrPem, byte[] publicKeyInfo) {
    this.issuerName = builder.issuerName;
    this.csrPem = csrPem;
    this.publicKeyInfo = publicKeyInfo;
    this.ttl = builder.ttl;
    this.uriSans = List.copyOf(builder.uriSans);
    this.altNames = List.copyOf(builder.altNames);
    this.commonName = builder.commonName;
    this.extendedKeyUsage = Collections.unmodifiableSet(EnumSet.copyOf(builder.extendedKeyUsage));
    this.extendedKeyUsageCritical = builder.extendedKeyUsageCritical;
  }

  /** A request to the named PKI issuer (its name or path in Akeyless). */
  public static Builder builder(String issuerName) {
    Objects.requireNonNull(issuerName, "issuerName");
    if (issuerName.isBlank()) {
      throw new IllegalArgumentException("issuerName must not be blank");
    }
    return new Builder(issuerName);
  }

  public String issuerName() {
    return issuerName;
  }

  /** The requested lifetime; whole seconds are sent. */
  public Duration ttl() {
    return ttl;
  }

  /** The CSR's SubjectPublicKeyInfo (DER): the issued certificate must carry exactly this key. */
  byte[] publicKeyInfo() {
    return publicKeyInfo.clone();
  }

  /** The request body, carrying {@code token}. */
  ApiRequest toApiRequest(String token) {
    ApiRequest request = new ApiRequest(OPERATION)
        .put("cert-issuer-name", issuerName)
        .put("csr-data-base64", Base64.getEncoder().encodeToString(csrPem.getBytes(StandardCharsets.US_ASCII)))
        .put("ttl", Long.toString(ttl.toSeconds()));
    if (!uriSans.isEmpty()) {
      request.put("uri-sans", String.join(",", uriSans));
    }
    if (!altNames.isEmpty()) {
      request.put("alt-names", String.join(",", altNames));
    }
    if (commonName != null) {
      request.put("common-name", commonName);
    }
    if (!extendedKeyUsage.isEmpty()) {
      String usages = extendedKeyUsage.stream().map(usage -> usage.apiName)
          .collect(Collectors.joining(","));
      request.put("extended-key-usage", extendedKeyUsageCritical ? usages + ",critical" : usages);
    }
    return request.putSecret("token", token);
  }

  @Override
  public String toString() {
    return "PkiCertificateRequest[issuer=" + issuerName + ", ttl=" + ttl + ", uriSans=" + uriSans + ", altNames="
        + altNames + (commonName == null ? "" : ", commonName=" + commonName) + "]";
  }

  /** Builds a {@link PkiCertificateRequest}. Not thread-safe. */
  public static final class Builder {
    private final String issuerName;
    private byte[] csr;
    private Duration ttl;
    private final List<String> uriSans = new ArrayList<>();
    private final List<String> altNames = new ArrayList<>();
    private String commonName;
    private final Set<ExtendedKeyUsage> extendedKeyUsage = EnumSet.noneOf(ExtendedKeyUsage.class);
    private boolean extendedKeyUsageCritical;

    private Builder(String issuerName) {
      this.issuerName = issuerName;
    }

    /** The PKCS#10 CSR, as DER or as PEM ({@code CERTIFICATE REQUEST}). Required. */
    public Builder csr(byte[] derOrPem) {
      this.csr = Objects.requireNonNull(derOrPem, "derOrPem").clone();
      return this;
    }

    /** The certificate's lifetime, at least one second; fractions of a second are dropped. Required. */
    public Builder ttl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.toSeconds() < 1) {
        throw new IllegalArgumentException("ttl must be at least 1 second, was " + ttl);
      }
      this.ttl = ttl;
      return this;
    }

    /** URI SANs ({@code uri-sans}), replacing earlier ones. */
    public Builder uriSans(List<String> uris) {
      replace(uriSans, uris, "uriSans");
      return this;
    }

    /** DNS names ({@code alt-names}), replacing earlier ones. */
    public Builder altNames(List<String> names) {
      replace(altNames, names, "altNames");
      return this;
    }

    public Builder commonName(String commonName) {
      this.commonName = Objects.requireNonNull(commonName, "commonName");
      return this;
    }

    /** Extended key usages, replacing earlier ones; {@code critical} marks the extension critical. */
    public Builder extendedKeyUsage(Set<ExtendedKeyUsage> usages, boolean critical) {
      Objects.requireNonNull(usages, "usages").forEach(usage -> Objects.requireNonNull(usage, "usage"));
      extendedKeyUsage.clear();
      extendedKeyUsage.addAll(usages);
      extendedKeyUsageCritical = critical;
      return this;
    }

    private static void replace(List<String> target, List<String> values, String name) {
      Objects.requireNonNull(values, name);
      for (String value : values) {
        Objects.requireNonNull(value, name + " element");
        // The API takes a comma-separated list: a comma inside a value would split it into two names.
        if (value.isBlank() || value.indexOf(',') >= 0) {
          throw new IllegalArgumentException(name + " elements must be non-blank and contain no comma");
        }
      }
      target.clear();
      target.addAll(values);
    }

    /**
     * @throws IllegalStateException if the CSR or the TTL is missing
     * @throws AkeylessException of kind {@link Kind#INVALID_INPUT} if the CSR is not a PKCS#10 request
     */
    public PkiCertificateRequest build() {
      if (csr == null) {
        throw new IllegalStateException("a CSR is required");
      }
      if (ttl == null) {
        throw new IllegalStateException("a ttl is required");
      }
      PKCS10CertificationRequest parsed = parseCsr(csr);
      try {
        return new PkiCertificateRequest(this, Pem.encode("CERTIFICATE REQUEST", parsed.getEncoded()),
            parsed.getSubjectPublicKeyInfo().getEncoded());
      } catch (IOException e) {
        throw invalidCsr("it cannot be re-encoded");
      }
    }

    private static PKCS10CertificationRequest parseCsr(byte[] derOrPem) {
      byte[] der = derOrPem;
      if (Pem.looksLikePem(derOrPem)) {
        List<Pem.Block> blocks;
        try {
          blocks = Pem.decode(new String(derOrPem, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw invalidCsr(e.getMessage());
        }
        der = blocks.stream()
            .filter(block -> block.type().equals("CERTIFICATE REQUEST")
                || block.type().equals("NEW CERTIFICATE REQUEST"))
            .findFirst()
            .map(Pem.Block::der)
            .orElseThrow(() -> invalidCsr("the PEM holds no CERTIFICATE REQUEST block"));
      }
      try {
        PKCS10CertificationRequest request = new PKCS10CertificationRequest(der);
        request.getSubjectPublicKeyInfo().getEncoded();
        return request;
      } catch (IOException | RuntimeException e) {
        throw invalidCsr("it is not a DER PKCS#10 certification request");
      }
    }

    private static AkeylessException invalidCsr(String problem) {
      return new AkeylessException(Kind.INVALID_INPUT, OPERATION, "the CSR cannot be used: " + problem);
    }
  }
}
