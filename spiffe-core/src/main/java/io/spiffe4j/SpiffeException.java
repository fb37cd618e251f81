package io.spiffe4j;

import java.util.Objects;
import java.util.Optional;

/**
 * Root of every error spiffe4j raises for bad input or a failed check.
 *
 * <p>Each failure carries a human {@linkplain #reason() reason} and, where a SPIFFE standard rule applies, the
 * {@linkplain #rule() rule ID} from the SPIFFE normative checklist (for example {@code SID-08} or {@code JWT-09}).
 * Messages name the broken rule and public context (IDs, trust domains, key IDs); they never contain tokens,
 * private keys or PEM bodies.
 *
 * <p>Unchecked so that authorizers and listeners stay lambdas; every verifying API is still fail-closed: it returns
 * a verified value or throws. Instances are immutable and thread-safe.
 */
public abstract class SpiffeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String reason;
  private final String rule;

  protected SpiffeException(String reason, String rule, Throwable cause) {
    super(format(reason, rule), cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.rule = rule;
  }

  private static String format(String reason, String rule) {
    return rule == null ? reason : reason + " [" + rule + "]";
  }

  /** The failed check as one human sentence, without the rule ID. */
  public String reason() {
    return reason;
  }

  /** The ID of the SPIFFE rule that failed (as listed in the SPIFFE checklist), when one applies. */
  public Optional<String> rule() {
    return Optional.ofNullable(rule);
  }
}
