package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.JwtBundleTest.rejected;
import static io.spiffe4j.bundle.JwtBundleTest.wapiEntry;
import static io.spiffe4j.bundle.TestAuthorities.TD;
import static io.spiffe4j.bundle.TestAuthorities.ca;
import static io.spiffe4j.bundle.TestAuthorities.json;
import static io.spiffe4j.bundle.TestAuthorities.jwtKey;
import static io.spiffe4j.bundle.TestAuthorities.jwtKeys;
import static io.spiffe4j.bundle.TestAuthorities.text;
import static io.spiffe4j.bundle.TestAuthorities.utf8;
import static io.spiffe4j.bundle.TestDocs.docBytes;
import static io.spiffe4j.bundle.TestDocs.x509Entry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BundlesTest {
  private final X509Bundle x509 = X509Bundle.of(TD, List.of(ca(0), ca(5)));

  @Test
  void pemFileIsAnX509Bundle() {
    assertEquals(SpiffeBundle.of(x509), Bundles.parseAny(TD, x509.marshalPem()));
  }

  @Test
  void X509_21_derFileIsAnX509Bundle() {
    assertEquals(SpiffeBundle.of(x509), Bundles.parseAny(TD, x509.marshalDer()));
  }

  @Test
  void WAPI_11_plainJwksIsAJwtBundleWithoutUse() {
    byte[] jwks = docBytes(wapiEntry("a", jwtKey(0)), wapiEntry("b", jwtKey(6)));
    assertEquals(SpiffeBundle.of(JwtBundle.of(TD, Map.of("a", jwtKey(0), "b", jwtKey(6)))),
        Bundles.parseAny(TD, jwks));
    JwtBundle marshalled = JwtBundle.of(TD, jwtKeys(3));
    assertEquals(SpiffeBundle.of(marshalled), Bundles.parseAny(TD, marshalled.marshal()));
  }

  @Test
  void BUN_09_jwksWithX509SvidEntriesIsASpiffeBundle() {
    // With a use on some key, keys without one are ignored as the SPIFFE format says.
    byte[] doc = docBytes(x509Entry(ca(0)), wapiEntry("ignored", jwtKey(0)));
    SpiffeBundle parsed = Bundles.parseAny(TD, doc);
    assertEquals(List.of(ca(0)), parsed.x509Authorities());
    assertTrue(parsed.jwtAuthorities().isEmpty());
  }

  @Test
  void BUN_03_spiffeMembersMakeASpiffeBundle() {
    SpiffeBundle parsed = Bundles.parseAny(TD, json("{'keys':[],'spiffe_sequence':7}"));
    assertEquals(Optional.of(BigInteger.valueOf(7)), parsed.sequenceNumber());
    rejected("BUN-04", () -> Bundles.parseAny(TD, json("{'keys':[],'spiffe_refresh_hint':0.5}")));
  }

  @Test
  void spiffeBundleRoundTripsThroughParseAny() {
    SpiffeBundle bundle = SpiffeBundle.builder(TD).x509Authorities(List.of(ca(1))).jwtAuthorities(jwtKeys(2))
        .sequenceNumber(BigInteger.ONE).build();
    assertEquals(bundle, Bundles.parseAny(TD, bundle.marshal()));
    byte[] indented = utf8(" \r\n\t" + text(bundle.marshal()));
    assertEquals(bundle, Bundles.parseAny(TD, indented));
  }

  @Test
  void BUN_06_emptyFileRejectedButExplicitlyEmptyBundleAccepted() {
    rejected(null, () -> Bundles.parseAny(TD, new byte[0]));
    rejected(null, () -> Bundles.parseAny(TD, utf8(" \n\t\r\n")));
    assertTrue(Bundles.parseAny(TD, json("{'keys':[]}")).isEmpty());
  }

  @Test
  void malformedInputInTheDetectedFormatRejected() {
    rejected(null, () -> Bundles.parseAny(TD, utf8("{\"keys\":")));
    rejected("BUN-01", () -> Bundles.parseAny(TD, utf8("[{\"keys\":[]}]")));
    rejected(null, () -> Bundles.parseAny(TD, utf8("-----BEGIN CERTIFICATE-----\n")));
    rejected("X509-21", () -> Bundles.parseAny(TD, utf8("spiffe bundle")));
    rejected("BUN-05", () -> Bundles.parseAny(TD, json("{'spiffe_sequence':1}")));
  }
}
