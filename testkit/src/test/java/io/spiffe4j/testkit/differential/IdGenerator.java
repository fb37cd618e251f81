package io.spiffe4j.testkit.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generates SPIFFE IDs, trust domains and paths, valid ones and ones mutated towards what parsers get wrong, from a
 * seeded {@link Random} so every run sees the same inputs. Not thread-safe.
 */
final class IdGenerator {
    private static final String TD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789.-_";
    private static final String PATH_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_";
    /** Characters a parser is most likely to get wrong, including ones that Unicode case folding turns into ASCII. */
    private static final String[] INTERESTING_CHARS = {
        "A", "Z", "K", "S", "I", "%", ":", "@", "?", "#", "/", ".", "-", "_", "\u212A", "\u0130", "\u0131", "\u017F",
        "\u00E9", "\u0000", "\t", "\n", "\r", "\u007F", " ", "\u00A0", "\u2028", "\uFEFF", "\\", "[", "]", "!", "$",
        "&", "'", "(", ")", "*", "+", ",", ";", "=", "~", "\"", "\uD83D\uDE00",
    };
    private static final String[] TOKENS = {
        "//", "/.", "/..", "/./", "/../", "%2F", "%41", "%2e", ":443", ":", "u@", "user:pw@", "?", "?x=1", "#", "#f",
        "spiffe://", "SPIFFE", "Spiffe", "://", ":/", ".", "..", "...", "[::1]", "1.2.3.4", "xn--",
    };

    private final Random random;
    private final boolean asciiOnly;

    /** With {@code asciiOnly}, mutations use printable ASCII only (as an X.509 IA5String URI SAN must). */
    IdGenerator(Random random, boolean asciiOnly) {
        this.random = random;
        this.asciiOnly = asciiOnly;
    }

    String trustDomainOfLength(int length) {
        StringBuilder td = new StringBuilder(length);
        while (td.length() < length) {
            td.append(TD_CHARS.charAt(random.nextInt(26)));
            if (td.length() < length - 1 && random.nextInt(8) == 0) {
                td.append('.');
            }
        }
        return td.toString();
    }

    String validTrustDomain() {
        if (random.nextInt(20) == 0) {
            return random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256) + "." + random.nextInt(256);
        }
        return randomOf(TD_CHARS, 1 + random.nextInt(random.nextInt(4) == 0 ? 60 : 20));
    }

    String validSegment() {
        String segment;
        do {
            segment = randomOf(PATH_CHARS, 1 + random.nextInt(12));
        } while (segment.equals(".") || segment.equals(".."));
        return segment;
    }

    String validPath() {
        StringBuilder path = new StringBuilder();
        for (int n = random.nextInt(5); n > 0; n--) {
            path.append('/').append(validSegment());
        }
        return path.toString();
    }

    String validId() {
        return "spiffe://" + validTrustDomain() + validPath();
    }

    /** Mostly spiffe://-prefixed strings of weighted-random pieces. */
    String randomString() {
        StringBuilder s = new StringBuilder(random.nextInt(3) > 0 ? "spiffe://" : "");
        for (int n = random.nextInt(16); n > 0; n--) {
            s.append(piece());
        }
        return s.toString();
    }

    /** {@code count} insertions, deletions or replacements of whole code points, so no lone surrogate ever appears. */
    String mutate(String s, int count) {
        List<String> points = new ArrayList<>();
        s.codePoints().forEach(cp -> points.add(new String(Character.toChars(cp))));
        for (int i = 0; i < count; i++) {
            int at = random.nextInt(points.size() + 1);
            int op = random.nextInt(3);
            if (op == 0 || at == points.size()) {
                points.add(at, piece());
            } else if (op == 1) {
                points.remove(at);
            } else {
                points.set(at, piece());
            }
        }
        return String.join("", points);
    }

    /**
     * An interesting character (45%), a token such as {@code /..} or {@code :443} (25%), or a valid path char; in
     * ASCII-only mode, interesting characters outside printable ASCII are drawn again.
     */
    private String piece() {
        int roll = random.nextInt(100);
        if (roll < 45) {
            String c;
            do {
                c = INTERESTING_CHARS[random.nextInt(INTERESTING_CHARS.length)];
            } while (asciiOnly && (c.charAt(0) < 0x20 || c.charAt(0) > 0x7e));
            return c;
        }
        if (roll < 70) {
            return TOKENS[random.nextInt(TOKENS.length)];
        }
        return String.valueOf(PATH_CHARS.charAt(random.nextInt(PATH_CHARS.length())));
    }

    private String randomOf(String alphabet, int length) {
        StringBuilder s = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }
}
