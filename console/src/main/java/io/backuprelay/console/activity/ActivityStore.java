package io.backuprelay.console.activity;

import io.backuprelay.common.activity.ActivityEntry;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.TopicFollower;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activity log in memory: the newest {@code kept} entries of each account, by entry id (which
 * sorts as they were made). An older entry is dropped from memory when a newer one comes, never from
 * the topic. Written by the reader's thread only; read by any.
 */
final class ActivityStore implements TopicFollower.Sink {

    private static final Logger log = LoggerFactory.getLogger(ActivityStore.class);

    private final int kept;
    private final Map<String, Entries> byAccount = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();

    private static final class Entries {
        final ConcurrentSkipListMap<String, ActivityEntry> byId = new ConcurrentSkipListMap<>();
        int size;
    }

    /** @param kept how many entries of each account to keep, the newest */
    ActivityStore(int kept) {
        if (kept < 1) {
            throw new IllegalArgumentException("kept must be at least 1");
        }
        this.kept = kept;
    }

    @Override
    public void accept(String key, byte[] value, long offset) {
        if (value == null) {
            return; // the log is never deleted from; a tombstone says nothing
        }
        try {
            ActivityEntry entry = Json.decode(value, ActivityEntry.class);
            if (!entry.accountId().equals(key)) {
                log.warn("Ignoring an activity entry keyed {} for account {} at offset {}", key, entry.accountId(), offset);
                return;
            }
            add(entry);
        } catch (RuntimeException e) {
            log.warn("Ignoring an unreadable activity entry at offset {}: {}", offset, e.getMessage());
        }
    }

    @Override
    public String describe() {
        return total.get() + " entries of " + byAccount.size() + " accounts";
    }

    void add(ActivityEntry entry) {
        Entries entries = byAccount.computeIfAbsent(entry.accountId(), id -> new Entries());
        if (entries.byId.put(entry.entryId(), entry) == null) {
            entries.size++;
            total.incrementAndGet();
        }
        while (entries.size > kept) {
            entries.byId.pollFirstEntry();
            entries.size--;
            total.decrementAndGet();
        }
    }

    /** The account's entries older than {@code before} (null: from the newest), newest first, at most {@code limit}. */
    ActivityPage page(String accountId, String before, int limit) {
        Entries entries = byAccount.get(accountId);
        if (entries == null) {
            return new ActivityPage(List.of(), null);
        }
        return ActivityPage.of(newestFirst(entries, before, limit + 1), limit);
    }

    /** Every account's entries older than {@code before}, newest first, at most {@code limit}. */
    ActivityPage all(String before, int limit) {
        List<ActivityEntry> merged = new ArrayList<>();
        for (Entries entries : byAccount.values()) {
            merged.addAll(newestFirst(entries, before, limit + 1));
        }
        merged.sort(Comparator.comparing(ActivityEntry::entryId).reversed());
        return ActivityPage.of(merged.size() > limit + 1 ? merged.subList(0, limit + 1) : merged, limit);
    }

    private static List<ActivityEntry> newestFirst(Entries entries, String before, int count) {
        NavigableMap<String, ActivityEntry> older = before == null ? entries.byId : entries.byId.headMap(before, false);
        List<ActivityEntry> found = new ArrayList<>(Math.min(count, 64));
        Iterator<ActivityEntry> newest = older.descendingMap().values().iterator();
        while (newest.hasNext() && found.size() < count) {
            found.add(newest.next());
        }
        return found;
    }
}
