package io.spiffe4j.bundle;

import static io.spiffe4j.bundle.TestAuthorities.TD;
import static io.spiffe4j.bundle.TestAuthorities.cas;
import static io.spiffe4j.bundle.TestAuthorities.jwtKeyPairs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.constraints.Size;

/**
 * Properties of every bundle parser: whatever the input, the answer is a bundle or a {@link BundleException}; and
 * every format round-trips. Keys and certificates come from the shared {@link TestAuthorities} pool. Named
 * {@code *Test} so that Surefire's default includes run it.
 */
@Tag("property")
class BundlePropertiesTest {
  private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private static final Map<String, Function<byte[], Object>> PARSERS = parsers();

  private static Map<String, Function<byte[], Object>> parsers() {
    Map<String, Function<byte[], Object>> parsers = new LinkedHashMap<>();
    parsers.put("X509Bundle.parse", b -> X509Bundle.parse(TD, b));
    parsers.put("X509Bundle.parsePem", b -> X509Bundle.parsePem(TD, b));
    parsers.put("X509Bundle.parseDer", b -> X509Bundle.parseDer(TD, b));
    parsers.put("JwtBundle.parse", b -> JwtBundle.parse(TD, b));
    parsers.put("SpiffeBundle.parse", b -> SpiffeBundle.parse(TD, b));
    parsers.put("Bundles.parseAny", b -> Bundles.parseAny(TD, b));
    return parsers;
  }

  /**
   * Every parser answers a value or a BundleException; any other throwable fails the property. Collects whether
   * {@code Bundles.parseAny} accepted, so generators can be checked to reach both outcomes.
   */
  private static void everyParserParsesOrRejects(byte[] input) {
    PARSERS.forEach((name, parser) -> {
      try {
        assertNotNull(parser.apply(input.clone()), name);
        if (name.equals("Bundles.parseAny")) {
          Statistics.label("parseAny").collect("accepted");
        }
      } catch (BundleException e) {
        assertFalse(e.getMessage().isEmpty(), name);
        if (name.equals("Bundles.parseAny")) {
          Statistics.label("parseAny").collect("rejected");
        }
      }
    });
  }

  /** The generator reaches both outcomes, so it explores past the first check (floors far below the means). */
  private static void bothOutcomesReached() {
    Statistics.label("parseAny").coverage(coverage -> {
      coverage.check("accepted").percentage(p -> p >= 10);
      coverage.check("rejected").percentage(p -> p >= 5);
    });
  }

  @Property(tries = 300)
  void randomBytesParseOrAreRejected(@ForAll @Size(max = 800) byte[] input) {
    everyParserParsesOrRejects(input);
  }

  @Property(tries = 400)
  void mutatedValidDocumentsParseOrAreRejected(@ForAll("mutatedDocuments") byte[] input) {
    // No coverage floor here: byte edits break DER and JSON so often that only about 3 % survive.
    everyParserParsesOrRejects(input);
  }

  @Property(tries = 400)
  void structurallyFuzzedJwkSetsParseOrAreRejected(@ForAll("fuzzedJwkSets") byte[] input) {
    everyParserParsesOrRejects(input);
    bothOutcomesReached(); // about 35 % are accepted
  }

  @Property(tries = 200)
  void pemAndDerRoundTrip(@ForAll("authorities") List<X509Certificate> authorities) {
    X509Bundle bundle = X509Bundle.of(TD, authorities);
    assertEquals(bundle, X509Bundle.parsePem(TD, bundle.marshalPem()));
    assertEquals(bundle, X509Bundle.parseDer(TD, bundle.marshalDer()));
    assertEquals(bundle, X509Bundle.parse(TD, bundle.marshalPem()));
    assertEquals(bundle, X509Bundle.parse(TD, bundle.marshalDer()));
    if (!bundle.isEmpty()) {
      assertEquals(SpiffeBundle.of(bundle), Bundles.parseAny(TD, bundle.marshalPem()));
      assertEquals(SpiffeBundle.of(bundle), Bundles.parseAny(TD, bundle.marshalDer()));
    }
  }

