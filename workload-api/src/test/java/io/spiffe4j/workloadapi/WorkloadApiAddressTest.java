package io.spiffe4j.workloadapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkloadApiAddressTest {

  @ParameterizedTest(name = "WEP-08 valid: {0}")
  @CsvSource({
      "unix:///run/spire/agent.sock, /run/spire/agent.sock",
      "unix:/run/spire/agent.sock, /run/spire/agent.sock",
      "UNIX:///tmp/a.sock, /tmp/a.sock",
      "unix:///tmp/with%20space.sock, /tmp/with space.sock",
  })
  void WEP_08_unixAbsolutePathAccepted(String address, String path) {
    WorkloadApiAddress parsed = WorkloadApiAddress.parse(address);
    assertTrue(parsed.isUnix());
    assertEquals(Path.of(path), parsed.socketPath().orElseThrow());
    assertEquals(address, parsed.toString());
  }

  @ParameterizedTest(name = "WEP-09 valid: {0}")
  @CsvSource({
      "tcp://127.0.0.1:8000, 127.0.0.1, 8000",
      "tcp://[::1]:8000, ::1, 8000",
      "tcp://169.254.1.2:1, 169.254.1.2, 1",
      "tcp://10.0.0.1:65535, 10.0.0.1, 65535",
  })
  void WEP_09_tcpIpAndPortAccepted(String address, String ip, int port) throws Exception {
    WorkloadApiAddress parsed = WorkloadApiAddress.parse(address);
    assertFalse(parsed.isUnix());
    assertEquals(InetAddress.getByName(ip), parsed.ip().orElseThrow());
    assertEquals(port, parsed.port());
  }

  @ParameterizedTest(name = "{1}: {0}")
  @CsvSource(delimiter = '|', value = {
      "/run/spire/agent.sock         | WEP-07",
      "http://127.0.0.1:8000         | WEP-07",
      "npipe:agent                   | WEP-07",
      "unix agent.sock               | WEP-07",
      "unix://host/path              | WEP-08",
      "unix://localhost/tmp/a.sock   | WEP-08",
      "unix:relative/path            | WEP-08",
      "unix:///                      | WEP-08",
      "unix:///tmp/a.sock?x=1        | WEP-08",
      "unix:///tmp/a.sock#frag       | WEP-08",
      "unix://user@/tmp/a.sock       | WEP-08",
      "tcp://localhost:8000          | WEP-09",
      "tcp://example.org:8000        | WEP-09",
      "tcp://127.0.0.1               | WEP-09",
      "tcp://127.0.0.1:0             | WEP-09",
      "tcp://127.0.0.1:70000         | WEP-09",
      "tcp://127.0.0.1:8000/foo      | WEP-09",
      "tcp://127.0.0.1:8000/         | WEP-09",
      "tcp://127.0.0.1:8000?x=1      | WEP-09",
      "tcp://127.0.0.1:8000#frag     | WEP-09",
      "tcp://user@127.0.0.1:8000     | WEP-09",
      "tcp://300.1.1.1:8000          | WEP-09",
      "tcp://1.2.3:8000              | WEP-09",
      "tcp:127.0.0.1:8000            | WEP-09",
  })
  void malformedAddressRejectedNamingTheRule(String address, String rule) {
    WorkloadApiException e = assertThrows(WorkloadApiException.class, () -> WorkloadApiAddress.parse(address));
    assertEquals(Kind.INVALID_ADDRESS, e.kind());
    assertEquals(rule, e.rule().orElseThrow(), e.getMessage());
    assertFalse(e.isRetryable());
    assertTrue(e.getMessage().contains(address), e.getMessage());
  }

  @Test
  void WEP_08_goSpiffeLenienceOnAuthorityNotCopied() {
    // go-spiffe dials /path for unix://host/path; the standard forbids the authority, and so do we.
    WorkloadApiException e = assertThrows(WorkloadApiException.class,
        () -> WorkloadApiAddress.parse("unix://host/path"));
    assertTrue(e.getMessage().contains("authority"), e.getMessage());
  }

  @Test
  void WEP_06_environmentIsTheFallback() {
    WorkloadApiAddress parsed =
        WorkloadApiAddress.fromEnvironment(Map.of("SPIFFE_ENDPOINT_SOCKET", "unix:///tmp/agent.sock")::get);
    assertEquals(Path.of("/tmp/agent.sock"), parsed.socketPath().orElseThrow());
  }

  @Test
  void WEP_06_unsetOrEmptyEnvironmentIsNoAddress() {
    for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("SPIFFE_ENDPOINT_SOCKET", ""))) {
      WorkloadApiException e =
          assertThrows(WorkloadApiException.class, () -> WorkloadApiAddress.fromEnvironment(env::get));
      assertEquals(Kind.NO_ADDRESS, e.kind());
      assertEquals("WEP-06", e.rule().orElseThrow());
      assertFalse(e.isRetryable());
    }
  }

  @Test
  void WEP_06_invalidEnvironmentValueIsInvalidAddress() {
    WorkloadApiException e = assertThrows(WorkloadApiException.class,
        () -> WorkloadApiAddress.fromEnvironment(Map.of("SPIFFE_ENDPOINT_SOCKET", "tcp://localhost:1")::get));
    assertEquals(Kind.INVALID_ADDRESS, e.kind());
  }

  @Test
  void unixFactoryNeedsAbsolutePath() {
    assertThrows(IllegalArgumentException.class, () -> WorkloadApiAddress.unix(Path.of("relative.sock")));
    assertEquals(WorkloadApiAddress.parse("unix:///tmp/a.sock"), WorkloadApiAddress.unix(Path.of("/tmp/a.sock")));
  }

  @Test
  void builderRejectsBadAddressEagerly() {
    WorkloadApiException e = assertThrows(WorkloadApiException.class,
        () -> WorkloadApiClient.builder().address("unix://host/x"));
    assertEquals(Kind.INVALID_ADDRESS, e.kind());
  }
}
