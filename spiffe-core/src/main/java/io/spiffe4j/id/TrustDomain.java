package io.spiffe4j.id;

import static io.spiffe4j.id.IdRules.SCHEME_PREFIX;

import java.util.Objects;

/**
 * A SPIFFE trust domain name such as {@code example.org}, validated by the SPIFFE-ID standard.
 *
 * <p>Names are case-sensitive and must be lowercase: the standard says both "MUST be lowercase" (§2.1) and
 * "case-insensitive" (§2.4); like go-spiffe and SPIRE, spiffe4j rejects uppercase rather than folding it, so a name
 * has exactly one spelling and no Unicode case folding ever happens. Trust domains are not hierarchical:
 * {@code sub.example.org} is unrelated to {@code example.org}, and {@code example.org.} is a different name. The
 * name is at most 255 bytes.
 *
 * <p>Immutable and thread-safe; equality and ordering are by name.
 */
public final class TrustDomain implements Comparable<TrustDomain> {
  private final String name;

  private TrustDomain(String name) {
    this.name = name;
  }

  /**
   * Parses a trust domain name. Given a string containing {@code :/}, parses it as a SPIFFE ID and returns its trust
   * domain (the go-spiffe and java-spiffe convention).
   *
   * @throws InvalidSpiffeIdException if the name breaks a SPIFFE-ID rule; the exception names the rule
   * @throws NullPointerException if {@code name} is null
   */
  public static TrustDomain parse(String name) {
    Objects.requireNonNull(name, "name");
    if (name.contains(":/")) {
      return SpiffeId.parse(name).trustDomain();
    }
    IdRules.checkTrustDomainName(name, 0, name.length());
    return new TrustDomain(name);
  }

  /** Builds from a range already checked by {@link IdRules#checkTrustDomainName}. */
  static TrustDomain ofChecked(String name) {
    return new TrustDomain(name);
  }

  /** The trust domain name, for example {@code example.org}. */
  public String name() {
    return name;
  }

  /** The SPIFFE ID of the trust domain itself, {@code spiffe://<name>}, as used to key Workload API bundle maps. */
  public SpiffeId id() {
    return SpiffeId.ofChecked(this, SCHEME_PREFIX + name, SCHEME_PREFIX.length() + name.length());
  }

  /** The trust domain's ID as a string, {@code spiffe://<name>}. */
  public String idString() {
    return SCHEME_PREFIX + name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustDomain && ((TrustDomain) o).name.equals(name);
  }

  @Override
  public int hashCode() {
    return name.hashCode();
  }

  @Override
  public int compareTo(TrustDomain other) {
    return name.compareTo(other.name);
  }

  /** The name, exactly as {@link #name()}. */
  @Override
  public String toString() {
    return name;
  }
}
