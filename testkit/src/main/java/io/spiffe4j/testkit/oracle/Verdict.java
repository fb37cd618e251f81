package io.spiffe4j.testkit.oracle;

import java.math.BigInteger;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What go-spiffe decided about one request.
 *
 * @param ok whether go-spiffe accepted the input
 * @param error go-spiffe's error text when it rejected the input, otherwise {@code null}
 * @param fields the op's result fields (without {@code ok} and {@code error}); values are {@code String},
 *     {@code Boolean}, {@code Long}, {@code BigInteger} (numbers beyond {@code long}, such as a bundle sequence
 *     near 2^64) or an unmodifiable {@code List} of these
 */
public record Verdict(boolean ok, String error, Map<String, Object> fields) {

    public Verdict {
        if (ok == (error != null)) {
            throw new IllegalArgumentException("a verdict has an error exactly when it is not ok: ok=" + ok + ", error=" + error);
        }
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(fields, "fields")));
    }

    /** The {@code spiffe_id} field, or {@code null} when the verdict has none. */
    public String spiffeId() {
        return (String) fields.get("spiffe_id");
    }

    /** A string field; fails if it is absent or not a string. */
    public String text(String name) {
        return typed(name, String.class);
    }

    /** A number field that fits a {@code long}; fails if it is absent, not a number, or larger. */
    public long number(String name) {
        Object value = field(name);
        if (value instanceof Long number) {
            return number;
        }
        if (value instanceof BigInteger) {
            throw new IllegalStateException("field " + name + " = " + value + " does not fit a long: read it from fields()");
        }
        throw wrongType(name, value, "number");
    }

    /** A list-of-strings field; fails if it is absent or not such a list. */
    public List<String> texts(String name) {
        List<?> list = typed(name, List.class);
        for (Object element : list) {
            if (!(element instanceof String)) {
                throw wrongType(name, list, "list of strings");
            }
        }
        @SuppressWarnings("unchecked") // every element checked above
        List<String> texts = (List<String>) list;
        return texts;
    }

    private <T> T typed(String name, Class<T> type) {
        Object value = field(name);
        if (!type.isInstance(value)) {
            throw wrongType(name, value, type.getSimpleName());
        }
        return type.cast(value);
    }

    private Object field(String name) {
        Object value = fields.get(Objects.requireNonNull(name, "name"));
        if (value == null) {
            throw new IllegalStateException("verdict has no field " + name + ": " + this);
        }
        return value;
    }

    private IllegalStateException wrongType(String name, Object value, String expected) {
        return new IllegalStateException("field " + name + " = " + value + " is not a " + expected + ": " + this);
    }
}
