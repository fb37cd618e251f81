package io.spiffe4j.examples.demo;

import io.spiffe4j.authority.LocalUpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthorities;
import io.spiffe4j.authority.UpstreamAuthority;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Where the authority's CAs come from: the value of {@code --upstream}. */
enum Upstream {
  /** A root CA of the demo's own, in memory, signs each CA of the authority: no external service. */
  SELF_SIGNED("self-signed") {
    @Override
    Opened open() {
      LocalUpstreamAuthority upstream = UpstreamAuthorities.selfSigned();
      X509Certificate root = upstream.roots().get(0);
      return new Opened(upstream, "an in-memory self-signed root \"" + Certificates.name(root) + "\" "
          + Certificates.serial(root), () -> { });
    }
  };

  private final String option;

  Upstream(String option) {
    this.option = option;
  }

  /** The option's value naming this upstream. */
  String option() {
    return option;
  }

  /** Starts what this upstream needs and returns the upstream authority to give the SPIFFE authority. */
  abstract Opened open();

  /**
   * The upstream named by an option value.
   *
   * @throws IllegalArgumentException if none is named so
   */
  static Upstream fromOption(String value) {
    for (Upstream upstream : values()) {
      if (upstream.option.equals(value)) {
        return upstream;
      }
    }
    throw new IllegalArgumentException("unknown upstream \"" + value + "\": choose " + choices());
  }

  /** The option values, for usage messages. */
  static String choices() {
    return Arrays.stream(values()).map(Upstream::option).collect(Collectors.joining(" or "));
  }

  /**
   * A running upstream.
   *
   * @param authority what signs the SPIFFE authority's CAs
   * @param description one line saying what it is
   * @param stop stops what the upstream needed besides the authority, after the authority is closed
   */
  record Opened(UpstreamAuthority authority, String description, Runnable stop) implements AutoCloseable {
    @Override
    public void close() {
      try {
        authority.close();
      } finally {
        stop.run();
      }
    }
  }
}
