package io.spiffe4j.id;

import static io.spiffe4j.id.IdRules.SCHEME_PREFIX;

import java.util.List;
import java.util.Objects;

/**
 * A SPIFFE ID, {@code spiffe://<trust domain><path>}, parsed strictly by the SPIFFE-ID standard.
 *
 * <p>Guarantees: the scheme is exactly {@code spiffe}; the trust domain is non-empty, lowercase
 * {@code [a-z0-9._-]}, at most 255 bytes; there is no userinfo, port, query, fragment or percent-encoding; the path
 * is empty or {@code /}-separated non-empty segments of {@code [a-zA-Z0-9._-]} that are not {@code .} or {@code ..},
 * with no trailing slash; the whole ID is at most 2048 bytes. Nothing is normalised: an input is either accepted as
 * is or rejected with an {@link InvalidSpiffeIdException} naming the broken rule. Uppercase in the scheme or trust
 * domain is rejected (see {@link TrustDomain} for why).
 *
 * <p>Immutable and thread-safe; equality and ordering are by the ID string (the path is case-sensitive).
 */
public final class SpiffeId implements Comparable<SpiffeId> {
  private final TrustDomain trustDomain;
  private final String id;
  private final int pathStart;

  private SpiffeId(TrustDomain trustDomain, String id, int pathStart) {
    this.trustDomain = trustDomain;
    this.id = id;
    this.pathStart = pathStart;
  }

  static SpiffeId ofChecked(TrustDomain trustDomain, String id, int pathStart) {
    return new SpiffeId(trustDomain, id, pathStart);
  }

  /**
   * Parses a SPIFFE ID string.
   *
   * @throws InvalidSpiffeIdException if the string breaks a SPIFFE-ID rule; the exception names the rule
   * @throws NullPointerException if {@code id} is null
   */
  public static SpiffeId parse(String id) {
    Objects.requireNonNull(id, "id");
    if (id.isEmpty()) {
      throw new InvalidSpiffeIdException("SPIFFE ID is empty", "SID-01");
    }
    if (!id.startsWith(SCHEME_PREFIX)) {
      throw new InvalidSpiffeIdException("scheme is missing or invalid: a SPIFFE ID starts with spiffe://", "SID-01");
    }
    int tdStart = SCHEME_PREFIX.length();
    int tdEnd = id.indexOf('/', tdStart);
    if (tdEnd < 0) {
      tdEnd = id.length();
    }
    IdRules.checkTrustDomainName(id, tdStart, tdEnd);
    IdRules.checkPath(id, tdEnd, id.length());
    IdRules.checkIdLength(id.length());
    return new SpiffeId(TrustDomain.ofChecked(id.substring(tdStart, tdEnd)), id, tdEnd);
  }

  /**
   * Builds an ID from a trust domain and a path that is empty or starts with {@code /}, with the same checks as
   * {@link #parse}.
   *
   * @throws InvalidSpiffeIdException if the path breaks a SPIFFE-ID rule
   */
  public static SpiffeId fromPath(TrustDomain trustDomain, String path) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(path, "path");
    IdRules.checkPath(path, 0, path.length());
    String prefix = trustDomain.idString();
    IdRules.checkIdLength(prefix.length() + path.length());
    return new SpiffeId(trustDomain, prefix + path, prefix.length());
  }

  /**
   * Builds an ID from a trust domain and path segments (each without {@code /}). No segments gives the trust
   * domain's own ID.
   *
   * @throws InvalidSpiffeIdException if a segment breaks a SPIFFE-ID rule
   */
  public static SpiffeId fromSegments(TrustDomain trustDomain, String... segments) {
    Objects.requireNonNull(segments, "segments");
    return fromSegments(trustDomain, List.of(segments));
  }

  /** As {@link #fromSegments(TrustDomain, String...)}. */
  public static SpiffeId fromSegments(TrustDomain trustDomain, List<String> segments) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    Objects.requireNonNull(segments, "segments");
    StringBuilder id = new StringBuilder(trustDomain.idString());
    int pathStart = id.length();
    for (String segment : segments) {
      Objects.requireNonNull(segment, "segment");
      IdRules.checkSegment(segment);
      id.append('/').append(segment);
    }
    IdRules.checkIdLength(id.length());
    return new SpiffeId(trustDomain, id.toString(), pathStart);
  }

  /** The trust domain this ID belongs to. */
  public TrustDomain trustDomain() {
    return trustDomain;
  }

  /** The path, empty or starting with {@code /}, exactly as given. */
  public String path() {
    return id.substring(pathStart);
  }

  /** Whether the path is empty, i.e. this is a trust domain's own ID. X509-SVID leaves must not have one. */
  public boolean isRootPath() {
    return pathStart == id.length();
  }

  /** Whether this ID belongs to the trust domain, by exact name: trust domains are not hierarchical. */
  public boolean memberOf(TrustDomain other) {
    return trustDomain.equals(other);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId && ((SpiffeId) o).id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public int compareTo(SpiffeId other) {
    return id.compareTo(other.id);
  }

  /** The ID string, {@code spiffe://<trust domain><path>}. */
  @Override
  public String toString() {
    return id;
  }
}
