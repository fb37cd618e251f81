package io.spiffe4j.workloadapi;

import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.svid.jwt.JwtSvid;
import io.spiffe4j.workloadapi.WorkloadApiException.Kind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JWT-SVIDs by (subject, audiences). A token is reused until half its lifetime has passed ({@code iat} to
 * {@code exp}, or from when it was fetched if it has no earlier {@code iat}), then fetched again; an expired one is
 * never returned. Callers asking for the same key while a fetch is under way wait for that fetch instead of starting
 * their own. If a refresh finds the endpoint unreachable or slow, the cached token is returned while it is still
 * valid, and the next refresh is tried once half of its remaining time has passed.
 *
 * <p>Expired entries are dropped whenever a token is fetched, so keys no longer asked for do not pile up. Thread-safe.
 */
final class JwtSvidCache {
  private static final Logger LOG = LoggerFactory.getLogger(JwtSvidCache.class);

  private final String owner;
  private final Clock clock;
  private final ConcurrentHashMap<Key, CompletableFuture<Entry>> entries = new ConcurrentHashMap<>();

  JwtSvidCache(String owner, Clock clock) {
    this.owner = owner;
    this.clock = clock;
  }

  /**
   * The cached token for the key if fresh, else one from {@code fetch}.
   *
   * @param subject the requested identity, or null for the default one
   * @param audiences the audiences, sorted, as requested from the endpoint
   */
  JwtSvid get(SpiffeId subject, List<String> audiences, Supplier<JwtSvid> fetch) {
    Key key = new Key(subject, audiences);
    while (true) {
      CompletableFuture<Entry> current = entries.get(key);
      Entry cached = current != null && current.isDone() && !current.isCompletedExceptionally() ? current.join() : null;
      Instant now = clock.instant();
      if (cached != null && now.isBefore(cached.refreshAt)) {
        return cached.svid;
      }
      if (current != null && !current.isDone()) {
        Entry shared = await(current);
        if (clock.instant().isBefore(shared.svid.expiry())) {
          return shared.svid;
        }
        continue;
      }
      CompletableFuture<Entry> mine = new CompletableFuture<>();
      boolean claimed = current == null ? entries.putIfAbsent(key, mine) == null : entries.replace(key, current, mine);
      if (claimed) {
        return fetch(key, mine, cached, fetch);
      }
    }
  }

  void clear() {
    entries.clear();
  }

  private JwtSvid fetch(Key key, CompletableFuture<Entry> mine, Entry stale, Supplier<JwtSvid> fetch) {
    try {
      JwtSvid svid = fetch.get();
      Instant now = clock.instant();
      if (!now.isBefore(svid.expiry())) {
        throw new SourceException(SourceException.Kind.EXPIRED, owner + ": the endpoint returned a JWT-SVID of "
            + svid.id() + " that expired at " + svid.expiry(), "JWT-09");
      }
      mine.complete(new Entry(svid, halfway(svid.issuedAt().filter(iat -> !iat.isAfter(now)).orElse(now), svid)));
      dropExpired(now);
      return svid;
    } catch (WorkloadApiException e) {
      Instant now = clock.instant();
      if (stale != null && isOutage(e) && now.isBefore(stale.svid.expiry())) {
        LOG.warn("{}: refreshing the JWT-SVID of {} failed; the cached one, valid until {}, is used meanwhile: {}",
            owner, stale.svid.id(), stale.svid.expiry(), e.getMessage());
        mine.complete(new Entry(stale.svid, halfway(now, stale.svid)));
        return stale.svid;
      }
      throw failed(key, mine, e);
    } catch (RuntimeException e) {
      throw failed(key, mine, e);
    }
  }

  /** Removes the failed fetch before failing it, so that the next caller starts afresh; waiters get the error. */
  private RuntimeException failed(Key key, CompletableFuture<Entry> mine, RuntimeException e) {
    entries.remove(key, mine);
    mine.completeExceptionally(e);
    return e;
  }

  private Entry await(CompletableFuture<Entry> fetch) {
    try {
      return fetch.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      // Thrown anew on this thread, so that its stack trace shows this caller.
      throw cause instanceof WorkloadApiException ? ((WorkloadApiException) cause).rethrown() : (RuntimeException) cause;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SourceException(SourceException.Kind.CLOSED, owner + ": interrupted while waiting for a JWT-SVID",
          null);
    }
  }

  /** Only an unreachable or slow endpoint: a refusal (for example no identity any more) must not be papered over. */
  private static boolean isOutage(WorkloadApiException e) {
    return e.kind() == Kind.UNAVAILABLE || e.kind() == Kind.DEADLINE_EXCEEDED;
  }

  /** The instant half way from {@code from} to the token's expiry. */
  private static Instant halfway(Instant from, JwtSvid svid) {
    return from.plus(Duration.between(from, svid.expiry()).dividedBy(2));
  }

  private void dropExpired(Instant now) {
    entries.values().removeIf(entry -> entry.isDone() && !entry.isCompletedExceptionally()
        && !now.isBefore(entry.join().svid.expiry()));
  }

  /** The subject is null for the workload's default identity. */
  private record Key(SpiffeId subject, List<String> audiences) {
  }

  private static final class Entry {
    final JwtSvid svid;
    final Instant refreshAt;

    Entry(JwtSvid svid, Instant refreshAt) {
      this.svid = svid;
      this.refreshAt = refreshAt;
    }
  }
}
