package io.spiffe4j.testkit.spire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.spiffe4j.id.TrustDomain;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The declarative form: defaults, one SPIRE per class, injected wherever a {@link Spire} parameter is declared. */
@Tag("spire")
@ExtendWith(SpireExtension.class)
class SpireExtensionTest {
    private static Spire fromBeforeAll;

    @BeforeAll
    static void capture(Spire spire) {
        fromBeforeAll = spire;
    }

    @Test
    void injectsOneRunningSpirePerClass(Spire spire) {
        assertSame(fromBeforeAll, spire);
        assertEquals(TrustDomain.parse("example.org"), spire.trustDomain());
        assertTrue(spire.server().isRunning() && spire.agent().isRunning());
        assertTrue(spire.agent().healthy());
        assertTrue(spire.server().healthy());
    }

    @Nested
    class Nested_ {
        @Test
        void sharesTheOuterClassSpire(Spire spire) {
            assertSame(fromBeforeAll, spire);
        }
    }
}
