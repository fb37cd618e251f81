package io.spiffe4j.certauth;

import io.spiffe4j.certauth.CertAuthException.Kind;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A signer outside this library's control (a KMS callback, a caller's lambda), made to keep the
 * {@link ChallengeSigner} contract: whatever it throws, and an empty answer, become a {@link CertAuthException}, and
 * it never sees the caller's challenge array itself.
 */
final class ExternalSigner implements ChallengeSigner {
  private final ChallengeSigner delegate;
  private final String description;

  private ExternalSigner(ChallengeSigner delegate, String description) {
    this.delegate = delegate;
    this.description = description;
  }

  /** {@code signer} guarded, unless it is one of this package's own signers, which already keep the contract. */
  static ChallengeSigner guard(ChallengeSigner signer) {
    return signer instanceof KeySigner || signer instanceof ExternalSigner
        ? signer : new ExternalSigner(signer, "the external signer");
  }

  static ChallengeSigner ofDigestSigner(UnaryOperator<byte[]> signSha256Digest) {
    return new ExternalSigner(challenge -> signSha256Digest.apply(sha256(challenge)), "the digest signer");
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  @Override
  public byte[] sign(byte[] challenge) {
    Objects.requireNonNull(challenge, "challenge");
    byte[] signature;
    try {
      signature = delegate.sign(challenge.clone());
    } catch (CertAuthException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new CertAuthException(Kind.SIGNING_FAILED, description + " failed: " + e.getClass().getName(), e);
    }
    if (signature == null || signature.length == 0) {
      throw new CertAuthException(Kind.SIGNING_FAILED, description + " returned no signature");
    }
    return signature;
  }

  @Override
  public String toString() {
    return "ChallengeSigner[" + description.substring("the ".length()) + "]";
  }
}
