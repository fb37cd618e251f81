package io.spiffe4j.cli;

import io.spiffe4j.bundle.BundleException;
import io.spiffe4j.bundle.BundleNotFoundException;
import io.spiffe4j.bundle.Bundles;
import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.JwtBundleSource;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.bundle.X509BundleSource;
import io.spiffe4j.id.TrustDomain;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A {@code --bundle FILE} in any format (PEM, DER, JWKS, SPIFFE bundle). No format names its trust domain (BUN-01),
 * so the file is bound to {@code --trust-domain} when given, and otherwise to the trust domain of whatever is being
 * checked: it then serves as that trust domain's bundle.
 */
final class BundleFile implements X509BundleSource, JwtBundleSource {
  private static final TrustDomain PROBE = TrustDomain.parse("bundle-file.invalid");

  private final byte[] content;
  private final TrustDomain boundTo;
  private final Map<TrustDomain, SpiffeBundle> parsed = new HashMap<>();

  private BundleFile(byte[] content, TrustDomain boundTo) {
    this.content = content;
    this.boundTo = boundTo;
  }

  /**
   * Reads and parses the file once, so a malformed bundle is reported up front.
   *
   * @throws UnreadableInputException if the file cannot be read or is not a bundle in any format
   */
  static BundleFile read(Path path, TrustDomain boundTo) {
    BundleFile file = new BundleFile(UnreadableInputException.read(path), boundTo);
    try {
      file.bundleFor(boundTo != null ? boundTo : PROBE, "");
    } catch (BundleException e) {
      throw new UnreadableInputException(path, "not a bundle: " + e.getMessage());
    }
    return file;
  }

  /** The file's content as the bundle of the trust domain; {@code kind} names what was asked for in errors. */
  SpiffeBundle bundleFor(TrustDomain trustDomain, String kind) {
    if (boundTo != null && !boundTo.equals(trustDomain)) {
      throw new BundleNotFoundException(kind, trustDomain);
    }
    return parsed.computeIfAbsent(trustDomain, td -> Bundles.parseAny(td, content));
  }

  @Override
  public X509Bundle x509BundleFor(TrustDomain trustDomain) {
    return bundleFor(trustDomain, "X.509").x509Bundle();
  }

  @Override
  public JwtBundle jwtBundleFor(TrustDomain trustDomain) {
    return bundleFor(trustDomain, "JWT").jwtBundle();
  }
}
