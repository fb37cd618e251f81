package io.spiffe4j.testkit;

import io.spiffe4j.bundle.JwtBundle;
import io.spiffe4j.bundle.SpiffeBundle;
import io.spiffe4j.bundle.X509Bundle;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.JwtSvidMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.svid.x509.X509Svid;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;

/**
 * A certificate authority for tests: it issues X509-SVIDs and JWT-SVIDs of one trust domain and hands out the
 * bundles that trust them, so an SDK user's test needs no SPIRE server. Modelled on go-spiffe's
 * {@code internal/test/ca.go} and OkHttp's {@code HeldCertificate}.
 *
 * <pre>{@code
 * TestCa ca = TestCa.create(TrustDomain.parse("example.org"));
 * X509Svid svid = ca.x509Svid(SpiffeId.parse("spiffe://example.org/workload")).toX509Svid();
 * X509Bundle trusted = ca.x509Bundle();
 * String token = ca.jwtSvid(SpiffeId.parse("spiffe://example.org/workload"), "my-service");
 * }</pre>
 *
 * <p>Every certificate and token comes from {@link CertificateMinter} and {@link JwtSvidMinter}, the same primitive
 * spiffe4j's own authority uses, so they follow the SPIFFE profile: the CA has {@code cA=true},
 * {@code keyCertSign|cRLSign} and the trust domain's ID as URI SAN; a leaf has {@code cA=false},
 * {@code digitalSignature}, server and client auth and exactly one URI SAN; a token has {@code sub}, {@code aud},
 * {@code exp}, {@code iat}, a {@code kid} and {@code typ: JWT}. Use the {@code Consumer<CertificateMinter>} and
 * {@code Consumer<JwtSvidMinter>} overloads to break any of this on purpose.
 *
 * <p>A root CA signs X509-SVIDs with its CA key and JWT-SVIDs with a separate JWT key under a random key ID.
 * {@linkplain #childCa() Intermediate CAs} issue X509-SVIDs whose chain includes them, share their root's JWT key, and
 * report their root's bundles, since a bundle holds only roots.
 *
 * <p>Not for production: private keys live in memory unprotected. Instances are immutable and thread-safe; each
 * issuing call generates a fresh key pair.
 */
public final class TestCa {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Settings settings;
    private final TestCa parent;
    private final X509Certificate certificate;
    private final KeyPair caKey;
    private final KeyPair jwtKey;
    private final String jwtKeyId;

    private TestCa(Settings settings, TestCa parent, X509Certificate certificate, KeyPair caKey, KeyPair jwtKey, String jwtKeyId) {
        this.settings = settings;
        this.parent = parent;
        this.certificate = certificate;
        this.caKey = caKey;
        this.jwtKey = jwtKey;
        this.jwtKeyId = jwtKeyId;
    }

    /** A root CA for the trust domain with every {@link Builder} default: EC P-256 keys, the system UTC clock. */
    public static TestCa create(TrustDomain trustDomain) {
        return builder(trustDomain).build();
    }

    /** A builder for a root CA of the trust domain. */
    public static Builder builder(TrustDomain trustDomain) {
        return new Builder(trustDomain);
    }

    /**
     * An intermediate CA signed by this one, with the same trust domain, key algorithm, clock and lifetimes. Its
     * X509-SVIDs carry it (and any intermediates above it) in their chain; its bundles are its root's.
     */
    public TestCa childCa() {
        KeyPair childKey = settings.keyAlgorithm().generate();
        X509Certificate childCertificate = settings.caMinter(childKey, "intermediate")
                .issuedBy(certificate, caKey.getPrivate())
                .sign(null);
        return new TestCa(settings, this, childCertificate, childKey, jwtKey, jwtKeyId);
    }

    /** An X509-SVID for the ID, valid from one minute before the clock's instant for the SVID lifetime. */
    public IssuedSvid x509Svid(SpiffeId id) {
        return x509Svid(id, minter -> { });
    }

