package io.spiffe4j.certauth.akeyless;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The base URL every operation is appended to, used as given: {@code https://gw:8000/api/v2},
 * {@code https://gw:8081}, {@code https://gw:8080/v2} and {@code https://api.akeyless.io} are all bases. Only
 * trailing slashes are dropped. Immutable and thread-safe.
 */
final class GatewayUrl {
  private final String base;

  private GatewayUrl(String base) {
    this.base = base;
  }

  static GatewayUrl parse(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw invalid("the gateway URL is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      throw invalid("the gateway URL must start with https:// or http://");
    }
    if (uri.getHost() == null) {
      throw invalid("the gateway URL has no host");
    }
    // Credentials in a URL would end up in messages and proxies' logs; Akeyless takes none there.
    if (uri.getRawUserInfo() != null) {
      throw invalid("the gateway URL must not carry user information");
    }
    if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
      throw invalid("the gateway URL must not have a query or fragment");
    }
    String text = scheme + uri.toString().substring(scheme.length());
    while (text.endsWith("/")) {
      text = text.substring(0, text.length() - 1);
    }
    return new GatewayUrl(text);
  }

  private static AkeylessException invalid(String problem) {
    return new AkeylessException(AkeylessException.Kind.INVALID_INPUT, "configure", problem);
  }

  /** The URL of one operation, for example {@code auth}: {@code POST base/auth}. */
  URI operation(String op) {
    return URI.create(base + "/" + op);
  }

  @Override
  public String toString() {
    return base;
  }
}
