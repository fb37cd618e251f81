package io.spiffe4j.upstream.akeyless.spire;

/**
 * The entry point of the {@code spire-upstream-akeyless} plugin file (the jar's {@code Main-Class}). SPIRE Server
 * starts it as an external UpstreamAuthority plugin; run by hand it explains that and exits with status 1.
 */
public final class PluginMain {
  private PluginMain() {
  }

  public static void main(String[] args) {
    PluginProcess.run(AkeylessUpstreams::create);
  }
}
