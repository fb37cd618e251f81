package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.CertAuthSettings;
import io.spiffe4j.akeyless.testkit.Op;
import io.spiffe4j.akeyless.testkit.RequestRecord;
import io.spiffe4j.certauth.ToolKeys.KeyFile;
import io.spiffe4j.certauth.akeyless.AkeylessAuth;
import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.certauth.akeyless.TestGateway;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every key file the real tools write ({@link ToolKeys}: RSA-2048/4096 and EC P-256/384/521 in PKCS#8 PEM and DER,
 * PKCS#1/SEC1, SEC1 after EC PARAMETERS, OpenSSH, encrypted PKCS#8 PEM and DER, legacy encrypted PEM and encrypted
 * OpenSSH), loaded with {@link ClientCertificate#fromFiles} and used as is for certificate authentication over HTTPS
 * against the Akeyless testkit's gateway, whose cert auth method trusts the CA that issued the files' certificates.
 * Ed25519 files load as keys but are refused before any request: Akeyless verifies RSA and ECDSA only.
 */
class KeyFormatRoundTripTest {
  private static TestGateway gw;
  private static String accessId;

  @BeforeAll
  static void start() {
    gw = new TestGateway();
    accessId = gw.gateway.createCertAuthMethod(CertAuthSettings.builder("tool-keys", ToolKeys.ca())
        .boundCommonNames("openssl-*", "ecparam-*", "ssh-*").build());
  }

  @AfterAll
  static void stop() {
    gw.close();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.spiffe4j.certauth.KeyFormatsTest#signingKeys")
  void authenticatesWithTheKeyFile(KeyFile file) {
    ClientCertificate certificate = SuiteSecrets.observeToString(
        ClientCertificate.fromFiles(file.leafPem, file.path, file.password()));
    try (AkeylessClient client = gw.open(AkeylessAuth.certificate(accessId, certificate))) {
      assertTrue(SuiteSecrets.observeToString(client.token()).reveal().startsWith("t-"));
    }
    List<RequestRecord> requests = gw.gateway.requests();
    RequestRecord challenge = requests.get(requests.size() - 2);
    RequestRecord auth = requests.get(requests.size() - 1);
    assertEquals(Op.GET_CERT_CHALLENGE, challenge.op());
    assertEquals(200, challenge.status(), challenge::toString);
    assertEquals(Op.AUTH, auth.op());
    assertEquals(200, auth.status(), auth::toString);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("io.spiffe4j.certauth.KeyFormatsTest#ed25519Keys")
  void ed25519IsRefusedBeforeAnyRequest(KeyFile file) {
    int before = gw.gateway.requests().size();
    CertAuthException e = SuiteSecrets.assertThrows(CertAuthException.class,
        () -> ClientCertificate.fromFiles(file.leafPem, file.path, file.password()));
    assertEquals(CertAuthException.Kind.UNSUPPORTED_ALGORITHM, e.kind(), e::getMessage);
    assertEquals(before, gw.gateway.requests().size());
  }
}
