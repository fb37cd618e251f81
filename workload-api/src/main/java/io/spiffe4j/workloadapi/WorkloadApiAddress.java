package io.spiffe4j.workloadapi;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The address of a Workload API endpoint, parsed by the Workload Endpoint standard (§4): a Unix domain socket
 * {@code unix:///absolute/path} (or {@code unix:/absolute/path}) or a TCP endpoint {@code tcp://IP:PORT}.
 *
 * <p>Strict by design: {@code unix://host/path} is rejected because a Unix address must not have an authority
 * (WEP-08), although go-spiffe accepts it and dials {@code /path}; a TCP host must be an IP literal, never a name
 * that would need DNS (WEP-09); no userinfo, query or fragment anywhere, and no path for TCP. The scheme is
 * compared case-insensitively (RFC 3986 §3.1). Every rejection is a {@link WorkloadApiException} of kind
 * {@link WorkloadApiException.Kind#INVALID_ADDRESS} naming the broken rule.
 *
 * <p>Immutable and thread-safe; equal when the socket path or the IP and port are equal.
 */
public final class WorkloadApiAddress {
  /** The environment variable a client falls back to when no address is configured (WEP-06). */
  public static final String ENDPOINT_SOCKET_ENV = "SPIFFE_ENDPOINT_SOCKET";

  private static final Pattern IPV4 =
      Pattern.compile("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");

  private final String text;
  private final Path socketPath;
  private final InetAddress ip;
  private final int port;

  private WorkloadApiAddress(String text, Path socketPath, InetAddress ip, int port) {
    this.text = text;
    this.socketPath = socketPath;
    this.ip = ip;
    this.port = port;
  }

  /**
   * Parses an endpoint address.
   *
   * @throws WorkloadApiException of kind {@code INVALID_ADDRESS} if the address breaks WEP-07, WEP-08 or WEP-09
   */
  public static WorkloadApiAddress parse(String address) {
    Objects.requireNonNull(address, "address");
    URI uri;
    try {
      uri = new URI(address);
    } catch (URISyntaxException e) {
      throw invalid(address, "is not a valid URI", "WEP-07");
    }
    String scheme = uri.getScheme();
    if (scheme == null) {
      throw invalid(address, "has no scheme; use unix:///path or tcp://IP:PORT", "WEP-07");
    }
    switch (scheme.toLowerCase(Locale.ROOT)) {
      case "unix":
        return parseUnix(address, uri);
      case "tcp":
        return parseTcp(address, uri);
      default:
        throw invalid(address, "has scheme \"" + scheme + "\"; the scheme must be unix or tcp", "WEP-07");
    }
  }

  /**
   * The address in {@code SPIFFE_ENDPOINT_SOCKET}: the fallback when a client is not configured explicitly (WEP-06).
   *
   * @throws WorkloadApiException of kind {@code NO_ADDRESS} if the variable is unset or empty, or of kind
   *     {@code INVALID_ADDRESS} if its value is not a valid address
   */
  public static WorkloadApiAddress fromEnvironment() {
    return fromEnvironment(System::getenv);
  }

  static WorkloadApiAddress fromEnvironment(Function<String, String> environment) {
    String value = environment.apply(ENDPOINT_SOCKET_ENV);
    if (value == null || value.isEmpty()) {
      throw new WorkloadApiException(WorkloadApiException.Kind.NO_ADDRESS,
          "no Workload API address configured and " + ENDPOINT_SOCKET_ENV + " is not set", "WEP-06");
    }
    return parse(value);
  }

  /** A Unix domain socket address for an absolute path. */
  public static WorkloadApiAddress unix(Path socketPath) {
    Objects.requireNonNull(socketPath, "socketPath");
    if (!socketPath.isAbsolute()) {
      throw new IllegalArgumentException("socket path must be absolute (WEP-08): " + socketPath);
    }
    return new WorkloadApiAddress("unix://" + socketPath, socketPath, null, 0);
  }

  private static WorkloadApiAddress parseUnix(String address, URI uri) {
    if (uri.isOpaque()) {
      throw invalid(address, "has a relative path; a unix address needs an absolute socket path", "WEP-08");
    }
    if (uri.getRawAuthority() != null) {
      throw invalid(address, "has an authority (\"" + uri.getRawAuthority()
          + "\"); a unix address must not have one: use unix:///path", "WEP-08");
    }
    rejectQueryAndFragment(address, uri, "WEP-08");
    String path = uri.getPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      throw invalid(address, "has no socket path", "WEP-08");
    }
    return new WorkloadApiAddress(address, Path.of(path), null, 0);
  }

  private static WorkloadApiAddress parseTcp(String address, URI uri) {
    if (uri.isOpaque()) {
      throw invalid(address, "is not of the form tcp://IP:PORT", "WEP-09");
    }
    if (uri.getRawUserInfo() != null) {
      throw invalid(address, "has userinfo; a tcp address is only tcp://IP:PORT", "WEP-09");
    }
    rejectQueryAndFragment(address, uri, "WEP-09");
    if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
      throw invalid(address, "has a path; a tcp address is only tcp://IP:PORT", "WEP-09");
    }
    String host = uri.getHost();
    if (host == null) {
      throw invalid(address, "has no IP:PORT authority", "WEP-09");
    }
    InetAddress ip = ipLiteral(host).orElseThrow(
        () -> invalid(address, "has host \"" + host + "\"; the host must be an IP address", "WEP-09"));
    if (uri.getPort() < 1 || uri.getPort() > 65535) {
      throw invalid(address, "has no port or a port outside 1-65535", "WEP-09");
    }
    return new WorkloadApiAddress(address, null, ip, uri.getPort());
  }

  private static void rejectQueryAndFragment(String address, URI uri, String rule) {
    if (uri.getRawQuery() != null) {
      throw invalid(address, "has a query component", rule);
    }
    if (uri.getRawFragment() != null) {
      throw invalid(address, "has a fragment component", rule);
    }
  }

  /** The IP of a literal only: checked by pattern first so that {@link InetAddress} never resolves a name. */
  private static Optional<InetAddress> ipLiteral(String host) {
    boolean v6 = host.length() > 2 && host.startsWith("[") && host.endsWith("]")
        && IPV6_CHARS.matcher(host.substring(1, host.length() - 1)).matches();
    if (!v6 && !IPV4.matcher(host).matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByName(v6 ? host.substring(1, host.length() - 1) : host));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static WorkloadApiException invalid(String address, String problem, String rule) {
    return new WorkloadApiException(WorkloadApiException.Kind.INVALID_ADDRESS,
        "Workload API address \"" + address + "\" " + problem, rule);
  }

  /** Whether this is a Unix domain socket address (otherwise TCP). */
  public boolean isUnix() {
    return socketPath != null;
  }

  /** The socket path of a Unix address. */
  public Optional<Path> socketPath() {
    return Optional.ofNullable(socketPath);
  }

  /** The IP of a TCP address. */
  public Optional<InetAddress> ip() {
    return Optional.ofNullable(ip);
  }

  /** The port of a TCP address; 0 for a Unix address. */
  public int port() {
    return port;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof WorkloadApiAddress)) {
      return false;
    }
    WorkloadApiAddress other = (WorkloadApiAddress) o;
    return Objects.equals(socketPath, other.socketPath) && Objects.equals(ip, other.ip) && port == other.port;
  }

  @Override
  public int hashCode() {
    return Objects.hash(socketPath, ip, port);
  }

  /** The address as given. */
  @Override
  public String toString() {
    return text;
  }
}
