package io.spiffe4j.svid.x509;

import static io.spiffe4j.svid.x509.TestPki.NOW;
import static io.spiffe4j.svid.x509.TestPki.WORKLOAD;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.mint.KeyAlgorithm;
import java.io.ByteArrayOutputStream;
import java.security.KeyPair;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Untrusted bytes end in a typed {@link X509SvidException} or a valid value, never in another exception; valid SVIDs
 * round-trip through PEM. Inputs are mutations (bit flips, overwrites, deletions, insertions, truncations) of one
 * valid chain and key, built once per run.
 */
class X509SvidProperties {

  /** A valid two-level chain and its key, built once. */
  private static final class Fixture {
    static final TestPki.Chain CHAIN = new TestPki.Chain(2);
    static final byte[] CHAIN_DER = concatenate(CHAIN.presented());
    static final byte[] KEY_DER = CHAIN.leafKey.getPrivate().getEncoded();
    static final X509SvidVerifier VERIFIER = X509SvidVerifier.of(TestPki.bundle(CHAIN.root),
        Clock.fixed(NOW, ZoneOffset.UTC));

    private static byte[] concatenate(List<X509Certificate> certificates) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (X509Certificate certificate : certificates) {
        try {
          out.writeBytes(certificate.getEncoded());
        } catch (CertificateEncodingException e) {
          throw new AssertionError(e);
        }
      }
      return out.toByteArray();
    }
  }

  /** One edit of a byte array; positions wrap around its length. */
  static final class Mutation {
    final int kind;
    final int position;
    final int length;
    final byte value;

    Mutation(int kind, int position, int length, byte value) {
      this.kind = kind;
      this.position = position;
      this.length = length;
      this.value = value;
    }

    byte[] apply(byte[] input) {
      byte[] out = input.clone();
      int at = position % out.length;
      switch (kind) {
        case 0:
          out[at] ^= (byte) (1 << (value & 7));
          return out;
        case 1:
          out[at] = value;
          return out;
        case 2: {
          int end = Math.min(out.length, at + length);
          byte[] shorter = new byte[out.length - (end - at)];
          System.arraycopy(out, 0, shorter, 0, at);
          System.arraycopy(out, end, shorter, at, out.length - end);
          return shorter;
        }
        case 3: {
          byte[] longer = new byte[out.length + length];
          System.arraycopy(out, 0, longer, 0, at);
          Arrays.fill(longer, at, at + length, value);
          System.arraycopy(out, at, longer, at + length, out.length - at);
          return longer;
        }
        default:
          return Arrays.copyOf(out, at);
      }
    }

    @Override
    public String toString() {
      return "Mutation{kind=" + kind + ", position=" + position + ", length=" + length + ", value=" + value + "}";
    }
  }

  @Provide
  Arbitrary<List<Mutation>> mutations() {
    Arbitrary<Mutation> one = Combinators.combine(
        Arbitraries.integers().between(0, 4),
        Arbitraries.integers().between(0, 1 << 20),
        Arbitraries.integers().between(1, 8),
        Arbitraries.bytes())
        .as(Mutation::new);
    return one.list().ofMinSize(1).ofMaxSize(3);
  }

  private static byte[] mutate(byte[] input, List<Mutation> mutations) {
    byte[] out = input;
    for (Mutation mutation : mutations) {
      if (out.length == 0) {
        break;
      }
      out = mutation.apply(out);
    }
    return out;
  }

  @Property(tries = 400)
  void mutatedWorkloadApiChainParsesOrFailsTyped(@ForAll("mutations") List<Mutation> mutations) {
    byte[] chain = mutate(Fixture.CHAIN_DER, mutations);
    try {
      // Parsing checks no signature, so a mutated URI may legitimately yield another valid ID.
      X509Svid svid = X509Svid.parseRaw(chain, Fixture.KEY_DER);
      assertTrue(!svid.id().isRootPath() && !svid.chain().isEmpty());
    } catch (X509SvidException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  @Property(tries = 300)
  void mutatedPresentedChainVerifiesOrFailsTyped(@ForAll("mutations") List<Mutation> mutations) {
    byte[] chain = mutate(Fixture.CHAIN_DER, mutations);
    try {
      List<X509Certificate> certificates = X509Encoding.derCertificates(chain, "X509-16");
      VerifiedX509Svid verified = Fixture.VERIFIER.verify(certificates);
      // Everything that decides the verdict is signed, so an accepted chain must still name the same workload.
      assertEquals(WORKLOAD, verified.id());
    } catch (X509SvidException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  @Property(tries = 300)
  void mutatedPkcs8KeyParsesOrFailsTyped(@ForAll("mutations") List<Mutation> mutations) {
    byte[] key = mutate(Fixture.KEY_DER, mutations);
    try {
      X509Svid svid = X509Svid.parseRaw(Fixture.CHAIN_DER, key);
      assertEquals(WORKLOAD, svid.id());
    } catch (X509SvidException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  @Property(tries = 300)
  void arbitraryBytesNeverEscapeAsOtherExceptions(@ForAll byte[] certificates, @ForAll byte[] key) {
    try {
      X509Svid.parse(certificates, key);
    } catch (X509SvidException expected) {
      assertTrue(expected.getMessage() != null);
    }
  }

  @Property(tries = 40)
  void svidsRoundTripThroughPem(@ForAll("keyTypes") KeyAlgorithm algorithm, @ForAll("depths") int depth) {
    KeyPair caKey = TestPki.ec(0);
    X509Certificate issuer = TestPki.root(caKey);
    KeyPair issuerKey = caKey;
    List<X509Certificate> intermediates = new java.util.ArrayList<>();
    for (int i = 1; i <= depth; i++) {
      KeyPair key = TestPki.ec(i);
      issuer = TestPki.intermediate(key, "Intermediate " + i, issuer, issuerKey);
      issuerKey = key;
      intermediates.add(0, issuer);
    }
    KeyPair leafKey = TestPki.key(algorithm, depth);
    List<X509Certificate> chain = new java.util.ArrayList<>();
    chain.add(TestPki.leaf(leafKey, issuer, issuerKey));
    chain.addAll(intermediates);
    X509Svid svid = X509Svid.of(chain, leafKey.getPrivate());

    X509Svid fromPem = X509Svid.parse(svid.marshalChainPem(), svid.marshalKeyPem());
    X509Svid fromDer = X509Svid.parseRaw(Fixture.concatenate(chain), leafKey.getPrivate().getEncoded());
    for (X509Svid copy : List.of(fromPem, fromDer)) {
      assertEquals(svid.id(), copy.id());
      assertEquals(svid.chain(), copy.chain());
      assertArrayEquals(svid.privateKey().getEncoded(), copy.privateKey().getEncoded());
    }
  }

  @Provide
  Arbitrary<KeyAlgorithm> keyTypes() {
    return Arbitraries.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519);
  }

  @Provide
  Arbitrary<Integer> depths() {
    return Arbitraries.integers().between(0, 3);
  }
}
