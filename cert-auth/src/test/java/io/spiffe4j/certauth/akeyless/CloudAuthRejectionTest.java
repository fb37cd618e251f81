package io.spiffe4j.certauth.akeyless;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.akeyless.testkit.CloudAuthSettings;
import io.spiffe4j.akeyless.testkit.MutableClock;
import io.spiffe4j.akeyless.testkit.TestIdentityProvider;
import io.spiffe4j.akeyless.testkit.TestIdentityProvider.TokenBuilder;
import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kubernetes, GCP and Azure AD authentication refused through the client: a token that has expired, is for another
 * audience, comes from another issuer or is signed by a key the auth method does not trust is an
 * {@link AkeylessException} of kind {@code UNAUTHENTICATED} carrying the gateway's reason, while an honest token
 * from the same provider is accepted by the same method.
 */
class CloudAuthRejectionTest {
  private static final MutableClock CLOCK = MutableClock.startingNow();
  private static final TestIdentityProvider IDP = TestIdentityProvider.builder().clock(CLOCK).build();

  enum Cloud {
    K8S(CloudAuthSettings.KUBERNETES_AUDIENCE) {
      @Override
      CloudAuthSettings.Builder settings() {
        return CloudAuthSettings.kubernetes("k8s", "cluster-1", IDP);
      }

      @Override
      TokenBuilder token() {
        return IDP.kubernetes("spire", "spire-server");
      }

      @Override
      AkeylessAuth auth(String accessId, UnaryOperator<TokenBuilder> fault) {
        return AkeylessAuth.kubernetes(accessId, "cluster-1",
            TestGateway.identityToken(() -> fault.apply(token()).sign()));
      }
    },
    GCP(CloudAuthSettings.GCP_AUDIENCE) {
      @Override
      CloudAuthSettings.Builder settings() {
        return CloudAuthSettings.gcp("gcp", IDP);
      }

      @Override
      TokenBuilder token() {
        return IDP.gcp("spire@project.iam.gserviceaccount.com");
      }

      @Override
      AkeylessAuth auth(String accessId, UnaryOperator<TokenBuilder> fault) {
        return AkeylessAuth.gcp(accessId, CloudAuthSettings.GCP_AUDIENCE,
            TestGateway.identityToken(() -> fault.apply(token()).sign()));
      }
    },
    AZURE_AD(CloudAuthSettings.AZURE_AUDIENCE) {
      @Override
      CloudAuthSettings.Builder settings() {
        return CloudAuthSettings.azureAd("azure", "tenant-1", IDP);
      }

      @Override
      TokenBuilder token() {
        return IDP.azure("tenant-1", "object-1");
      }

      @Override
      AkeylessAuth auth(String accessId, UnaryOperator<TokenBuilder> fault) {
        return AkeylessAuth.azureAd(accessId, TestGateway.identityToken(() -> fault.apply(token()).sign()));
      }
    };

    final String audience;

    Cloud(String audience) {
      this.audience = audience;
    }

    abstract CloudAuthSettings.Builder settings();

    abstract TokenBuilder token();

    abstract AkeylessAuth auth(String accessId, UnaryOperator<TokenBuilder> fault);
  }

  enum Fault {
    EXPIRED(TokenBuilder::expired),
    WRONG_AUDIENCE(token -> token.audience("https://elsewhere.example")),
    WRONG_ISSUER(token -> token.issuer("https://issuer.elsewhere.example")),
    WRONG_KEY(TokenBuilder::signedByAnotherKey);

    final UnaryOperator<TokenBuilder> apply;

    Fault(UnaryOperator<TokenBuilder> apply) {
      this.apply = apply;
    }

    String reason(Cloud cloud) {
      switch (this) {
        case EXPIRED:
          return "token has expired";
        case WRONG_AUDIENCE:
          return "token audience does not include " + cloud.audience;
        case WRONG_ISSUER:
          return "token issuer is not the auth method's issuer";
        default:
          return "token signature does not verify with the auth method's keys";
      }
    }
  }

  static Stream<Arguments> faults() {
    List<Arguments> cases = new ArrayList<>();
    for (Cloud cloud : Cloud.values()) {
      for (Fault fault : Fault.values()) {
        cases.add(Arguments.of(cloud, fault));
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("faults")
  void faultyToken_isRefused(Cloud cloud, Fault fault) {
    try (TestGateway gw = new TestGateway(CLOCK, Duration.ofHours(1))) {
      String accessId = gw.gateway.createCloudAuthMethod(cloud.settings().build());
      try (AkeylessClient client = gw.open(cloud.auth(accessId, token -> token))) {
        assertTrue(client.token().reveal().startsWith("t-"), "an honest token is accepted");
      }
      try (AkeylessClient client = gw.open(cloud.auth(accessId, fault.apply))) {
        gw.refused(Kind.UNAUTHENTICATED, fault.reason(cloud), client::token);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Cloud.class)
  void authMethodPastAccessExpires_isRefused(Cloud cloud) {
    try (TestGateway gw = new TestGateway(CLOCK, Duration.ofHours(1))) {
      Instant expires = CLOCK.instant().plusSeconds(30);
      String accessId = gw.gateway.createCloudAuthMethod(cloud.settings().accessExpires(expires).build());
      try (AkeylessClient client = gw.open(cloud.auth(accessId, token -> token))) {
        assertTrue(client.token().reveal().startsWith("t-"));
      }
      CLOCK.advance(Duration.ofSeconds(30));
      try (AkeylessClient client = gw.open(cloud.auth(accessId, token -> token))) {
        gw.refused(Kind.UNAUTHENTICATED, "the auth method's access has expired (access-expires)", client::token);
      }
    }
  }
}
