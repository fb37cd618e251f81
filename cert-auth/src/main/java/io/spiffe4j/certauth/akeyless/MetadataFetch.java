package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A GET to a link-local metadata service (GCE metadata server, Azure IMDS): never through a proxy, never
 * redirected, with short timeouts, since these services answer in milliseconds or not at all. Stateless.
 */
final class MetadataFetch {
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final int MAX_ANSWER_BYTES = 64 * 1024;

  private MetadataFetch() {}

  /** Checks a metadata base URL given by the caller: http(s), a host, no query or fragment. */
  static URI baseUrl(URI url, String what) {
    String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null
        || url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
      throw new IllegalArgumentException(what + " URL must be http(s)://host[:port][/path] without query, was "
          + url.getScheme() + "://" + url.getHost());
    }
    String text = url.toString();
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return URI.create(text);
  }

  /**
   * The metadata base URL an environment variable overrides {@code fallback} with: {@code prefix} and the value
   * (unset or empty means {@code fallback}, as Google's and Azure's own libraries treat it). The value must make an
   * http(s) base URL; with {@code hostOnly}, one without a path.
   *
   * @throws AkeylessException of kind INVALID_INPUT naming the variable, its value and the expected {@code form}
   */
  static URI fromEnvironment(Function<String, String> environment, String variable, String prefix, boolean hostOnly,
      String form, URI fallback) {
    String value = environment.apply(variable);
    if (value == null || value.isEmpty()) {
      return fallback;
    }
    try {
      URI url = baseUrl(new URI(prefix + value), variable);
      if (!hostOnly || url.getRawPath().isEmpty()) {
        return url;
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // Reported below, naming the variable rather than the URI parser's view of it.
    }
    // The variable holds an address, never a credential, so showing it tells the operator what is wrong.
    throw new AkeylessException(Kind.INVALID_INPUT, "auth", "environment variable " + variable + " must be " + form
        + ", was '" + ApiResponses.clean(value, List.of()) + "'");
  }

  /** The body of a 200 answer; anything else is a {@link Kind#CREDENTIALS} failure naming {@code what}. */
  static byte[] get(URI uri, String header, String value, String what) {
    HttpClient client = HttpClient.newBuilder()
        .proxy(HttpClient.Builder.NO_PROXY)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(CONNECT_TIMEOUT)
        .build();
    try {
      HttpRequest request = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).header(header, value).GET().build();
      HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (response.statusCode() != 200) {
        throw credentials(what + " answered HTTP " + response.statusCode(), null);
      }
      if (response.body().length > MAX_ANSWER_BYTES) {
        throw credentials(what + " answered with more than " + MAX_ANSWER_BYTES + " bytes", null);
      }
      return response.body();
    } catch (IOException e) {
      String problem = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      throw credentials("cannot reach " + what + ": " + ApiResponses.clean(problem, List.of()), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AkeylessException(Kind.CLOSED, "auth", "interrupted while asking " + what, e);
    } finally {
      if (client instanceof AutoCloseable) {
        closeQuietly((AutoCloseable) client);
      }
    }
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      // Only JDK 21+ clients close; nothing was in flight any more, so there is nothing to report.
    }
  }

  static AkeylessException credentials(String problem, Throwable cause) {
    return new AkeylessException(Kind.CREDENTIALS, "auth", problem, cause);
  }
}
