package io.spiffe4j.certauth.akeyless;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The pod's Kubernetes service-account token, read from a file on every authentication (the kubelet rotates
 * projected tokens) and trimmed. The Gateway checks it with a TokenReview; Akeyless itself never sees it.
 *
 * <p>Immutable and thread-safe; {@link #toString()} shows the path, never the token.
 */
public final class KubernetesServiceAccountToken implements IdentityTokenSupplier {
  /** Where Kubernetes mounts the token by default. */
  public static final Path DEFAULT_PATH = Path.of("/var/run/secrets/kubernetes.io/serviceaccount/token");

  private final Path path;

  private KubernetesServiceAccountToken(Path path) {
    this.path = Objects.requireNonNull(path, "path");
  }

  /** Reads {@link #DEFAULT_PATH}. */
  public static KubernetesServiceAccountToken fromDefaultPath() {
    return fromFile(DEFAULT_PATH);
  }

  public static KubernetesServiceAccountToken fromFile(Path path) {
    return new KubernetesServiceAccountToken(path);
  }

  /** @throws AkeylessException of kind CREDENTIALS if the file cannot be read or is empty */
  @Override
  public String fetchToken() {
    String token;
    try {
      token = Files.readString(path, StandardCharsets.UTF_8).trim();
    } catch (NoSuchFileException e) {
      throw MetadataFetch.credentials("no Kubernetes service-account token at " + path
          + " (is this a pod with a mounted service account?)", null);
    } catch (IOException e) {
      throw MetadataFetch.credentials("cannot read the Kubernetes service-account token " + path + ": "
          + e.getClass().getSimpleName(), e);
    }
    if (token.isEmpty()) {
      throw MetadataFetch.credentials("the Kubernetes service-account token " + path + " is empty", null);
    }
    return token;
  }

  @Override
  public String toString() {
    return "KubernetesServiceAccountToken[" + path + "]";
  }
}
