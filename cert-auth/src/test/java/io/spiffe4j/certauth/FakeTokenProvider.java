package io.spiffe4j.certauth;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.SignatureSpi;

/**
 * Stands in for a PKCS#11 token: its keys are opaque handles ({@link TokenKey}: no encoding, no visible parts) that
 * only this provider can sign with, as SunPKCS11's sensitive keys are.
 */
final class FakeTokenProvider extends Provider {
  private static final long serialVersionUID = 1L;

  FakeTokenProvider() {
    super("SPIFFE4J-FAKE-TOKEN", "1.0", "opaque test keys");
    for (String algorithm : new String[] {"SHA256withRSA", "SHA256withECDSA"}) {
      putService(new Service(this, "Signature", algorithm, TokenSignature.class.getName(), null, null) {
        @Override
        public Object newInstance(Object parameter) {
          return new TokenSignature(algorithm);
        }
      });
    }
  }

  /** A key handle: signs through the token, shows nothing. */
  static final class TokenKey implements PrivateKey {
    private static final long serialVersionUID = 1L;
    private final transient PrivateKey inside;

    TokenKey(PrivateKey inside) {
      this.inside = inside;
    }

    @Override
    public String getAlgorithm() {
      return inside.getAlgorithm();
    }

    @Override
    public String getFormat() {
      return null;
    }

    @Override
    public byte[] getEncoded() {
      return null;
    }
  }

  private static final class TokenSignature extends SignatureSpi {
    private final String algorithm;
    private Signature inside;

    TokenSignature(String algorithm) {
      this.algorithm = algorithm;
    }

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
      if (!(key instanceof TokenKey)) {
        throw new InvalidKeyException("not a token key");
      }
      try {
        inside = Signature.getInstance(algorithm);
        inside.initSign(((TokenKey) key).inside);
      } catch (GeneralSecurityException e) {
        throw new InvalidKeyException(e);
      }
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      throw new InvalidKeyException("the token only signs");
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
      inside.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
      inside.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      return inside.sign();
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) throws SignatureException {
      throw new SignatureException("the token only signs");
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      throw new UnsupportedOperationException();
    }
  }
}
