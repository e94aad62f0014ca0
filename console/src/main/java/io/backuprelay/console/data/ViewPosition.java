package io.backuprelay.console.data;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far into the console's topics a client has seen: per view and partition, the offset of the
 * newest record it wrote. Every write answers with one (header {@value #HEADER}), merged with the
 * one the client presented; a read that presents it waits until the views have read that far, so
 * the writer sees its write, whichever console instance answers. Written as
 * {@code settings:0:17,connections:2:5}.
 */
public record ViewPosition(Map<Key, Long> offsets) {

    /** The views this position names. */
    public List<View> views() {
        return offsets.keySet().stream().map(Key::view).distinct().toList();
    }


    /** The header of requests and answers. */
    public static final String HEADER = "Backuprelay-Position";

    private static final Pattern ENTRY = Pattern.compile("(accounts|settings|connections|channels):(\\d{1,5}):(\\d{1,18})");
    private static final int MAX_ENTRIES = 64;

    /** The compacted topics a client may write. */
    public enum View { ACCOUNTS, SETTINGS, CONNECTIONS, CHANNELS }

    public record Key(View view, int partition) implements Comparable<Key> {
        @Override
        public int compareTo(Key other) {
            int byView = view.compareTo(other.view);
            return byView != 0 ? byView : Integer.compare(partition, other.partition);
        }
    }

    public ViewPosition {
        offsets = Map.copyOf(offsets);
    }

    public static ViewPosition of(View view, int partition, long offset) {
        return new ViewPosition(Map.of(new Key(view, partition), offset));
    }

    /**
     * The position a client presented, if any.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static Optional<ViewPosition> parse(String header) {
        if (header == null || header.isBlank()) {
            return Optional.empty();
        }
        String[] entries = header.strip().split(",", -1);
        if (entries.length > MAX_ENTRIES) {
            throw new IllegalArgumentException("has more than " + MAX_ENTRIES + " entries");
        }
        Map<Key, Long> offsets = new TreeMap<>();
        for (String entry : entries) {
            Matcher m = ENTRY.matcher(entry.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("has an entry that is not view:partition:offset: '"
                        + (entry.length() > 40 ? entry.substring(0, 40) + "…" : entry) + "'");
            }
            offsets.merge(new Key(View.valueOf(m.group(1).toUpperCase(Locale.ROOT)),
                    Integer.parseInt(m.group(2))), Long.parseLong(m.group(3)), Math::max);
        }
        return Optional.of(new ViewPosition(offsets));
    }

    /** The newer offset of each partition of both. */
    public ViewPosition merge(ViewPosition other) {
        if (other == null) {
            return this;
        }
        Map<Key, Long> merged = new TreeMap<>(offsets);
        other.offsets.forEach((key, offset) -> merged.merge(key, offset, Math::max));
        return new ViewPosition(merged);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(offsets).forEach((key, offset) -> text.append(text.isEmpty() ? "" : ",")
                .append(key.view().name().toLowerCase(Locale.ROOT)).append(':').append(key.partition())
                .append(':').append(offset));
        return text.toString();
    }
}
