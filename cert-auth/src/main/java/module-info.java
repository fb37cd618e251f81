/**
 * spiffe4j cert-auth: private keys and certificates from files (PKCS#8, PKCS#1, SEC1, OpenSSH, encrypted PKCS#8),
 * challenge signing with a key that may live outside the process, and a small typed Akeyless API client on the JDK
 * HTTP client.
 */
module io.spiffe4j.certauth {
  requires transitive io.spiffe4j;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires com.fasterxml.jackson.databind;
  requires java.net.http;
  requires org.slf4j;

  exports io.spiffe4j.certauth;
  exports io.spiffe4j.certauth.akeyless;
}
