package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.ChallengeSigner;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.util.Base64;

/** {@code /get-cert-challenge} and signing its answer. Stateless. */
final class CertChallenge {
  static final String OPERATION = "get-cert-challenge";

  private CertChallenge() {}

  /** The challenge exactly as Akeyless sent it (base64 text), checked to decode. */
  static String fetch(AkeylessAuth.Exchange exchange, String accessId, String certData) {
    ApiRequest request = new ApiRequest(OPERATION).put("access-id", accessId).put("cert-data", certData);
    String challenge = ApiResponses.requiredText(OPERATION, exchange.post(request), "challenge");
    decode(challenge);
    return challenge;
  }

  /** Signs the decoded challenge bytes; the signer's failure becomes a CREDENTIALS error. */
  static byte[] sign(ChallengeSigner signer, String challenge) {
    byte[] signature;
    try {
      signature = signer.sign(decode(challenge));
    } catch (RuntimeException e) {
      throw new AkeylessException(Kind.CREDENTIALS, "auth", "the certificate challenge could not be signed", e);
    }
    if (signature == null || signature.length == 0) {
      throw new AkeylessException(Kind.CREDENTIALS, "auth", "the challenge signer returned no signature");
    }
    return signature;
  }

  private static byte[] decode(String challenge) {
    byte[] bytes;
    try {
      bytes = Certificates.decodeBase64(challenge);
    } catch (IllegalArgumentException e) {
      throw ApiResponses.protocol(OPERATION, 0, "the challenge is not base64");
    }
    if (bytes.length == 0) {
      throw ApiResponses.protocol(OPERATION, 0, "the challenge is empty");
    }
    return bytes;
  }
}
