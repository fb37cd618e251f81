package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.ClientCertificate;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.util.Base64;

/** {@code /get-cert-challenge} and signing its answer. Stateless. */
final class CertChallenge {
  static final String OPERATION = "get-cert-challenge";

  private CertChallenge() {}

  /** The challenge exactly as Akeyless sent it, checked to be non-empty standard base64. */
  static String fetch(AkeylessAuth.Exchange exchange, String accessId, String certData) {
    ApiRequest request = new ApiRequest(OPERATION).put("access-id", accessId).put("cert-data", certData);
    String challenge = ApiResponses.requiredText(OPERATION, exchange.post(request), "challenge");
    byte[] decoded;
    try {
      decoded = Base64.getDecoder().decode(challenge);
    } catch (IllegalArgumentException e) {
      throw ApiResponses.protocol(OPERATION, 0, "the challenge is not standard base64");
    }
    if (decoded.length == 0) {
      throw ApiResponses.protocol(OPERATION, 0, "the challenge is empty");
    }
    return challenge;
  }

  /** The {@code signed-cert-challenge}; a failing signer becomes a CREDENTIALS error. */
  static String sign(ClientCertificate certificate, String challenge) {
    try {
      return certificate.signChallenge(challenge);
    } catch (RuntimeException e) {
      throw new AkeylessException(Kind.CREDENTIALS, "auth", "the certificate challenge could not be signed", e);
    }
  }
}
