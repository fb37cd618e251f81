package io.spiffe4j.authority;

import io.spiffe4j.SpiffeException;
import java.util.Objects;

/**
 * An {@link UpstreamAuthority} could not mint. The {@link #kind()} tells callers (and the SPIRE plugin, which maps it
 * to a gRPC status) whether trying again can help. Messages carry the upstream's own error text where it gave one,
 * and never a credential. Immutable and thread-safe.
 */
public final class UpstreamAuthorityException extends SpiffeException {
  private static final long serialVersionUID = 1L;

  /** Why the mint failed. */
  public enum Kind {
    /** The upstream's configuration cannot work (unknown issuer, not a CA issuer, URI SAN not allowed...). */
    MISCONFIGURED,
    /** The upstream did not accept the credentials. */
    UNAUTHENTICATED,
    /** The request itself is invalid (a malformed CSR, a TTL the upstream refuses). */
    INVALID_REQUEST,
    /** The upstream could not be reached or failed on its side; a later try may succeed. */
    UNAVAILABLE
  }

  private final Kind kind;

  public UpstreamAuthorityException(Kind kind, String reason, Throwable cause) {
    super(reason, null, cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  public UpstreamAuthorityException(Kind kind, String reason) {
    this(kind, reason, null);
  }

  /** Why the mint failed. */
  public Kind kind() {
    return kind;
  }

  /** Whether the same request may succeed later without a change of configuration. */
  public boolean isRetryable() {
    return kind == Kind.UNAVAILABLE;
  }
}
