package io.spiffe4j.certauth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.certauth.ToolKeys.Format;
import io.spiffe4j.certauth.ToolKeys.KeyFile;
import io.spiffe4j.certauth.ToolKeys.KeyType;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Any pooled key and any challenge bytes: the signature verifies under the certificate's key. */
class ChallengeSignerProperties {
  private static List<Pooled> pool;

  /** A key file's client certificate and signer, built once per run: key generation is the slow part. */
  private static final class Pooled {
    final KeyFile file;
    final ClientCertificate client;

    Pooled(KeyFile file) {
      this.file = file;
      this.client = ClientCertificate.fromFiles(file.leafPem, file.path, file.password());
    }

    @Override
    public String toString() {
      return file.toString();
    }
  }

  private static synchronized List<Pooled> pool() {
    if (pool == null) {
      List<Pooled> keys = new ArrayList<>();
      for (KeyType type : new KeyType[] {KeyType.RSA_2048, KeyType.RSA_4096, KeyType.EC_P256, KeyType.EC_P384,
          KeyType.EC_P521}) {
        keys.add(new Pooled(ToolKeys.file(Format.PKCS8, type)));
        keys.add(new Pooled(ToolKeys.file(Format.OPENSSH, type)));
      }
      pool = List.copyOf(keys);
    }
    return pool;
  }

  @Provide
  Arbitrary<Pooled> pooledKeys() {
    return Arbitraries.of(pool());
  }

  @Provide
  Arbitrary<byte[]> challenges() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(512);
  }

  @Property(tries = 200)
  void signaturesVerifyUnderTheCertificateKey(@ForAll("pooledKeys") Pooled key,
      @ForAll("challenges") byte[] challenge) throws Exception {
    byte[] signature = key.client.signer().sign(challenge);
    assertTrue(KeyFormatsTest.verify(key.client.leaf().getPublicKey(), key.file.type.jcaName, challenge, signature));
    if ("EC".equals(key.file.type.jcaName)) {
      KeyFormatsTest.assertIsDerEcdsaSignature(signature);
    } else {
      assertEquals(Integer.parseInt(key.file.type.size) / 8, signature.length);
    }
  }

  @Property(tries = 200)
  void wireFormSignaturesVerifyToo(@ForAll("pooledKeys") Pooled key, @ForAll("challenges") byte[] challenge)
      throws Exception {
    if (challenge.length == 0) {
      KeyErrorsTest.expect(CertAuthException.Kind.INVALID_CHALLENGE, () -> key.client.signChallenge(""));
      return;
    }
    String signature = key.client.signChallenge(Base64.getEncoder().encodeToString(challenge));
    assertTrue(KeyFormatsTest.verify(key.file.publicKey, key.file.type.jcaName, challenge,
        Base64.getDecoder().decode(signature)));
  }
}
