package io.spiffe4j.examples.demo;

import static io.spiffe4j.examples.demo.Certificates.isSignedBy;
import static io.spiffe4j.examples.demo.Certificates.name;
import static io.spiffe4j.examples.demo.Certificates.serial;

import io.spiffe4j.authority.AuthorityCa;
import io.spiffe4j.authority.SpiffeAuthority;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.examples.demo.ClientWorkload.Response;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import io.spiffe4j.svid.x509.X509Svid;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The demo, step by step: an embedded SPIFFE authority issues identities to two workloads through the Workload API;
 * they talk mTLS, each admitting only the other's SPIFFE ID, and the client calls a JWT-protected endpoint; the CA
 * rotates under them; an impostor with a valid SVID is turned away. Everything runs in this process, on Unix sockets
 * and 127.0.0.1.
 *
 * <p>Every step checks its outcome: if one does not hold, {@link #run} throws a {@link DemoFailure} naming it. Nothing
 * is left running afterwards, whether it succeeded or not.
 */
final class Demo {
  static final TrustDomain TRUST_DOMAIN = TrustDomain.parse("demo.spiffe4j.io");
  static final SpiffeId SERVER = SpiffeId.fromSegments(TRUST_DOMAIN, "server");
  static final SpiffeId CLIENT = SpiffeId.fromSegments(TRUST_DOMAIN, "client");
  /** Registered like the others, so its SVID is as valid as theirs; only the server's authorizer keeps it out. */
  static final SpiffeId IMPOSTOR = SpiffeId.fromSegments(TRUST_DOMAIN, "impostor");
  /** A JWT-SVID names who it is for; the receiving workload's SPIFFE ID is the usual audience. */
  static final String AUDIENCE = SERVER.toString();
  static final String WRONG_AUDIENCE = SpiffeId.fromSegments(TRUST_DOMAIN, "billing").toString();

  private final Narration narration;
  private int checks;

  private Demo(PrintStream out) {
    this.narration = new Narration(out);
  }

  /**
   * Runs the demo with the given upstream, printing a line per step on {@code out}.
   *
   * @return what happened, for tests
   * @throws DemoFailure if a step did not turn out as it must
   * @throws RuntimeException if something could not even be set up, with a message saying what
   */
  static Result run(Upstream upstream, PrintStream out) {
    return new Demo(out).run(upstream);
  }

  private Result run(Upstream kind) {
    long started = System.nanoTime();
    try (Upstream.Opened upstream = kind.open(TRUST_DOMAIN)) {
      say("demo", "trust domain " + TRUST_DOMAIN + ", upstream: " + upstream.description());
      // The same schedule as a SPIRE Server with its defaults. Rotation is forced below rather than awaited.
      try (SpiffeAuthority authority = SpiffeAuthority.builder(TRUST_DOMAIN)
              .upstream(upstream.authority())
              .caTtl(Duration.ofHours(24))
              .x509SvidTtl(Duration.ofHours(1))
              .build();
          EmbeddedAgent agent = EmbeddedAgent.start(authority, List.of(SERVER, CLIENT, IMPOSTOR));
          ServerWorkload server = ServerWorkload.start(agent.address(SERVER), CLIENT, AUDIENCE);
          ClientWorkload client = ClientWorkload.start(agent.address(CLIENT), SERVER)) {
        Result result = story(authority, agent, server, client);
        say("done", checks + " checks held in " + seconds(System.nanoTime() - started));
        return result.withLines(narration.lines());
      }
    }
  }

  private Result story(SpiffeAuthority authority, EmbeddedAgent agent, ServerWorkload server,
      ClientWorkload client) {
    AuthorityCa firstCa = authority.activeCa();
    say("authority", "CA 1 " + describe(firstCa) + "; bundle sequence " + sequence(authority.bundle()));
    say("agent", "Workload API on server.sock, client.sock and impostor.sock in " + agent.directory());
    issued(server.identity().svid(), SERVER, firstCa, "CA 1", "server");
    issued(client.identity().svid(), CLIENT, firstCa, "CA 1", "client");

    say("mTLS", "the server admits only " + CLIENT + ", the client only " + SERVER);
    mutualTls(server, client, firstCa, "CA 1", "GET /hello");
    int accepted = orders(server, client, AUDIENCE, 200, "");
    int refused = orders(server, client, WRONG_AUDIENCE, 401, ", wrong audience");

    AuthorityCa nextCa = prepareRotation(authority, server, client);
    authority.activateNextCa();
    check(authority.activeCa().equals(nextCa), "CA 2 is active after activation");
    say("rotation", "activated CA 2: the authority re-issued every SVID, the Workload API pushed them");
    X509Svid serverSvid = server.identity().awaitSvidSignedBy(nextCa, "the server's SVID from CA 2");
    issued(serverSvid, SERVER, nextCa, "CA 2", "server");
    X509Svid clientSvid = client.identity().awaitSvidSignedBy(nextCa, "the client's SVID from CA 2");
    issued(clientSvid, CLIENT, nextCa, "CA 2", "client");
    Handshake after = mutualTls(server, client, nextCa, "CA 2", "GET /hello after rotation");
    check(leaf(after.server()).equals(serverSvid.leaf()) && leaf(after.client()).equals(clientSvid.leaf()),
        "the handshake after the rotation presents the SVIDs pushed by the Workload API");

    String impostorRefusal = impostor(agent, server, nextCa);
    return new Result(List.of(), firstCa, nextCa, serverSvid, clientSvid, after.server(), after.client(), accepted,
        refused, impostorRefusal);
  }

  /**
   * The client calls {@code /hello} over mTLS: both sides authenticate each other, along chains through {@code ca},
   * and each one's authorizer admits the other.
   */
  private Handshake mutualTls(ServerWorkload server, ClientWorkload client, AuthorityCa ca, String caName,
      String call) {
    Response hello = get(client, server.uri("/hello"), null);
    VerifiedX509Svid clientSeen = server.lastClient();
    check(hello.status() == 200 && hello.body().equals("hello " + CLIENT)
            && hello.server().id().equals(SERVER) && clientSeen != null && clientSeen.id().equals(CLIENT)
            && hello.server().verifiedChain().contains(ca.certificate())
            && clientSeen.verifiedChain().contains(ca.certificate()),
        "mTLS between " + SERVER + " and " + CLIENT + " through " + caName + ": got " + hello.status() + " \""
            + hello.body() + "\"");
    say("mTLS", call + ": " + hello.status() + " \"" + hello.body() + "\"; verified server "
        + serial(leaf(hello.server())) + ", client " + serial(leaf(clientSeen)) + ", both via " + caName);
    return new Handshake(hello.server(), clientSeen);
  }

  /** The client calls the JWT-protected {@code /orders} with a JWT-SVID for {@code audience} from its Workload API. */
  private int orders(ServerWorkload server, ClientWorkload client, String audience, int expected, String note) {
    Response response = get(client, server.uri("/orders"), client.jwtSvid(audience));
    String answer = response.status() + (response.body().isEmpty() ? "" : " \"" + response.body() + "\"");
    boolean asExpected = response.status() == expected
        && (expected != 200 || response.body().equals("order accepted from " + CLIENT));
    check(asExpected,
        "a JWT-SVID for " + audience + " gets " + expected + ": got " + answer);
    say("JWT", "GET /orders, JWT-SVID for aud " + audience + ": " + answer + note);
    return response.status();
  }

  /**
   * Prepares the next CA and shows that its roots and JWT key reach the bundle, and through the Workload API both
   * workloads, before it signs anything: so no workload ever sees an SVID it cannot verify yet.
   */
  private AuthorityCa prepareRotation(SpiffeAuthority authority, ServerWorkload server, ClientWorkload client) {
    BigInteger before = sequence(authority.bundle());
    AuthorityCa nextCa = authority.prepareNextCa();
    SpiffeBundle bundle = authority.bundle();
    check(bundle.x509Authorities().containsAll(nextCa.roots())
            && bundle.findJwtAuthority(nextCa.jwtKeyId()).isPresent()
            && sequence(bundle).compareTo(before) > 0,
        "the prepared CA's roots and JWT key are in the bundle under a new sequence number");
    say("rotation", "prepared CA 2 " + serial(nextCa.certificate()) + ": bundle sequence " + before + " -> "
        + sequence(bundle) + " holds its root " + serial(nextCa.roots().get(0)) + " and JWT key "
        + shortKeyId(nextCa.jwtKeyId()));
    server.identity().awaitTrustIn(nextCa, TRUST_DOMAIN, "the server's bundles");
    client.identity().awaitTrustIn(nextCa, TRUST_DOMAIN, "the client's bundles");
    check(!authority.activeCa().equals(nextCa) && !isSignedBy(server.identity().svid(), nextCa),
        "CA 2 signs nothing before it is activated");
    say("rotation", "both workloads got the new bundle from the Workload API while CA 1 still signs");
    return nextCa;
  }

  /** A workload of the same trust domain, with a valid SVID, calls the server: the server's authorizer refuses it. */
  private String impostor(EmbeddedAgent agent, ServerWorkload server, AuthorityCa activeCa) {
    try (ClientWorkload impostor = ClientWorkload.start(agent.address(IMPOSTOR), SERVER)) {
      issued(impostor.identity().svid(), IMPOSTOR, activeCa, "CA 2", "impostor");
      try {
        Response response = impostor.get(server.uri("/hello"));
        throw new DemoFailure("the impostor was let in: " + response.status() + " \"" + response.body() + "\"");
      } catch (IOException refused) {
        List<String> refusals = server.refusals();
        check(!refusals.isEmpty() && refusals.get(refusals.size() - 1).contains(IMPOSTOR.toString()),
            "the server's authorizer refused the impostor; the impostor saw: " + refused.getMessage());
        String reason = refusals.get(refusals.size() - 1);
        say("impostor", "GET /hello refused by the server's authorizer: " + reason);
        return reason;
      }
    }
  }

  /** Checks and reports an SVID a workload got from the Workload API. */
  private void issued(X509Svid svid, SpiffeId expected, AuthorityCa ca, String caName, String workload) {
    check(svid.id().equals(expected) && isSignedBy(svid, ca),
        "the " + workload + " holds an SVID of " + expected + " signed by " + caName + ": got " + svid.id() + " "
            + serial(svid.leaf()));
    say(workload, "X509-SVID " + svid.id() + " " + serial(svid.leaf()) + ", signed by " + caName + " "
        + serial(ca.certificate()));
  }

  private static Response get(ClientWorkload client, URI uri, JwtSvid bearer) {
    try {
      return client.get(uri, bearer);
    } catch (IOException e) {
      throw new DemoFailure("GET " + uri.getPath() + " failed: " + e.getMessage());
    }
  }

  private void check(boolean holds, String what) {
    if (!holds) {
      throw new DemoFailure(what);
    }
    checks++;
  }

  private void say(String tag, String text) {
    narration.say(tag, text);
  }

  private static String describe(AuthorityCa ca) {
    X509Certificate root = ca.roots().get(0);
    return "\"" + name(ca.certificate()) + "\" " + serial(ca.certificate()) + " under root \"" + name(root) + "\" "
        + serial(root);
  }

  private static X509Certificate leaf(VerifiedX509Svid svid) {
    return svid.verifiedChain().get(0);
  }

  private static BigInteger sequence(SpiffeBundle bundle) {
    return bundle.sequenceNumber().orElseThrow(() -> new DemoFailure("the authority's bundle has no sequence number"));
  }

  private static String shortKeyId(String keyId) {
    return keyId.length() > 8 ? keyId.substring(0, 8) : keyId;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
  }

  /** Both sides of an mTLS connection, as each verified the other. */
  private record Handshake(VerifiedX509Svid server, VerifiedX509Svid client) {
  }

  /**
   * What happened, for tests.
   *
   * @param lines the printed lines
   * @param firstCa the CA that signed the first SVIDs
   * @param rotatedCa the CA prepared and activated by the rotation
   * @param rotatedServerSvid the server's SVID pushed after the rotation
   * @param rotatedClientSvid the client's SVID pushed after the rotation
   * @param serverSeenAfterRotation the server's SVID as the client verified it after the rotation
   * @param clientSeenAfterRotation the client's SVID as the server verified it after the rotation
   * @param acceptedJwtStatus the status of the call with a JWT-SVID for the server's audience
   * @param wrongAudienceStatus the status of the call with a JWT-SVID for another audience
   * @param impostorRefusal why the server's authorizer refused the impostor
   */
  record Result(List<String> lines, AuthorityCa firstCa, AuthorityCa rotatedCa, X509Svid rotatedServerSvid,
      X509Svid rotatedClientSvid, VerifiedX509Svid serverSeenAfterRotation, VerifiedX509Svid clientSeenAfterRotation,
      int acceptedJwtStatus, int wrongAudienceStatus, String impostorRefusal) {

    Result withLines(List<String> printed) {
      return new Result(List.copyOf(printed), firstCa, rotatedCa, rotatedServerSvid, rotatedClientSvid,
          serverSeenAfterRotation, clientSeenAfterRotation, acceptedJwtStatus, wrongAudienceStatus, impostorRefusal);
    }
  }
}
