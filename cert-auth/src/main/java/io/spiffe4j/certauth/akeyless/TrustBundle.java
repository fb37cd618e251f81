package io.spiffe4j.certauth.akeyless;

import io.spiffe4j.certauth.akeyless.AkeylessException.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** A TLS context that trusts exactly the given CA certificates (a Gateway's private CA). Stateless. */
final class TrustBundle {
  private TrustBundle() {}

  static List<X509Certificate> read(Path pemFile) {
    List<X509Certificate> certificates;
    try {
      certificates = Certificates.parsePem(Files.readString(pemFile, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      throw invalid("the CA bundle " + pemFile + " does not exist", null);
    } catch (IOException e) {
      throw invalid("the CA bundle " + pemFile + " cannot be read: " + e.getClass().getSimpleName(), e);
    } catch (IllegalArgumentException e) {
      throw invalid("the CA bundle " + pemFile + " is not valid PEM: " + e.getMessage(), null);
    }
    if (certificates.isEmpty()) {
      throw invalid("the CA bundle " + pemFile + " holds no CERTIFICATE", null);
    }
    return certificates;
  }

  static SSLContext sslContext(List<X509Certificate> trusted) {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      for (int i = 0; i < trusted.size(); i++) {
        store.setCertificateEntry("ca-" + i, trusted.get(i));
      }
      TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw invalid("cannot build a TLS context from the CA certificates: " + e.getMessage(), e);
    }
  }

  private static AkeylessException invalid(String problem, Throwable cause) {
    return new AkeylessException(Kind.INVALID_INPUT, "configure", problem, cause);
  }
}
