/**
 * The spiffe4j demo. An application: it exports nothing. Being a module proves it uses only the exported API of
 * spiffe4j (no {@code io.spiffe4j.internal}), so it is an example users can copy.
 */
module io.spiffe4j.examples {
  requires io.spiffe4j.workloadapi;
  // --upstream akeyless: the Akeyless upstream authority, and the local gateway it talks to.
  requires io.spiffe4j.upstream.akeyless;
  requires io.spiffe4j.akeyless.testkit;
  // The server workload's HTTPS endpoint and the Workload API filter that guards it.
  requires jdk.httpserver;
}
