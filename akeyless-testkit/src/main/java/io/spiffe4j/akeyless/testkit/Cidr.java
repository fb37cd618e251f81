package io.spiffe4j.akeyless.testkit;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 CIDR block, parsed from literals only (never a DNS lookup). Immutable and thread-safe. */
final class Cidr {
  private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

  private final byte[] network;
  private final int prefix;
  private final String text;

  private Cidr(byte[] network, int prefix, String text) {
    this.network = network;
    this.prefix = prefix;
    this.text = text;
  }

  /** {@code 10.0.0.0/8}, {@code ::1/128}, or a bare address (a block of one). */
  static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String address = slash < 0 ? text : text.substring(0, slash);
    byte[] bytes = literal(address);
    int prefix = bytes.length * 8;
    if (slash >= 0) {
      try {
        prefix = Integer.parseInt(text.substring(slash + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("CIDR prefix length must be a number");
      }
      if (prefix < 0 || prefix > bytes.length * 8) {
        throw new IllegalArgumentException("CIDR prefix length out of range");
      }
    }
    return new Cidr(bytes, prefix, text);
  }

  /** The address bytes of an IP literal; a host name is refused rather than looked up. */
  static byte[] literal(String address) {
    if (IPV4.matcher(address).matches()) {
      String[] parts = address.split("\\.");
      byte[] bytes = new byte[4];
      for (int i = 0; i < 4; i++) {
        int octet = Integer.parseInt(parts[i]);
        if (octet > 255) {
          throw new IllegalArgumentException("not an IP address literal");
        }
        bytes[i] = (byte) octet;
      }
      return bytes;
    }
    // With a colon in it, the JDK parses an IPv6 literal or throws; it never falls back to DNS.
    if (address.indexOf(':') < 0) {
      throw new IllegalArgumentException("not an IP address literal");
    }
    try {
      return InetAddress.getByName(address).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      throw new IllegalArgumentException("not an IP address literal");
    }
  }

  boolean contains(byte[] address) {
    if (address.length != network.length) {
      return false;
    }
    int fullBytes = prefix / 8;
    for (int i = 0; i < fullBytes; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int remainingBits = prefix % 8;
    if (remainingBits == 0) {
      return true;
    }
    int mask = (0xff << (8 - remainingBits)) & 0xff;
    return (address[fullBytes] & mask) == (network[fullBytes] & mask);
  }

  @Override
  public String toString() {
    return text;
  }
}
