package io.spiffe4j.examples.demo;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.bundle.BundleSet;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.workloadapi.JwtSource;
import io.spiffe4j.workloadapi.WorkloadApiAddress;
import io.spiffe4j.workloadapi.WorkloadApiClient;
import io.spiffe4j.workloadapi.X509Context;
import io.spiffe4j.workloadapi.X509Source;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * What one workload knows of its identity, all of it from the Workload API: its X509-SVID and the X.509 bundles
 * ({@link X509Source}), and JWT-SVIDs and the JWT bundles ({@link JwtSource}). Both sources share one
 * {@link WorkloadApiClient}, so the workload holds one connection to its socket; they keep themselves current from
 * the server's pushes, so a rotation needs no action from the workload.
 *
 * <p>Thread-safe. {@link #close()} closes the sources, then the client they share.
 */
final class WorkloadIdentity implements AutoCloseable {
  /** How long to wait for the first SVID, and for a pushed update: far more than a local socket needs. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final WorkloadApiClient client;
  private final X509Source x509;
  private final JwtSource jwt;

  private WorkloadIdentity(WorkloadApiClient client, X509Source x509, JwtSource jwt) {
    this.client = client;
    this.x509 = x509;
    this.jwt = jwt;
  }

  /**
   * Connects to the workload's Workload API socket and waits until its SVID and bundles have arrived.
   *
   * @throws io.spiffe4j.workloadapi.SourceException if they do not arrive within {@link #TIMEOUT}
   */
  static WorkloadIdentity connect(WorkloadApiAddress address) {
    WorkloadApiClient client = WorkloadApiClient.builder().address(address).build();
    X509Source x509 = null;
    try {
      // A source given a client shares it and never closes it: this class closes it after both sources.
      x509 = X509Source.builder().client(client).initTimeout(TIMEOUT).build();
      JwtSource jwt = JwtSource.builder().client(client).initTimeout(TIMEOUT).build();
      return new WorkloadIdentity(client, x509, jwt);
    } catch (RuntimeException e) {
      if (x509 != null) {
        x509.close();
      }
      client.close();
      throw e;
    }
  }

  /** The X509-SVID and X.509 bundles: the key and trust material for TLS, rotated by the server's pushes. */
  X509Source x509() {
    return x509;
  }

  /** JWT-SVIDs (fetched and cached) and the JWT bundles that validate them. */
  JwtSource jwt() {
    return jwt;
  }

  /** The SVID the workload holds now. */
  X509Svid svid() {
    return x509.x509Svid();
  }

  /**
   * Waits for the server to push an X509-SVID signed by {@code ca}: after a CA rotation, the authority re-issues
   * every SVID and the Workload API server sends each workload its new one.
   *
   * @throws DemoFailure if none arrives within {@link #TIMEOUT}
   */
  X509Svid awaitSvidSignedBy(AuthorityCa ca, String what) {
    X509Context context = awaitPush(what, x509::addListener, x509::removeListener,
        update -> Certificates.isSignedBy(update.defaultSvid(), ca));
    return context.defaultSvid();
  }

  /**
   * Waits until the pushed bundles hold the CA's roots (X.509) and its JWT key, so that this workload already
   * trusts what the CA will sign once it is activated.
   *
   * @throws DemoFailure if they do not arrive within {@link #TIMEOUT}
   */
  void awaitTrustIn(AuthorityCa ca, TrustDomain trustDomain, String what) {
    awaitPush(what + ": X.509 roots", x509::addListener, x509::removeListener,
        update -> update.bundles().x509BundleFor(trustDomain).x509Authorities().containsAll(ca.roots()));
    awaitPush(what + ": JWT key " + ca.jwtKeyId(), jwt::addListener, jwt::removeListener,
        (BundleSet update) -> update.jwtBundleFor(trustDomain).findJwtAuthority(ca.jwtKeyId()).isPresent());
  }

  /**
   * The first update that passes {@code test}. A source calls a new listener with its current state at once, then
   * with every update, so an update that came before this call is not missed.
   */
  private static <T> T awaitPush(String what, BiConsumer<Consumer<T>, Executor> addListener,
      Consumer<Consumer<T>> removeListener, Predicate<T> test) {
    CompletableFuture<T> arrived = new CompletableFuture<>();
    Consumer<T> listener = update -> {
      if (test.test(update)) {
        arrived.complete(update);
      }
    };
    addListener.accept(listener, Runnable::run);
    try {
      return arrived.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new DemoFailure(what + ": nothing arrived from the Workload API within " + TIMEOUT.toSeconds() + " s");
    } catch (ExecutionException e) {
      throw new DemoFailure(what + ": " + e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DemoFailure(what + ": interrupted");
    } finally {
      removeListener.accept(listener);
    }
  }

  @Override
  public void close() {
    jwt.close();
    x509.close();
    client.close();
  }
}
