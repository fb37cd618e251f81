package io.spiffe4j.authority;

import io.spiffe4j.mint.KeyAlgorithm;
import java.io.IOException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** Clocks, upstream doubles and hand-made CSRs for the authority tests. */
final class AuthorityFixtures {
  /** Years away from the machine's clock, so nothing passes by accident on the system clock. */
  static final Instant THEN = Instant.parse("2031-02-03T04:00:00Z");
  /** Keys made once per run: EC P-256 ones for CSRs and SVIDs. */
  static final KeyPair KEY_A = KeyAlgorithm.EC_P256.generate();
  static final KeyPair KEY_B = KeyAlgorithm.EC_P256.generate();

  private AuthorityFixtures() {}

  /** A clock that tests move by hand; thread-safe. */
  static final class MovingClock extends Clock {
    private volatile Instant now;

    MovingClock(Instant start) {
      this.now = start;
    }

    void set(Instant instant) {
      now = instant;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** An upstream that forwards to another until told to fail, counting every mint it is asked for. */
  static final class FlakyUpstream implements UpstreamAuthority {
    final UpstreamAuthority delegate;
    final AtomicInteger mints = new AtomicInteger();
    volatile RuntimeException failure;
    final List<Consumer<List<java.security.cert.X509Certificate>>> rootListeners = new ArrayList<>();

    FlakyUpstream(UpstreamAuthority delegate) {
      this.delegate = delegate;
    }

    @Override
    public UpstreamX509Ca mintX509Ca(byte[] csr, Duration preferredTtl) {
      mints.incrementAndGet();
      RuntimeException toThrow = failure;
      if (toThrow != null) {
        throw toThrow;
      }
      return delegate.mintX509Ca(csr, preferredTtl);
    }

    @Override
    public Subscription subscribeToRootChanges(Consumer<List<java.security.cert.X509Certificate>> listener) {
      rootListeners.add(listener);
      return () -> rootListeners.remove(listener);
    }

    @Override
    public Optional<List<JwtKey>> publishJwtKey(JwtKey key) {
      return delegate.publishJwtKey(key);
    }
  }

  /** A CSR signed by {@code signer} for {@code subjectKey}'s public key, with these SANs (none: no extension). */
  static byte[] csr(KeyPair subjectKey, KeyPair signer, GeneralName... sans) {
    try {
      PKCS10CertificationRequestBuilder builder = new JcaPKCS10CertificationRequestBuilder(
          new X500Principal("O=SPIFFE, CN=test"), subjectKey.getPublic());
      if (sans.length > 0) {
        ExtensionsGenerator extensions = new ExtensionsGenerator();
        extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
      }
      String algorithm = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      return builder.build(new JcaContentSignerBuilder(algorithm).build(signer.getPrivate())).getEncoded();
    } catch (IOException | OperatorCreationException e) {
      throw new AssertionError(e);
    }
  }

  static GeneralName uri(String uri) {
    return new GeneralName(GeneralName.uniformResourceIdentifier, uri);
  }
}
