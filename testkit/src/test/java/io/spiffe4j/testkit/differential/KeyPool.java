package io.spiffe4j.testkit.differential;

import io.spiffe4j.mint.KeyAlgorithm;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Key pairs generated once per JVM and shared by every differential case: RSA generation is far too slow to do per
 * case on two cores. Each algorithm has several keys so a case can pick an issuer, a subject and an unrelated "attacker"
 * key that all differ. Thread-safe after initialisation.
 */
final class KeyPool {
    /** The algorithms X509-SVID chains are built from. */
    static final List<KeyAlgorithm> X509 =
            List.of(KeyAlgorithm.EC_P256, KeyAlgorithm.EC_P384, KeyAlgorithm.RSA_2048, KeyAlgorithm.ED25519);
    private static final int KEYS_PER_ALGORITHM = 3;
    private static final Map<KeyAlgorithm, List<KeyPair>> KEYS = new EnumMap<>(KeyAlgorithm.class);

    private KeyPool() {}

    /** The {@code index}-th key of the algorithm (0 to 2), generated on first use. */
    static synchronized KeyPair key(KeyAlgorithm algorithm, int index) {
        List<KeyPair> keys = KEYS.computeIfAbsent(algorithm, a -> {
            List<KeyPair> generated = new ArrayList<>();
            for (int i = 0; i < KEYS_PER_ALGORITHM; i++) {
                generated.add(a.generate());
            }
            return generated;
        });
        return keys.get(index);
    }

    /** The pool's key pair whose public half this is. */
    static synchronized KeyPair pairOf(PublicKey publicKey) {
        for (List<KeyPair> keys : KEYS.values()) {
            for (KeyPair key : keys) {
                if (key.getPublic().equals(publicKey)) {
                    return key;
                }
            }
        }
        throw new IllegalArgumentException("not a pool key: " + publicKey.getAlgorithm());
    }

    /** A key of a random X.509 algorithm; distinct indices give distinct keys. */
    static KeyPair anyX509(Random random, int index) {
        return key(X509.get(random.nextInt(X509.size())), index);
    }
}
