package io.spiffe4j.akeyless.testkit;

import java.util.Objects;

/**
 * The access ID and access key of an access-key auth method. {@link #toString()} never shows the key. Immutable and
 * thread-safe.
 */
public final class AccessKeyCredentials {
  private final String accessId;
  private final String accessKey;

  AccessKeyCredentials(String accessId, String accessKey) {
    this.accessId = Objects.requireNonNull(accessId, "accessId");
    this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
  }

  /** Such as {@code p-3kd8a1x0q9zt}. */
  public String accessId() {
    return accessId;
  }

  /** The secret: standard base64 of 32 random bytes, so it ends in {@code =} as real keys do. */
  public String accessKey() {
    return accessKey;
  }

  @Override
  public String toString() {
    return "AccessKeyCredentials[accessId=" + accessId + ", accessKey=<redacted>]";
  }
}
