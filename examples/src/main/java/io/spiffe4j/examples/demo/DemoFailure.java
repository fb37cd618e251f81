package io.spiffe4j.examples.demo;

/** A step of the demo did not turn out as it must: the message says which and what happened instead. */
final class DemoFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  DemoFailure(String message) {
    super(message);
  }
}
