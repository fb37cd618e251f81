package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.TestAuthorities.OTHER_TD;
import static io.spiffe4j.bundle.TestAuthorities.TD;
import static io.spiffe4j.bundle.TestAuthorities.ca;
import static io.spiffe4j.bundle.TestAuthorities.jwtKeys;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.TrustDomain;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BundleSetTest {
  private static final TrustDomain THIRD_TD = TrustDomain.parse("a.example");

  private final SpiffeBundle own = SpiffeBundle.of(TD, List.of(ca(0)), jwtKeys(1));
  private final SpiffeBundle federated = SpiffeBundle.of(OTHER_TD, List.of(ca(1)), Map.of());

  @Test
  void FED_05_twoBundlesOfOneTrustDomainAreNeverMerged() {
    SpiffeBundle second = SpiffeBundle.of(TD, List.of(ca(2)), Map.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> BundleSet.of(List.of(own, second)));
    assertTrue(e.getMessage().contains("FED-05"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> BundleSet.ofX509Bundles(
        List.of(X509Bundle.of(TD, List.of(ca(0))), X509Bundle.of(TD, List.of(ca(1))))));
    assertThrows(IllegalArgumentException.class, () -> BundleSet.ofJwtBundles(
        List.of(JwtBundle.of(TD, jwtKeys(1)), JwtBundle.of(TD, jwtKeys(2)))));
  }

  @Test
  void JWT_16_eachTrustDomainGetsOnlyItsOwnBundle() {
    BundleSet set = BundleSet.of(List.of(own, federated));
    assertEquals(own.x509Bundle(), set.x509BundleFor(TD));
    assertEquals(federated.x509Bundle(), set.x509BundleFor(OTHER_TD));
    assertEquals(own.jwtBundle(), set.jwtBundleFor(TD));
    assertEquals(own, set.bundleFor(TD));
    assertEquals(Optional.of(federated), set.find(OTHER_TD));
  }

  @Test
  void WAPI_07_absentTrustDomainIsNotFound() {
    BundleSet set = BundleSet.of(List.of(own));
    assertEquals(THIRD_TD, assertThrows(BundleNotFoundException.class, () -> set.x509BundleFor(THIRD_TD))
        .trustDomain());
    assertThrows(BundleNotFoundException.class, () -> set.jwtBundleFor(THIRD_TD));
    assertThrows(BundleNotFoundException.class, () -> set.bundleFor(THIRD_TD));
    assertEquals(Optional.empty(), set.find(THIRD_TD));
    assertThrows(BundleNotFoundException.class, () -> BundleSet.empty().x509BundleFor(TD));
  }

  @Test
  void BUN_06_presentTrustDomainWithoutAuthoritiesOfAKindGetsAnEmptyBundle() {
    BundleSet x509Only = BundleSet.ofX509Bundles(List.of(X509Bundle.of(TD, List.of(ca(0)))));
    assertTrue(x509Only.jwtBundleFor(TD).isEmpty());
    assertEquals(TD, x509Only.jwtBundleFor(TD).trustDomain());
    BundleSet jwtOnly = BundleSet.ofJwtBundles(List.of(JwtBundle.of(TD, jwtKeys(2))));
    assertTrue(jwtOnly.x509BundleFor(TD).isEmpty());
    assertEquals(jwtKeys(2).keySet(), jwtOnly.jwtBundleFor(TD).jwtAuthorities().keySet());
  }

  @Test
  void trustDomainsIterateInNameOrder() {
    SpiffeBundle third = SpiffeBundle.of(THIRD_TD, List.of(), Map.of());
    BundleSet set = BundleSet.of(List.of(federated, own, third));
    assertEquals(List.of(THIRD_TD, TD, OTHER_TD), List.copyOf(set.trustDomains()));
    assertEquals(List.of(third, own, federated), set.bundles());
    assertEquals(3, set.size());
    assertTrue(BundleSet.empty().isEmpty());
    assertThrows(UnsupportedOperationException.class, () -> set.trustDomains().clear());
  }

  @Test
  void equalityIsByBundles() {
    assertEquals(BundleSet.of(List.of(own, federated)), BundleSet.of(List.of(federated, own)));
    assertEquals(BundleSet.of(List.of(own, federated)).hashCode(), BundleSet.of(List.of(federated, own)).hashCode());
    assertNotEquals(BundleSet.of(List.of(own)), BundleSet.of(List.of(own, federated)));
    assertEquals("BundleSet{trustDomains=[example.org, other.example]}",
        BundleSet.of(List.of(own, federated)).toString());
  }

  @Test
  void nullsAreRejectedByName() {
    assertEquals("bundles", assertThrows(NullPointerException.class, () -> BundleSet.of(null)).getMessage());
    assertThrows(NullPointerException.class, () -> BundleSet.of(java.util.Arrays.asList(own, null)));
  }
}