    /**
     * An X509-SVID for the ID, after {@code customizer} has changed the SPIFFE-profile defaults: use it to issue
     * expired SVIDs, extra SANs, wrong key usages and other certificates a verifier must reject. The customizer
     * cannot change the subject key (a fresh key of the SVID key algorithm) or the issuer.
     */
    public IssuedSvid x509Svid(SpiffeId id, Consumer<CertificateMinter> customizer) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(customizer, "customizer");
        KeyPair leafKey = settings.svidKeyAlgorithm().generate();
        CertificateMinter minter = CertificateMinter.x509Svid(leafKey.getPublic(), id)
                .validFor(settings.clock().instant(), settings.svidTtl());
        customizer.accept(minter);
        X509Certificate leaf = minter.issuedBy(certificate, caKey.getPrivate()).sign(null);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        for (TestCa ca = this; ca.parent != null; ca = ca.parent) {
            chain.add(ca.certificate);
        }
        return new IssuedSvid(id, chain, leafKey);
    }

    /**
     * A JWT-SVID for the subject and audiences, expiring after the SVID lifetime from the clock's instant.
     *
     * @throws IllegalArgumentException if no audience is given (JWT-08)
     */
    public String jwtSvid(SpiffeId subject, String... audience) {
        Objects.requireNonNull(audience, "audience");
        return jwtSvid(subject, List.of(audience), settings.clock().instant().plus(settings.svidTtl()));
    }

    /**
     * A JWT-SVID for the subject and audiences, expiring at {@code expiry} (which may be in the past).
     *
     * @throws IllegalArgumentException if no audience is given (JWT-08)
     */
    public String jwtSvid(SpiffeId subject, List<String> audience, Instant expiry) {
        Objects.requireNonNull(audience, "audience");
        Objects.requireNonNull(expiry, "expiry");
        if (audience.isEmpty()) {
            throw new IllegalArgumentException("a JWT-SVID needs at least one audience (JWT-08)");
        }
        String[] audiences = audience.toArray(new String[0]);
        return jwtSvid(subject, minter -> minter.audience(audiences).expiry(expiry));
    }

    /**
     * A JWT-SVID for the subject after {@code customizer} has changed the defaults (no audience, expiry after the
     * SVID lifetime, issued at the clock's instant, this CA's key ID and JWT key's algorithm, {@code typ: JWT}). The
     * customizer must set an audience.
     */
    public String jwtSvid(SpiffeId subject, Consumer<JwtSvidMinter> customizer) {
        Objects.requireNonNull(customizer, "customizer");
        Instant now = settings.clock().instant();
        JwtSvidMinter minter = JwtSvidMinter.forSubject(subject)
                .issuedAt(now)
                .expiry(now.plus(settings.svidTtl()))
                .keyId(jwtKeyId);
        customizer.accept(minter);
        return minter.sign(jwtKey.getPrivate());
    }

    public TrustDomain trustDomain() {
        return settings.trustDomain();
    }

    /** This CA's own certificate (for an intermediate, the one its parent signed). */
    public X509Certificate certificate() {
        return certificate;
    }

    /** This CA's key pair, for minting certificates the convenience methods cannot describe. */
    public KeyPair keyPair() {
        return caKey;
    }

    /** The root certificate above this CA (this CA's own if it is a root), as a one-element unmodifiable list. */
    public List<X509Certificate> x509Authorities() {
        return List.of(root().certificate);
    }

    /** An X.509 bundle of the trust domain holding the root certificate. */
    public X509Bundle x509Bundle() {
        return X509Bundle.of(settings.trustDomain(), x509Authorities());
    }

    /** The key ID under which JWT-SVIDs are signed. */
    public String jwtKeyId() {
        return jwtKeyId;
    }

    /** The JWT authority by key ID, as an unmodifiable one-entry map. */
    public Map<String, PublicKey> jwtAuthorities() {
        return Collections.singletonMap(jwtKeyId, jwtKey.getPublic());
    }

    /** A JWT bundle of the trust domain holding the JWT authority. */
    public JwtBundle jwtBundle() {
        return JwtBundle.of(settings.trustDomain(), jwtAuthorities());
    }

    /**
     * The JWT authority as a plain JWK Set, {@code {"keys":[{"kty":..., "kid":..., ...}]}}, as the Workload API
     * delivers JWT bundles (WAPI-11).
     */
    public String jwksJson() {
        return new String(jwtBundle().marshal(), StandardCharsets.UTF_8);
    }

    /** The trust domain's SPIFFE bundle: the root as X.509 authority and the JWT authority. */
    public SpiffeBundle spiffeBundle() {
        return SpiffeBundle.of(x509Bundle(), jwtBundle());
    }

    /**
     * {@link #spiffeBundle()} as a SPIFFE bundle document, with {@code use} on every key (X509-18, JWT-12): what a
     * bundle endpoint serves to federated trust domains.
     */
    public String spiffeBundleJson() {
        return new String(spiffeBundle().marshal(), StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "TestCa{trustDomain=" + settings.trustDomain() + ", " + (parent == null ? "root" : "intermediate")
                + ", keyAlgorithm=" + settings.keyAlgorithm() + ", jwtKeyId=" + jwtKeyId + "}";
    }

    private TestCa root() {
        TestCa root = this;
        while (root.parent != null) {
            root = root.parent;
        }
        return root;
    }

    /** What a CA and its intermediates share. */
    private record Settings(TrustDomain trustDomain, KeyAlgorithm keyAlgorithm, KeyAlgorithm svidKeyAlgorithm,
            Clock clock, Duration caTtl, Duration svidTtl) {

        /**
         * A CA minter for the key, with a subject unique to this certificate: path building must never confuse a root
         * with an intermediate that shares its name.
         */
        CertificateMinter caMinter(KeyPair key, String role) {
            BigInteger serial = new BigInteger(63, RANDOM).add(BigInteger.ONE);
            return CertificateMinter.ca(key.getPublic(), trustDomain.id())
                    .subject(new X500Principal("O=SPIFFE, OU=spiffe4j testkit, CN=" + trustDomain.name() + " " + role
                            + " CA " + serial.toString(16)))
                    .serial(serial)
                    .validFor(clock.instant(), caTtl);
        }
    }

    /**
     * Options of a root {@link TestCa}. Defaults: EC P-256 CA and SVID keys, an EC P-256 JWT key, the system UTC clock,
     * a CA lifetime of one day and an SVID lifetime of one hour (X509-SVIDs and JWT-SVIDs alike). Certificates are
     * valid from one minute before the clock's instant. Not thread-safe.
     */
    public static final class Builder {
        private final TrustDomain trustDomain;
        private KeyAlgorithm keyAlgorithm = KeyAlgorithm.EC_P256;
        private KeyAlgorithm svidKeyAlgorithm = KeyAlgorithm.EC_P256;
        private KeyAlgorithm jwtKeyAlgorithm = KeyAlgorithm.EC_P256;
        private Clock clock = Clock.systemUTC();
        private Duration caTtl = Duration.ofDays(1);
        private Duration svidTtl = Duration.ofHours(1);

        private Builder(TrustDomain trustDomain) {
            this.trustDomain = Objects.requireNonNull(trustDomain, "trustDomain");
        }

        /** The key algorithm of this CA and of its intermediates. */
        public Builder keyAlgorithm(KeyAlgorithm keyAlgorithm) {
            this.keyAlgorithm = Objects.requireNonNull(keyAlgorithm, "keyAlgorithm");
            return this;
        }

        /** The key algorithm of the X509-SVIDs' leaf keys. */
        public Builder svidKeyAlgorithm(KeyAlgorithm svidKeyAlgorithm) {
            this.svidKeyAlgorithm = Objects.requireNonNull(svidKeyAlgorithm, "svidKeyAlgorithm");
            return this;
        }

        /**
         * The key algorithm of the JWT authority; it also picks the token's {@code alg} (ES256/384/512 or RS256).
         *
         * @throws IllegalArgumentException for Ed25519, which JWT-SVIDs do not allow (JWT-03)
         */
        public Builder jwtKeyAlgorithm(KeyAlgorithm jwtKeyAlgorithm) {
            Objects.requireNonNull(jwtKeyAlgorithm, "jwtKeyAlgorithm");
            if (jwtKeyAlgorithm == KeyAlgorithm.ED25519) {
                throw new IllegalArgumentException("JWT-SVIDs cannot be signed with Ed25519 (JWT-03)");
            }
            this.jwtKeyAlgorithm = jwtKeyAlgorithm;
            return this;
        }

        /** The clock every certificate's validity and every token's {@code iat} and {@code exp} start from. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long CA certificates are valid.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder caTtl(Duration caTtl) {
            this.caTtl = positive(caTtl, "caTtl");
            return this;
        }

        /**
         * How long X509-SVIDs and JWT-SVIDs are valid.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder svidTtl(Duration svidTtl) {
            this.svidTtl = positive(svidTtl, "svidTtl");
            return this;
        }

        /** Generates the keys and self-signs the root certificate. */
        public TestCa build() {
            Settings settings = new Settings(trustDomain, keyAlgorithm, svidKeyAlgorithm, clock, caTtl, svidTtl);
            KeyPair caKey = keyAlgorithm.generate();
            X509Certificate root = settings.caMinter(caKey, "root").sign(caKey.getPrivate());
            return new TestCa(settings, null, root, caKey, jwtKeyAlgorithm.generate(), newKeyId());
        }

        private static Duration positive(Duration duration, String name) {
            Objects.requireNonNull(duration, name);
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + duration);
            }
            return duration;
        }

        private static String newKeyId() {
            byte[] bytes = new byte[16];
            RANDOM.nextBytes(bytes);
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }
    }

    /**
     * An X509-SVID issued by a {@link TestCa}: the chain (leaf first, then any intermediates, never the root) and the
     * leaf's private key. Immutable and thread-safe; {@code toString()} never shows the key.
     */
    public static final class IssuedSvid {
        private final SpiffeId id;
        private final List<X509Certificate> chain;
        private final KeyPair keyPair;

        IssuedSvid(SpiffeId id, List<X509Certificate> chain, KeyPair keyPair) {
            this.id = id;
            this.chain = List.copyOf(chain);
            this.keyPair = keyPair;
        }

        /** The SPIFFE ID the SVID was issued for (the leaf's URI SAN unless a customizer changed it). */
        public SpiffeId id() {
            return id;
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }

        /** Leaf first, then the intermediates up to (not including) the root; an unmodifiable list. */
        public List<X509Certificate> chain() {
            return chain;
        }

        public PrivateKey privateKey() {
            return keyPair.getPrivate();
        }

        /** The chain as the Workload API sends it: concatenated DER certificates, leaf first (X509-21). */
        public byte[] chainDer() {
            ByteArrayOutputStream der = new ByteArrayOutputStream();
            for (X509Certificate certificate : chain) {
                der.writeBytes(encoded(certificate));
            }
            return der.toByteArray();
        }

        /**
         * The SVID as spiffe4j's {@link X509Svid}, which checks it: this fails only if a customizer broke the SPIFFE
         * profile.
         *
         * @throws io.spiffe4j.svid.x509.X509SvidException if the chain or key breaks an X509-SVID rule
         */
        public X509Svid toX509Svid() {
            return X509Svid.of(chain, keyPair.getPrivate());
        }

        /** The private key as unencrypted PKCS#8 DER (X509-21). */
        public byte[] privateKeyDer() {
            return keyPair.getPrivate().getEncoded();
        }

        private static byte[] encoded(X509Certificate certificate) {
            try {
                return certificate.getEncoded();
            } catch (CertificateEncodingException e) {
                throw new IllegalStateException("a minted certificate always has an encoding", e);
            }
        }

        @Override
        public String toString() {
            return "IssuedSvid{id=" + id + ", chainLength=" + chain.size() + ", key=" + keyPair.getPrivate().getAlgorithm() + "}";
        }
    }
}
