/**
 * A real SPIRE Server and Agent for tests: {@link io.spiffe4j.testkit.spire.Spire} (plain {@code AutoCloseable}) and
 * {@link io.spiffe4j.testkit.spire.SpireExtension} (JUnit 5), running the SPIRE {@value
 * io.spiffe4j.testkit.spire.SpireInstallation#VERSION} binaries that {@code scripts/install-spire.sh} builds.
 *
 * <p><b>Workload identities.</b> SPIRE's {@code unix} workload attestor identifies a caller by its process, and every
 * process a test starts shares the test JVM's uid. The fixture therefore separates workloads by uid: an entry with
 * {@code unix:uid:N} matches only processes running as uid N; the test JVM is {@link
 * io.spiffe4j.testkit.spire.WorkloadUser#current()}, and a second workload runs as another uid through {@link
 * io.spiffe4j.testkit.spire.WorkloadUser#command} ({@code setpriv}, which needs root, as in CI). The agent's
 * socket is reachable by every uid (its directory is 0755, the socket 0777). Give each workload of a test its own uid
 * and one entry per uid: a uid matching two entries gets two SVIDs, in no guaranteed order.
 *
 * <p><b>Entry propagation.</b> The server reloads its entry cache and the agent syncs every second (SPIRE's default is
 * five), and {@link io.spiffe4j.testkit.spire.Spire#createEntry} returns only once the agent's log says it holds the
 * entry's SVID, so the next fetch of a matching workload succeeds without retrying.
 */
package io.spiffe4j.testkit.spire;
