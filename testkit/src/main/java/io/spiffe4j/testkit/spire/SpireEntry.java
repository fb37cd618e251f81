package io.spiffe4j.testkit.spire;

import io.spiffe4j.id.SpiffeId;
import java.util.List;
import java.util.Objects;

/**
 * A registration entry created through {@link Spire#createEntry}: the identity SPIRE issues to workloads whose
 * attested selectors include all of {@link #selectors()}. Immutable and thread-safe.
 */
public final class SpireEntry {
    private final String entryId;
    private final SpiffeId spiffeId;
    private final List<String> selectors;

    SpireEntry(String entryId, SpiffeId spiffeId, List<String> selectors) {
        this.entryId = Objects.requireNonNull(entryId, "entryId");
        this.spiffeId = Objects.requireNonNull(spiffeId, "spiffeId");
        this.selectors = List.copyOf(selectors);
    }

    /** SPIRE's entry ID. */
    public String entryId() {
        return entryId;
    }

    /** The SPIFFE ID issued for this entry. */
    public SpiffeId spiffeId() {
        return spiffeId;
    }

    /** The selectors, {@code type:value} as the SPIRE CLI takes them (for example {@code unix:uid:0}). */
    public List<String> selectors() {
        return selectors;
    }

    @Override
    public String toString() {
        return "entry " + entryId + " " + spiffeId + " " + selectors;
    }
}
