/**
 * spiffe4j core: SPIFFE IDs, bundles, X509-SVID and JWT-SVID validation, TLS integration and the minting primitive.
 * No transport and no Akeyless dependency.
 */
module io.spiffe4j {
  requires org.bouncycastle.provider;
  requires org.bouncycastle.pkix;
  requires org.bouncycastle.util;
  requires com.nimbusds.jose.jwt;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;

  exports io.spiffe4j;
  exports io.spiffe4j.authority;
  exports io.spiffe4j.id;
  exports io.spiffe4j.bundle;
  exports io.spiffe4j.mint;
  exports io.spiffe4j.svid.x509;
  exports io.spiffe4j.svid.jwt;
  exports io.spiffe4j.tls;
  exports io.spiffe4j.internal to io.spiffe4j.workloadapi, io.spiffe4j.testkit, io.spiffe4j.cli, io.spiffe4j.certauth,
      io.spiffe4j.akeyless.testkit;
}
