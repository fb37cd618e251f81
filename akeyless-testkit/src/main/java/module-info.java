/**
 * spiffe4j Akeyless testkit: a local Akeyless Gateway that really checks what it is sent (access-key, certificate,
 * Kubernetes, GCP and Azure AD authentication) and PKI issuers that really sign, for tests that cannot reach
 * Akeyless. A leaf: it depends on spiffe-core only, never on cert-auth.
 */
module io.spiffe4j.akeyless.testkit {
  requires transitive io.spiffe4j;
  requires jdk.httpserver;
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires com.nimbusds.jose.jwt;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.spiffe4j.akeyless.testkit;
}
