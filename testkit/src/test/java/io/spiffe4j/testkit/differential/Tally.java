package io.spiffe4j.testkit.differential;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts a differential run: cases, agreements with go-spiffe, and the documented deliberate differences by name.
 * Anything else is an unexplained disagreement, which fails the run with the first few cases spelled out.
 * Not thread-safe: one tally per test method.
 */
final class Tally {
    private static final int SHOWN = 40;

    private final String name;
    private int cases;
    private int agreements;
    private int agreedAccepts;
    private final Map<String, Integer> knownDifferences = new TreeMap<>();
    private int unexplained;
    private final Map<String, Integer> unexplainedByCategory = new TreeMap<>();
    /** The first unexplained case of each category: one of each says more than many of one. */
    private final Map<String, String> firstByCategory = new TreeMap<>();

    Tally(String name) {
        this.name = name;
    }

    /** Both sides gave the same verdict: {@code accepted} says which. */
    void agree(boolean accepted) {
        cases++;
        agreements++;
        if (accepted) {
            agreedAccepts++;
        }
    }

    /** A disagreement that DIFFERENCES.md documents under {@code difference}. */
    void knownDifference(String difference) {
        cases++;
        knownDifferences.merge(difference, 1, Integer::sum);
    }

    /** An unexplained disagreement; {@code category} (such as the kind of input) groups them in the report. */
    void disagree(String category, String description) {
        cases++;
        unexplained++;
        unexplainedByCategory.merge(category, 1, Integer::sum);
        firstByCategory.putIfAbsent(category, category + ": " + description);
    }

    int cases() {
        return cases;
    }

    int knownDifferences(String difference) {
        return knownDifferences.getOrDefault(difference, 0);
    }

    /** Prints the one-line summary, then fails on any unexplained disagreement. */
    void report() {
        System.out.printf("%s: %d cases, %d agreements (%d accepted by both, %d rejected by both), %d known differences %s,"
                + " %d unexplained%n", name, cases, agreements, agreedAccepts, agreements - agreedAccepts,
                cases - agreements - unexplained, knownDifferences, unexplained);
        if (unexplained > 0) {
            List<String> examples = new ArrayList<>(firstByCategory.values());
            fail(unexplained + " of " + cases + " " + name + " cases disagree with go-spiffe, by category "
                    + unexplainedByCategory + "; the first of each:\n"
                    + String.join("\n", examples.subList(0, Math.min(SHOWN, examples.size()))));
        }
    }

    /** Fails unless {@code difference} was seen: a documented difference the run never exercises proves nothing. */
    void requireExercised(String difference) {
        assertTrue(knownDifferences(difference) > 0, name + " never exercised the known difference " + difference);
    }

    /** A string with every non-printable-ASCII char as a Java escape, so failure messages show inputs exactly. */
    static String quote(String s) {
        StringBuilder quoted = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                quoted.append(c);
            } else {
                quoted.append(String.format("\\u%04x", (int) c));
            }
        }
        if (quoted.length() > 300) {
            return quoted.substring(0, 140) + "...(" + s.length() + " chars)..." + quoted.substring(quoted.length() - 140) + "\"";
        }
        return quoted.append('"').toString();
    }
}
