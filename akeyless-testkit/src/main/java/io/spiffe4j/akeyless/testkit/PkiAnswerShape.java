package io.spiffe4j.akeyless.testkit;

/**
 * How an issuer spells the certificates in its {@code /get-pki-certificate} answer. Akeyless does not document the
 * encoding of {@code data} and {@code parent_cert}, so clients should be tested against each of these. Immutable and
 * thread-safe.
 */
public enum PkiAnswerShape {
  /** {@code data}: the issued certificate as PEM; {@code parent_cert}: the issuer chain as PEM. The default. */
  PEM_LEAF_AND_PARENT,
  /** {@code data}: the issued certificate followed by the issuer chain, as PEM; no {@code parent_cert}. */
  CHAIN_IN_DATA,
  /** {@code data}: the issued certificate followed by the issuer chain; {@code parent_cert}: the chain again. */
  CHAIN_IN_DATA_AND_PARENT,
  /** As {@link #PEM_LEAF_AND_PARENT}, but each value is the standard base64 of the PEM text. */
  BASE64_PEM
}
