package io.spiffe4j.upstream.akeyless.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.spiffe4j.upstream.akeyless.internal.proto.ConfigGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.InitRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The product of {@code package}: the single executable file SPIRE runs as {@code plugin_cmd} (a sh stub in front of
 * the shaded jar) and its {@code .sha256}. Runs after packaging (failsafe); the launcher's path comes from the build.
 */
@Tag("launcher")
class LauncherIT {
  private static final Path LAUNCHER = Path.of(System.getProperty("spiffe4j.plugin.launcher",
      "target/spire-upstream-akeyless"));

  @Test
  void launcher_isOneExecutableFile_shStubThenJar_withItsChecksumBeside() throws Exception {
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(LAUNCHER)));
    assertTrue(new String(Files.readAllBytes(LAUNCHER), 0, 10, StandardCharsets.US_ASCII).startsWith("#!/bin/sh\n"));
    try (ZipFile jar = new ZipFile(LAUNCHER.toFile())) {
      assertTrue(jar.getEntry(PluginMain.class.getName().replace('.', '/') + ".class") != null);
    }
    String checksumFile = Files.readString(Path.of(LAUNCHER + ".sha256"), StandardCharsets.US_ASCII);
    assertEquals(UpstreamPluginSpireTest.sha256(LAUNCHER) + "  " + LAUNCHER.getFileName() + "\n", checksumFile);
  }

  @Test
  void launcher_speaksGoPlugin_onlyTheHandshakeOnStdout_andExitsPromptlyOnShutdown() throws Exception {
    // SPIFFE4J_JAVA wins over JAVA_HOME, which here points nowhere.
    try (PluginClient plugin = PluginClient.launch(List.of(LAUNCHER.toAbsolutePath().toString()), Map.of(
        "SPIFFE4J_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "JAVA_HOME", "/nonexistent"))) {
      assertEquals(List.of(UpstreamAuthorityGrpc.SERVICE_NAME, ConfigGrpc.SERVICE_NAME),
          plugin.init().init(InitRequest.getDefaultInstance()).getPluginServiceNamesList());
      StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
          () -> plugin.config().configure(PluginProcessTest.configure("access_type = \"aws_iam\"\n")));
      assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
      assertTrue(bad.getStatus().getDescription().contains("aws_iam"), bad.getStatus().getDescription());

      Duration exit = plugin.shutdown(Duration.ofSeconds(2));

      assertEquals(0, plugin.process.exitValue());
      assertEquals(List.of(), plugin.stdoutAfterHandshake());
      PluginProcessTest.assertHclogLines(plugin.stderrLinesAfterExit());
      assertFalse(Files.exists(plugin.socket.getParent()));
      System.out.printf("launcher: start to handshake %d ms, exit after Shutdown %d ms%n",
          plugin.startToHandshake().toMillis(), exit.toMillis());
    }
  }

  @Test
  void launcher_runByHand_explainsAndExitsWithStatusOne() throws Exception {
    Process process = PluginClient.start(List.of(LAUNCHER.toAbsolutePath().toString()), Map.of("UpstreamAuthority", ""));
    PluginClient.Output stdout = new PluginClient.Output(process.getInputStream());
    PluginClient.Output stderr = new PluginClient.Output(process.getErrorStream());

    assertTrue(process.waitFor(30, TimeUnit.SECONDS));
    assertEquals(1, process.exitValue());
    stdout.awaitEnd();
    stderr.awaitEnd();
    assertEquals(List.of(), stdout.lines());
    assertTrue(String.join("\n", stderr.lines()).contains("not meant to be run by hand"), stderr.lines()::toString);
  }
}
