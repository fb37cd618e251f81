package io.spiffe4j.workloadapi;

import static io.spiffe4j.workloadapi.TestMaterial.der;

import com.google.protobuf.ByteString;
import io.spiffe4j.id.SpiffeId;
import io.spiffe4j.id.TrustDomain;
import io.spiffe4j.mint.CertificateMinter;
import io.spiffe4j.mint.KeyAlgorithm;
import io.spiffe4j.workloadapi.internal.proto.X509SVID;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * CAs and SVIDs for the source tests, where every update must be told apart: each CA has a subject of its own, and
 * SVIDs get a fresh key and any validity. EC P-256 keys, which are fast to make.
 */
final class SourceMaterial {
  private SourceMaterial() {
  }

  /** A CA certificate and its key. */
  static final class Ca {
    final X509Certificate certificate;
    final KeyPair key;

    private Ca(X509Certificate certificate, KeyPair key) {
      this.certificate = certificate;
      this.key = key;
    }

    /** An intermediate CA under this one, named {@code name}, valid as long as this one. */
    Ca intermediate(TrustDomain trustDomain, String name) {
      KeyPair key = KeyAlgorithm.EC_P256.generate();
      X509Certificate certificate = CertificateMinter.ca(key.getPublic(), trustDomain.id())
          .subject(new X500Principal("O=SPIFFE, CN=" + name))
          .validity(this.certificate.getNotBefore().toInstant(), this.certificate.getNotAfter().toInstant())
          .issuedBy(this.certificate, this.key.getPrivate())
          .sign(null);
      return new Ca(certificate, key);
    }

    /** A leaf certificate with a fresh key, and that key. */
    Leaf leaf(SpiffeId id, Instant notBefore, Instant notAfter) {
      KeyPair key = KeyAlgorithm.EC_P256.generate();
      X509Certificate certificate = CertificateMinter.x509Svid(key.getPublic(), id)
          .validity(notBefore, notAfter)
          .issuedBy(this.certificate, this.key.getPrivate())
          .sign(null);
      return new Leaf(certificate, key);
    }
  }

  static final class Leaf {
    final X509Certificate certificate;
    final KeyPair key;

    private Leaf(X509Certificate certificate, KeyPair key) {
      this.certificate = certificate;
      this.key = key;
    }
  }

  /** A self-signed root CA of the trust domain named {@code name}, valid from a minute before now for two hours. */
  static Ca root(TrustDomain trustDomain, String name) {
    KeyPair key = KeyAlgorithm.EC_P256.generate();
    Instant now = Instant.now();
    X509Certificate certificate = CertificateMinter.ca(key.getPublic(), trustDomain.id())
        .subject(new X500Principal("O=SPIFFE, CN=" + name))
        .validity(now.minusSeconds(60), now.plusSeconds(7200))
        .sign(key.getPrivate());
    return new Ca(certificate, key);
  }

  /** The Workload API form of an SVID: the leaf, then {@code intermediates}; {@code bundle} for its trust domain. */
  static X509SVID svid(SpiffeId id, String hint, Leaf leaf, List<X509Certificate> intermediates,
      X509Certificate bundle) {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(leaf.certificate);
    chain.addAll(intermediates);
    return X509SVID.newBuilder()
        .setSpiffeId(id.toString())
        .setX509Svid(der(chain.toArray(new X509Certificate[0])))
        .setX509SvidKey(ByteString.copyFrom(leaf.key.getPrivate().getEncoded()))
        .setBundle(der(bundle))
        .setHint(hint)
        .build();
  }
}
