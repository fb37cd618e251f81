package io.spiffe4j.bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.internal.Pem;
import java.util.Objects;

/**
 * Reading a bundle whose format is not known in advance, such as a {@code --bundle FILE} argument. Stateless and
 * thread-safe.
 */
public final class Bundles {
  private Bundles() {}

  /**
   * Parses a bundle in any format spiffe4j reads, told apart by content:
   *
   * <ul>
   *   <li>JSON (the first byte that is not JSON whitespace is <code>{</code> or <code>[</code>; only an object is
   *       a bundle): a <b>SPIFFE bundle</b>
   *       ({@link SpiffeBundle#parse} rules) if it has a {@code spiffe_sequence} or {@code spiffe_refresh_hint} member
   *       or any key with a {@code use} member (so a JWK Set with x509-svid entries is a SPIFFE bundle), otherwise a
   *       <b>plain JWKS</b> of JWT authorities ({@link JwtBundle#parse} rules: no {@code use} required);
   *   <li>text with a PEM {@code BEGIN} line: PEM {@code CERTIFICATE} blocks ({@link X509Bundle#parsePem});
   *   <li>anything else: concatenated DER certificates ({@link X509Bundle#parseDer}).
   * </ul>
   *
   * <p>Unlike the format-specific parsers, zero bytes (or only whitespace) are an error here: an empty bundle file
   * is far more likely a failed write or a wrong path than a deliberate revocation, which a SPIFFE bundle states
   * explicitly as {@code {"keys":[]}} (BUN-06).
   *
   * @throws BundleException if the input is empty or malformed in the format it was taken for
   */
  public static SpiffeBundle parseAny(TrustDomain trustDomain, byte[] bundle) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(bundle, "bundle");
    int first = firstNonWhitespace(bundle);
    if (first == bundle.length) {
      throw new BundleException("bundle is empty", null);
    }
    if (bundle[first] == '{' || bundle[first] == '[') {
      ObjectNode root = BundleJson.readObject(bundle);
      return BundleJson.isSpiffeBundle(root)
          ? SpiffeBundle.fromDocument(trustDomain, root)
          : SpiffeBundle.of(JwtBundle.fromJwks(trustDomain, root));
    }
    if (Pem.looksLikePem(bundle)) {
      return SpiffeBundle.of(X509Bundle.parsePem(trustDomain, bundle));
    }
    return SpiffeBundle.of(X509Bundle.parseDer(trustDomain, bundle));
  }

  /** JSON whitespace (RFC 8259 §2); DER never starts with these bytes, nor with '{' or '['. */
  private static int firstNonWhitespace(byte[] bytes) {
    int i = 0;
    while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\t' || bytes[i] == '\r' || bytes[i] == '\n')) {
      i++;
    }
    return i;
  }
}
