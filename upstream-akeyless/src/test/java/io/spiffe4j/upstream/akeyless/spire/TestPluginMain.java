package io.spiffe4j.upstream.akeyless.spire;

/** The plugin process with {@link TestUpstream}: what the process tests and the real-SPIRE test launch. */
public final class TestPluginMain {
  private TestPluginMain() {
  }

  public static void main(String[] args) {
    PluginProcess.run(TestUpstream::create);
  }
}
