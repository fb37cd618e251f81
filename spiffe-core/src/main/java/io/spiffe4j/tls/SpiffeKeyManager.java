package io.spiffe4j.tls;

import io.spiffe4j.svid.x509.X509Svid;
import io.spiffe4j.svid.x509.X509SvidSource;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A JSSE key manager that presents the current X509-SVID of an {@link X509SvidSource}, on SSLSocket and SSLEngine
 * connections, as client or server.
 *
 * <h2>One snapshot per handshake</h2>
 * JSSE asks for a key in two steps: it chooses an alias ({@code choose*Alias}, for TLS 1.3 once per key type it
 * could sign with), then fetches {@link #getCertificateChain} and {@link #getPrivateKey} for the chosen alias. A key
 * manager that read the source at each step could, if the source rotated in between, hand out the chain of one SVID
 * and the key of the next (the peer then rejects the handshake signature), or see an RSA SVID when JSSE asks for EC
 * and an EC SVID when it then asks for RSA, and offer nothing.
 *
 * <p>Here the first {@code choose*Alias} call of a handshake reads the source once, names that snapshot with an
 * alias of its own ({@code spiffe4j-svid-<n>}) and binds the alias to the handshake session (the session value
 * {@code io.spiffe4j.tls.svid-alias}: a name, never key material). The handshake's later calls reuse that snapshot,
 * and the chain and key for an alias always come from the one snapshot it names. So every handshake presents one
 * SVID whose chain and key match, whatever the source does meanwhile; the next handshake sees the rotation.
 *
 * <p>The key manager remembers the {@value #RETAINED_SNAPSHOTS} most recently chosen distinct SVIDs. JSSE fetches the
 * chain and key right after choosing, so an alias is resolved long before it could leave that window; if it ever did
 * (only if that many newer SVIDs were chosen in between), the alias resolves to {@code null} and JSSE fails the
 * handshake rather than mixing two SVIDs. An unchanged SVID keeps its alias and costs one reference comparison.
 *
 * <h2>Key types</h2>
 * The SVID is offered only when its key type is one JSSE asks for ({@code "EC"}, {@code "RSA"}, {@code "EdDSA"},
 * {@code "RSASSA-PSS"}; for TLS 1.3 JSSE asks once per signature scheme it may use), so JSSE never picks an SVID it
 * cannot sign with. Issuer hints from the peer ({@code certificate_authorities}) are ignored: a SPIFFE peer judges the
 * SVID by its trust domain's bundle, and federation means the SVID's issuer need not be in the peer's hint list.
 *
 * <p>A failure of the source propagates out of {@code choose*Alias}; JSSE then aborts the handshake with it as the
 * cause. Thread-safe: one instance serves any number of concurrent handshakes.
 */
public final class SpiffeKeyManager extends X509ExtendedKeyManager {
  static final int RETAINED_SNAPSHOTS = 16;
  private static final String ALIAS_PREFIX = "spiffe4j-svid-";
  /** The handshake session value naming the handshake's snapshot; an alias, never key material. */
  static final String SNAPSHOT_ALIAS = "io.spiffe4j.tls.svid-alias";

  private final X509SvidSource source;
  private final AtomicLong sequence = new AtomicLong();
  /** Alias → SVID of recent choices, least recently used first. Guarded by itself. */
  private final Map<String, X509Svid> chosen = new LinkedHashMap<>(RETAINED_SNAPSHOTS * 2, 0.75f, true) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, X509Svid> eldest) {
      return size() > RETAINED_SNAPSHOTS;
    }
  };
  /** The last chosen snapshot, so an unchanged SVID skips the lock. */
  private volatile Snapshot latest;

  private SpiffeKeyManager(X509SvidSource source) {
    this.source = source;
  }

  /** A key manager presenting the source's current SVID in every handshake. */
  public static SpiffeKeyManager of(X509SvidSource source) {
    return new SpiffeKeyManager(Objects.requireNonNull(source, "source"));
  }

  @Override
  public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
    return choose(handshakeSession(socket), keyTypes);
  }

  @Override
  public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
    return choose(engine == null ? null : engine.getHandshakeSession(), keyTypes);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return choose(handshakeSession(socket), keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return choose(engine == null ? null : engine.getHandshakeSession(), keyType);
  }

  /** The alias of the current SVID if its key type is {@code keyType}, else null. */
  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    String alias = choose(null, keyType);
    return alias == null ? null : new String[] {alias};
  }

  /** The alias of the current SVID if its key type is {@code keyType}, else null. */
  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return getClientAliases(keyType, issuers);
  }

  /** The chain (leaf first) of the snapshot the alias names, or null if the alias is unknown. */
  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    X509Svid svid = snapshot(alias);
    return svid == null ? null : svid.chain().toArray(new X509Certificate[0]);
  }

  /** The private key of the snapshot the alias names, or null if the alias is unknown. */
  @Override
  public PrivateKey getPrivateKey(String alias) {
    X509Svid svid = snapshot(alias);
    return svid == null ? null : svid.privateKey();
  }

  @Override
  public String toString() {
    return "SpiffeKeyManager{source=" + source + "}";
  }

  /**
   * The alias of the handshake's snapshot if its key type is among {@code keyTypes}. The first call of a handshake
   * reads the source and binds the snapshot's alias to the handshake session; later calls of the same handshake (one
   * per key type JSSE considers) reuse it, so a source rotating meanwhile can neither make every call miss nor give
   * one handshake two SVIDs. Without a handshake session (a plain socket, or a call from outside JSSE) each call
   * reads the source.
   */
  private String choose(SSLSession handshake, String... keyTypes) {
    if (keyTypes == null) {
      return null;
    }
    Object bound = handshake == null ? null : handshake.getValue(SNAPSHOT_ALIAS);
    String alias = bound instanceof String ? (String) bound : null;
    X509Svid svid = snapshot(alias);
    if (svid == null) {
      svid = Objects.requireNonNull(source.x509Svid(), "X509SvidSource returned no SVID");
      alias = aliasOf(svid);
      if (handshake != null) {
        handshake.putValue(SNAPSHOT_ALIAS, alias);
      }
    }
    String keyType = keyType(svid.privateKey());
    for (String requested : keyTypes) {
      if (requested != null && keyType.equalsIgnoreCase(normalize(requested))) {
        return alias;
      }
    }
    return null;
  }

  private String aliasOf(X509Svid svid) {
    Snapshot last = latest;
    if (last != null && last.svid == svid) {
      return last.alias;
    }
    synchronized (chosen) {
      String alias = aliasInWindow(svid);
      if (alias == null) {
        alias = ALIAS_PREFIX + sequence.incrementAndGet();
        chosen.put(alias, svid);
      }
      latest = new Snapshot(alias, svid);
      return alias;
    }
  }

  /**
   * The alias a retained snapshot already has, refreshed as most recently chosen. Sources that switch back and forth
   * between a few SVIDs thus never push an alias out of the window. Caller holds the lock.
   */
  private String aliasInWindow(X509Svid svid) {
    String found = null;
    for (Map.Entry<String, X509Svid> entry : chosen.entrySet()) {
      if (entry.getValue() == svid) {
        found = entry.getKey();
        break;
      }
    }
    if (found != null) {
      chosen.get(found);
    }
    return found;
  }

  private X509Svid snapshot(String alias) {
    if (alias == null) {
      return null;
    }
    Snapshot last = latest;
    if (last != null && last.alias.equals(alias)) {
      return last.svid;
    }
    synchronized (chosen) {
      return chosen.get(alias);
    }
  }

  /** The JSSE key type of a key: what JSSE passes to {@code choose*Alias} for keys that can sign with it. */
  private static String keyType(PrivateKey key) {
    return normalize(key.getAlgorithm());
  }

  /** JDK keys say "EdDSA", other providers "Ed25519"/"Ed448"; JSSE asks for "EdDSA". */
  private static String normalize(String algorithm) {
    return algorithm.equalsIgnoreCase("Ed25519") || algorithm.equalsIgnoreCase("Ed448") ? "EdDSA" : algorithm;
  }

  private static SSLSession handshakeSession(Socket socket) {
    return socket instanceof SSLSocket ? ((SSLSocket) socket).getHandshakeSession() : null;
  }

  private static final class Snapshot {
    final String alias;
    final X509Svid svid;

    Snapshot(String alias, X509Svid svid) {
      this.alias = alias;
      this.svid = svid;
    }
  }
}
