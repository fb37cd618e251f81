package io.spiffe4j.certauth.akeyless;

import java.time.Instant;
import java.util.Objects;

/**
 * An Akeyless access token ({@code t-...}) and when it expires. The token is a bearer credential: only
 * {@link #reveal()} returns it, and {@link #toString()} never shows it.
 *
 * <p>{@link #expiresAt()} is what Akeyless said when it could be read ({@link #expirationFromServer()}); otherwise
 * the client's configured assumed lifetime from the moment the token was obtained. Immutable and thread-safe.
 */
public final class AkeylessToken {
  private final String value;
  private final Instant expiresAt;
  private final boolean expirationFromServer;

  AkeylessToken(String value, Instant expiresAt, boolean expirationFromServer) {
    this.value = Objects.requireNonNull(value, "value");
    this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    this.expirationFromServer = expirationFromServer;
  }

  /**
   * The token itself, to pass as {@code "token"} to other Akeyless operations. It grants the authenticated identity's
   * permissions to whoever holds it: never log it or put it in a message.
   */
  public String reveal() {
    return value;
  }

  /** When the token stops being valid, as Akeyless said or as assumed. */
  public Instant expiresAt() {
    return expiresAt;
  }

  /** Whether {@link #expiresAt()} was read from Akeyless's answer rather than assumed. */
  public boolean expirationFromServer() {
    return expirationFromServer;
  }

  /** The expiry only; never the token. */
  @Override
  public String toString() {
    return "AkeylessToken[expiresAt=" + expiresAt + (expirationFromServer ? "" : " (assumed)") + ", value=redacted]";
  }
}
