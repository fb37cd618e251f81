package io.spiffe4j.tls;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.svid.x509.VerifiedX509Svid;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/** The authorizers behind the {@link Authorizer} factories; each knows how to describe its policy. */
final class Authorizers {
  static final Authorizer ANY = new Described("any()", peer -> { });

  private Authorizers() {
  }

  static Authorizer oneOf(Collection<SpiffeId> allowed) {
    Objects.requireNonNull(allowed, "allowed");
    allowed.forEach(id -> Objects.requireNonNull(id, "allowed ID"));
    if (allowed.isEmpty()) {
      throw new IllegalArgumentException("oneOf needs at least one SPIFFE ID; an empty allow-list admits nobody");
    }
    Set<SpiffeId> inOrder = new LinkedHashSet<>(allowed);
    Set<SpiffeId> ids = Set.copyOf(inOrder);
    boolean single = ids.size() == 1;
    String expected = single ? "the expected \"" + ids.iterator().next() + "\"" : "one of " + inOrder;
    String description = single ? "id(" + ids.iterator().next() + ")" : "oneOf" + inOrder;
    return new Described(description, peer -> {
      if (!ids.contains(peer.id())) {
        throw new AuthorizationException("peer ID \"" + peer.id() + "\" is not " + expected);
      }
    });
  }

  static Authorizer memberOf(TrustDomain trustDomain) {
    Objects.requireNonNull(trustDomain, "trustDomain");
    return new Described("memberOf(" + trustDomain + ")", peer -> {
      if (!peer.id().memberOf(trustDomain)) {
        throw new AuthorizationException(
            "peer ID \"" + peer.id() + "\" is not a member of trust domain \"" + trustDomain + "\"");
      }
    });
  }

  static Authorizer matching(String description, Predicate<SpiffeId> predicate) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(predicate, "predicate");
    return new Described("matching(" + description + ")", peer -> {
      if (!predicate.test(peer.id())) {
        throw new AuthorizationException("peer ID \"" + peer.id() + "\" does not match " + description);
      }
    });
  }

  static Authorizer and(Authorizer first, Authorizer second) {
    Objects.requireNonNull(second, "other");
    return new Described("(" + first + " and " + second + ")", peer -> {
      first.authorize(peer);
      second.authorize(peer);
    });
  }

  static Authorizer or(Authorizer first, Authorizer second) {
    Objects.requireNonNull(second, "other");
    return new Described("(" + first + " or " + second + ")", peer -> {
      try {
        first.authorize(peer);
      } catch (AuthorizationException firstRejection) {
        try {
          second.authorize(peer);
        } catch (AuthorizationException secondRejection) {
          AuthorizationException both = new AuthorizationException(
              firstRejection.reason() + ", and " + secondRejection.reason());
          both.addSuppressed(firstRejection);
          both.addSuppressed(secondRejection);
          throw both;
        }
      }
    });
  }

  /** An authorizer with a readable {@code toString()}, so composed policies can be logged. */
  private static final class Described implements Authorizer {
    private final String description;
    private final Authorizer delegate;

    Described(String description, Authorizer delegate) {
      this.description = description;
      this.delegate = delegate;
    }

    @Override
    public void authorize(VerifiedX509Svid peer) {
      Objects.requireNonNull(peer, "peer");
      delegate.authorize(peer);
    }

    @Override
    public String toString() {
      return description;
    }
  }
}
