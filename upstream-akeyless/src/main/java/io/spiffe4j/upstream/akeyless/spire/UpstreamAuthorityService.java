package io.spiffe4j.upstream.akeyless.spire;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.spiffe4j.authority.UpstreamAuthority;
import io.spiffe4j.authority.UpstreamAuthority.JwtKey;
import io.spiffe4j.authority.UpstreamX509Ca;
import io.spiffe4j.upstream.akeyless.internal.proto.JwtKeyProto.JWTKey;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CARequest;
import io.spiffe4j.upstream.akeyless.internal.proto.MintX509CAResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.PublishJWTKeyRequest;
import io.spiffe4j.upstream.akeyless.internal.proto.PublishJWTKeyResponse;
import io.spiffe4j.upstream.akeyless.internal.proto.UpstreamAuthorityGrpc;
import io.spiffe4j.upstream.akeyless.internal.proto.X509CertificateProto;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPIRE's {@code UpstreamAuthority} v1 over the {@link UpstreamAuthority} SPI (spire-plugin-protocol.md 3.4, 5).
 *
 * <p>{@code MintX509CAAndSubscribe} answers the CA chain and the upstream roots, then keeps the stream open and sends
 * the roots again whenever the upstream reports a change, until SPIRE cancels it (at the next mint or shutdown).
 * {@code PublishJWTKeyAndSubscribe} answers {@code UNIMPLEMENTED} when the upstream does not handle JWT keys (SPIRE then
 * publishes its own). {@code SubscribeToLocalBundle} is left to the generated default, {@code UNIMPLEMENTED}: any other
 * error there would stop SPIRE's CA rotation.
 */
