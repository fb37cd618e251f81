package io.spiffe4j.benchmarks;

/**
 * What a benchmark's {@code implementation} parameter names: the code under test, its competitor, or a floor. The
 * parameter stays a string so that tables read {@code spiffe4j} and {@code java-spiffe}; the benchmark turns it into
 * this enum once, in its setup.
 */
enum Implementation {
  /** spiffe4j's public API. */
  SPIFFE4J("spiffe4j"),
  /** java-spiffe 0.8.17's public API, the competitor. */
  JAVA_SPIFFE("java-spiffe"),
  /** The operation's signature checks alone, with the JDK's {@link java.security.Signature}. */
  FLOOR_JDK("floor-jdk"),
  /** The operation's signature checks alone, with BouncyCastle's lightweight verifiers: the fastest on the JVM. */
  FLOOR_BC("floor-bc"),
  /** The parse of the presented certificates alone, which both implementations pay and the floors do not. */
  PARSE_ONLY("parse-only");

  private final String parameter;

  Implementation(String parameter) {
    this.parameter = parameter;
  }

  static Implementation of(String parameter) {
    for (Implementation implementation : values()) {
      if (implementation.parameter.equals(parameter)) {
        return implementation;
      }
    }
    throw new IllegalArgumentException("unknown implementation: " + parameter);
  }
}
