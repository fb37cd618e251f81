package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.akeyless.AkeylessClient;
import io.spiffe4j.mint.KeyAlgorithm;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The suite's last test (see {@code junit-platform.properties} and {@link SuiteProgress}): no secret any test of
 * this run registered with {@link SuiteSecrets} appears in any line SLF4J wrote during the run, DEBUG included, or in
 * any exception message or {@code toString()} a test recorded. A control proves that the scan finds secrets planted
 * through the same log file and in a cause's message. Nothing logged at ERROR either.
 */
@Order(Integer.MAX_VALUE)
class SecretScanTest {

  @Test
  void noRegisteredSecretInTheRunsLogOrObservedMessages() {
    assertEquals(List.of(), SuiteProgress.unfinishedBesides(SecretScanTest.class),
        "the scan runs after everything else in this run");
    SecretScanner scanner = SuiteSecrets.scanner();
    String log = SuiteSecrets.readLog();
    List<String[]> observed = SuiteSecrets.observed();
    if (SuiteProgress.finishedTestsBesides(SecretScanTest.class) > 0) {
      assertTrue(scanner.secretCount() > 0, "the tests that ran registered their secrets");
    }

    List<String> findings = new ArrayList<>(scanner.findings(SuiteSecrets.logFile().toString(), log));
    for (String[] text : observed) {
      findings.addAll(scanner.findings("a text observed at " + text[0], text[1]));
    }
    System.out.println("secret scan: " + scanner.secretCount() + " secrets " + SuiteSecrets.registeredByCategory()
        + " as " + scanner.fragmentCount() + " fragments, over " + log.lines().count() + " log lines and "
        + observed.size() + " observed texts, after " + SuiteProgress.finishedTestsBesides(SecretScanTest.class)
        + " tests");
    assertEquals(List.of(), findings, "secrets leaked (named by label; the secrets themselves are not shown)");
  }

  /** The client logs routine events at DEBUG and retries at WARN; the gateway logs ERROR only for its own bugs. */
  @Test
  void nothingInTheRunLoggedAtError() {
    List<String> errorLoggers = SuiteSecrets.readLog().lines()
        .filter(line -> line.contains("] ERROR "))
        .map(line -> line.substring(line.indexOf("] ERROR ") + 8).split(" ", 2)[0])
        .collect(Collectors.toList());
    assertEquals(List.of(), errorLoggers, "loggers that logged at ERROR");
  }

  @Test
  void controlScanFindsSecretsPlantedInTheLogFileAndInACause() {
    SecretScanner control = new SecretScanner();
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    String token = "t-" + HexFormat.of().formatHex(random);
    control.addSecret("planted token", token);
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    control.addPrivateKey("planted key", key.getPrivate());
    // P-256 PKCS#8: 36 bytes of structure (48 base64 characters), then the 32-byte private scalar.
    String pkcs8 = Base64.getEncoder().encodeToString(key.getPrivate().getEncoded());

    // Through the client's own logger, at DEBUG, into the very file the suite's scan reads.
    Logger clientLog = LoggerFactory.getLogger(AkeylessClient.class);
    long mark = SuiteSecrets.logMark();
    clientLog.debug("akeyless auth: answer {}", token);
    clientLog.debug("akeyless auth: key {}...", pkcs8.substring(50, 80));
    String logged = SuiteSecrets.logSince(mark);
    assertTrue(logged.contains("DEBUG " + AkeylessClient.class.getName()), logged);
    assertEquals(Set.of("planted token", "planted key"), labels(control.findings("log", SuiteSecrets.readLog())));

    Throwable planted = new CertAuthException(CertAuthException.Kind.SIGNING_FAILED, "the signer failed",
        new IllegalStateException("KMS said: " + ((java.security.interfaces.ECPrivateKey) key.getPrivate()).getS()
            .toString(16).substring(0, 30)));
    List<String> inMessages = new ArrayList<>();
    for (String text : SuiteSecrets.texts(planted)) {
      inMessages.addAll(control.findings("message", text));
    }
    assertEquals(Set.of("planted key"), labels(inMessages));

    assertEquals(List.of(), control.findings("clean", "akeyless auth attempt 1: HTTP 200 in 3 ms"));
    assertEquals(List.of(), SuiteSecrets.scanner().findings("planted", logged),
        "the control's secrets are its own: the suite's scan does not know them");
  }

  private static Set<String> labels(List<String> findings) {
    Set<String> labels = new TreeSet<>();
    for (String finding : findings) {
      labels.add(finding.substring(0, finding.indexOf(" in ")));
    }
    return labels;
  }
}