  @Property(tries = 200)
  void jwksRoundTrips(@ForAll("jwtAuthorities") Map<String, PublicKey> authorities) {
    JwtBundle bundle = JwtBundle.of(TD, authorities);
    JwtBundle parsed = JwtBundle.parse(TD, bundle.marshal());
    assertEquals(bundle, parsed);
    assertEquals(bundle.hashCode(), parsed.hashCode());
    assertEquals(SpiffeBundle.of(bundle), Bundles.parseAny(TD, bundle.marshal()));
  }

  @Property(tries = 200)
  void spiffeBundleRoundTrips(@ForAll("spiffeBundles") SpiffeBundle bundle) {
    SpiffeBundle parsed = SpiffeBundle.parse(TD, bundle.marshal());
    assertEquals(bundle, parsed);
    assertEquals(bundle.hashCode(), parsed.hashCode());
    assertEquals(bundle.x509Authorities(), parsed.x509Authorities());
    assertEquals(bundle, Bundles.parseAny(TD, bundle.marshal()));
  }

  @Provide
  Arbitrary<List<X509Certificate>> authorities() {
    return Arbitraries.of(cas()).list().ofMaxSize(6);
  }

  @Provide
  Arbitrary<Map<String, PublicKey>> jwtAuthorities() {
    Arbitrary<String> keyIds = Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().withChars("-_.").ofMinLength(1).ofMaxLength(12),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(8));
    Arbitrary<PublicKey> keys = Arbitraries.of(jwtKeyPairs()).map(KeyPair::getPublic);
    return Arbitraries.maps(keyIds, keys).ofMaxSize(5).map(LinkedHashMap::new);
  }

  @Provide
  Arbitrary<SpiffeBundle> spiffeBundles() {
    Arbitrary<BigInteger> sequences = Arbitraries.oneOf(
        Arbitraries.bigIntegers().between(BigInteger.ZERO, MAX_UINT64),
        Arbitraries.of(BigInteger.ZERO, MAX_UINT64)).injectNull(0.3);
    Arbitrary<Duration> hints = Arbitraries.longs().between(0, Long.MAX_VALUE).map(Duration::ofSeconds)
        .injectNull(0.3);
    return Combinators.combine(authorities(), jwtAuthorities(), sequences, hints)
        .as((x509, jwt, sequence, hint) -> SpiffeBundle.builder(TD).x509Authorities(x509).jwtAuthorities(jwt)
            .sequenceNumber(sequence).refreshHint(hint).build());
  }

  /** Valid documents of every format, then 1-4 byte-level mutations. */
  @Provide
  Arbitrary<byte[]> mutatedDocuments() {
    Arbitrary<byte[]> documents = Arbitraries.oneOf(
        authorities().map(a -> X509Bundle.of(TD, a).marshalPem()),
        authorities().map(a -> X509Bundle.of(TD, a).marshalDer()),
        jwtAuthorities().map(a -> JwtBundle.of(TD, a).marshal()),
        spiffeBundles().map(SpiffeBundle::marshal));
    Arbitrary<Mutation> mutation = Combinators.combine(
        Arbitraries.integers().between(0, 4),
        Arbitraries.doubles().between(0, 1),
        Arbitraries.integers().between(1, 40),
        Arbitraries.bytes())
        .as(Mutation::new);
    return Combinators.combine(documents, mutation.list().ofMinSize(1).ofMaxSize(4)).as((document, mutations) -> {
      byte[] mutated = document;
      for (Mutation m : mutations) {
        mutated = m.apply(mutated);
      }
      return mutated;
    });
  }

  /** One byte-level edit at a relative position. */
  private static final class Mutation {
    private final int kind;
    private final double where;
    private final int length;
    private final byte value;

    Mutation(int kind, double where, int length, byte value) {
      this.kind = kind;
      this.where = where;
      this.length = length;
      this.value = value;
    }

    byte[] apply(byte[] input) {
      int at = (int) (where * input.length);
      int end = Math.min(input.length, at + length);
      switch (kind) {
        case 0: // overwrite a byte
          if (input.length == 0) {
            return new byte[] {value};
          }
          byte[] flipped = input.clone();
          flipped[Math.min(at, input.length - 1)] = value;
          return flipped;
        case 1: // truncate
          return Arrays.copyOf(input, at);
        case 2: // delete a range
          byte[] shorter = new byte[input.length - (end - at)];
          System.arraycopy(input, 0, shorter, 0, at);
          System.arraycopy(input, end, shorter, at, input.length - end);
          return shorter;
        case 3: // duplicate a range
          byte[] longer = new byte[input.length + (end - at)];
          System.arraycopy(input, 0, longer, 0, end);
          System.arraycopy(input, at, longer, end, input.length - at);
          return longer;
        default: // insert a byte
          byte[] inserted = new byte[input.length + 1];
          System.arraycopy(input, 0, inserted, 0, at);
          inserted[at] = value;
          System.arraycopy(input, at, inserted, at + 1, input.length - at);
          return inserted;
      }
    }
  }

  /** JWK Sets built from valid entries whose members are replaced, removed or retyped at random. */
  @Provide
  Arbitrary<byte[]> fuzzedJwkSets() {
    Arbitrary<ObjectNode> validEntries = Arbitraries.oneOf(
        Arbitraries.of(cas()).map(TestDocs::x509Entry),
        Arbitraries.of(jwtKeyPairs()).map(k -> TestDocs.jwtEntry("kid", k.getPublic())),
        Arbitraries.of(jwtKeyPairs()).map(k -> JwtBundleTest.wapiEntry("kid", k.getPublic())));
    Arbitrary<String> members = Arbitraries.of(
        "kty", "use", "kid", "crv", "x", "y", "n", "e", "x5c", "alg", "d", "k", "key_ops", "x5t");
    Arbitrary<JsonNode> values = jsonValues();
    Arbitrary<ObjectNode> entries = Combinators.combine(
        validEntries, members.list().ofMaxSize(3), values.list().ofSize(3), Arbitraries.integers().between(0, 2))
        .as((entry, names, replacements, removeEvery) -> {
          ObjectNode edited = entry.deepCopy();
          for (int i = 0; i < names.size(); i++) {
            if (removeEvery > 0 && i % 2 == 0) {
              edited.remove(names.get(i));
            } else {
              edited.set(names.get(i), replacements.get(i));
            }
          }
          return edited;
        });
    Arbitrary<JsonNode> keysValue = Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(9, entries.list().ofMaxSize(4).map(list -> {
          ArrayNode array = NODES.arrayNode();
          list.forEach(array::add);
          return (JsonNode) array;
        })),
        net.jqwik.api.Tuple.of(1, values));
    return Combinators.combine(keysValue, values.injectNull(0.6), values.injectNull(0.6)).as((keys, seq, hint) -> {
      ObjectNode root = NODES.objectNode();
      root.set("keys", keys);
      if (seq != null) {
        root.set("spiffe_sequence", seq);
      }
      if (hint != null) {
        root.set("spiffe_refresh_hint", hint);
      }
      return TestDocs.bytes(root);
    });
  }

  private static Arbitrary<JsonNode> jsonValues() {
    List<JsonNode> samples = new ArrayList<>(List.of(
        NODES.textNode("EC"), NODES.textNode("RSA"), NODES.textNode("OKP"), NODES.textNode("oct"),
        NODES.textNode("x509-svid"), NODES.textNode("jwt-svid"), NODES.textNode("P-256"), NODES.textNode("P-521"),
        NODES.textNode(""), NODES.textNode("AQAB"), NODES.textNode("MIIB"), NODES.nullNode(),
        NODES.booleanNode(true), NODES.numberNode(-1), NODES.numberNode(1.5), NODES.numberNode(MAX_UINT64),
        NODES.numberNode(MAX_UINT64.add(BigInteger.ONE)), NODES.arrayNode(), NODES.objectNode(),
        NODES.arrayNode().add("MIIB").add(1)));
    return Arbitraries.oneOf(
        Arbitraries.of(samples),
        Arbitraries.strings().ofMaxLength(60).map(NODES::textNode),
        Arbitraries.longs().map(NODES::numberNode));
  }
}