final class UpstreamAuthorityService extends UpstreamAuthorityGrpc.UpstreamAuthorityImplBase {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamAuthorityService.class);
  private static final String[] KEY_ALGORITHMS = {"EC", "RSA", "Ed25519", "Ed448"};

  private final PluginState state;

  UpstreamAuthorityService(PluginState state) {
    this.state = state;
  }

  @Override
  public void mintX509CAAndSubscribe(MintX509CARequest request, StreamObserver<MintX509CAResponse> responses) {
    PluginState.Configured configured = state.current();
    if (configured == null) {
      responses.onError(Statuses.notConfigured());
      return;
    }
    if (request.getCsr().isEmpty()) {
      responses.onError(Statuses.invalidArgument("the request holds no CSR"));
      return;
    }
    if (request.getPreferredTtl() < 0) {
      responses.onError(Statuses.invalidArgument("preferred_ttl must not be negative"));
      return;
    }
    Duration ttl = configured.config().ttlFor(Duration.ofSeconds(request.getPreferredTtl()));
    RootStream stream = new RootStream((ServerCallStreamObserver<MintX509CAResponse>) responses);
    UpstreamAuthority upstream = configured.upstream();
    long started = System.nanoTime();
    UpstreamX509Ca minted;
    MintX509CAResponse first;
    try {
      stream.subscribeTo(upstream);
      minted = upstream.mintX509Ca(request.getCsr().toByteArray(), ttl);
      first = MintX509CAResponse.newBuilder()
          .addAllX509CaChain(certificates(minted.caChain()))
          .addAllUpstreamX509Roots(certificates(minted.upstreamRoots()))
          .build();
    } catch (RuntimeException e) {
      stream.fail(Statuses.of(e, "minting the X.509 CA", Status.INTERNAL));
      return;
    }
    X509Certificate ca = minted.mintedCa();
    LOG.atInfo()
        .addKeyValue("serial", ca.getSerialNumber().toString(16))
        .addKeyValue("not_after", ca.getNotAfter().toInstant())
        .addKeyValue("requested_ttl_s", ttl.toSeconds())
        .addKeyValue("chain_length", minted.caChain().size())
        .addKeyValue("roots", minted.upstreamRoots().size())
        .addKeyValue("duration_ms", (System.nanoTime() - started) / 1_000_000)
        .log("minted an X.509 CA");
    stream.first(first);
  }

  @Override
  public void publishJWTKeyAndSubscribe(PublishJWTKeyRequest request, StreamObserver<PublishJWTKeyResponse> responses) {
    PluginState.Configured configured = state.current();
    if (configured == null) {
      responses.onError(Statuses.notConfigured());
      return;
    }
    try {
      Optional<List<JwtKey>> published = configured.upstream().publishJwtKey(jwtKey(request.getJwtKey()));
      if (published.isEmpty()) {
        responses.onError(Status.UNIMPLEMENTED
            .withDescription("this upstream authority does not publish JWT keys").asRuntimeException());
        return;
      }
      PublishJWTKeyResponse.Builder response = PublishJWTKeyResponse.newBuilder();
      for (JwtKey key : published.get()) {
        response.addUpstreamJwtKeys(jwtKey(key));
      }
      // The SPI has no JWT key updates to stream: ending the stream is SPIRE's "no updates".
      responses.onNext(response.build());
      responses.onCompleted();
    } catch (RuntimeException e) {
      responses.onError(Statuses.of(e, "publishing the JWT key", Status.INTERNAL));
    }
  }

  private static List<X509CertificateProto.X509Certificate> certificates(List<X509Certificate> certificates) {
    return certificates.stream().map(UpstreamAuthorityService::certificate).collect(java.util.stream.Collectors.toList());
  }

  private static X509CertificateProto.X509Certificate certificate(X509Certificate certificate) {
    try {
      return X509CertificateProto.X509Certificate.newBuilder()
          .setAsn1(ByteString.copyFrom(certificate.getEncoded())).build();
    } catch (CertificateEncodingException e) {
      throw new IllegalStateException("the upstream returned a certificate that cannot be encoded", e);
    }
  }

  private static JwtKey jwtKey(JWTKey key) {
    if (key.getKeyId().isEmpty()) {
      throw new StatusRuntimeException(Status.INVALID_ARGUMENT.withDescription("the JWT key has no key ID"));
    }
    Instant expiresAt = key.getExpiresAt() == 0 ? Instant.MAX : Instant.ofEpochSecond(key.getExpiresAt());
    return new JwtKey(key.getKeyId(), publicKey(key.getPublicKey().toByteArray()), expiresAt);
  }

  private static JWTKey jwtKey(JwtKey key) {
    return JWTKey.newBuilder()
        .setKeyId(key.keyId())
        .setPublicKey(ByteString.copyFrom(key.publicKey().getEncoded()))
        .setExpiresAt(key.expiresAt().equals(Instant.MAX) ? 0 : key.expiresAt().getEpochSecond())
        .build();
  }

  /** A PKIX (SubjectPublicKeyInfo) key of any algorithm SPIRE signs JWTs with. */
  private static PublicKey publicKey(byte[] pkix) {
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(pkix));
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        // Try the next algorithm.
      }
    }
    throw new StatusRuntimeException(Status.INVALID_ARGUMENT
        .withDescription("the JWT key's public key is not a PKIX key of a supported algorithm"));
  }

  /**
   * One {@code MintX509CAAndSubscribe} stream: the first answer, then root updates, until SPIRE cancels. Root changes
   * reported before the first answer is sent are sent right after it, so none is lost.
   */
  private static final class RootStream {
    private final ServerCallStreamObserver<MintX509CAResponse> responses;
    private final Object lock = new Object();
    private boolean firstSent;
    private boolean ended;
    private List<X509Certificate> pending;
    private UpstreamAuthority.Subscription subscription;

    RootStream(ServerCallStreamObserver<MintX509CAResponse> responses) {
      this.responses = responses;
      responses.setOnCancelHandler(this::end);
    }

    /** Subscribed before the mint, so a root change during the mint is not missed. */
    void subscribeTo(UpstreamAuthority upstream) {
      UpstreamAuthority.Subscription created = upstream.subscribeToRootChanges(this::rootsChanged);
      boolean alreadyEnded;
      synchronized (lock) {
        alreadyEnded = ended;
        if (!ended) {
          subscription = created;
        }
      }
      if (alreadyEnded) {
        created.close();
      }
    }

    void first(MintX509CAResponse response) {
      synchronized (lock) {
        if (!send(response)) {
          return;
        }
        firstSent = true;
        if (pending != null) {
          send(rootsOnly(pending));
          pending = null;
        }
      }
    }

    void rootsChanged(List<X509Certificate> roots) {
      synchronized (lock) {
        if (ended || roots == null || roots.isEmpty()) {
          return;
        }
        if (!firstSent) {
          pending = List.copyOf(roots);
          return;
        }
        try {
          if (send(rootsOnly(roots))) {
            LOG.atInfo().addKeyValue("roots", roots.size()).log("sent the upstream's new roots to SPIRE");
          }
        } catch (RuntimeException e) {
          LOG.warn("could not send the upstream's new roots", e);
        }
      }
    }

    void fail(StatusRuntimeException status) {
      synchronized (lock) {
        if (!ended && !responses.isCancelled()) {
          responses.onError(status);
        }
      }
      end();
    }

    private static MintX509CAResponse rootsOnly(List<X509Certificate> roots) {
      return MintX509CAResponse.newBuilder().addAllUpstreamX509Roots(certificates(roots)).build();
    }

    /** Sends unless the stream has ended; false if it has. */
    private boolean send(MintX509CAResponse response) {
      if (ended || responses.isCancelled()) {
        return false;
      }
      try {
        responses.onNext(response);
        return true;
      } catch (StatusRuntimeException cancelledMeanwhile) {
        return false;
      }
    }

    private void end() {
      UpstreamAuthority.Subscription current;
      synchronized (lock) {
        ended = true;
        current = subscription;
        subscription = null;
      }
      if (current != null) {
        current.close();
      }
    }
  }
}
