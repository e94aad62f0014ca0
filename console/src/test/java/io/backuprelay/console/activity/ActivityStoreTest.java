package io.backuprelay.console.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.ActivityEntry;
import io.backuprelay.common.activity.ActivityIds;
import io.backuprelay.common.json.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The log in memory: newest first, paged by cursor, and no more than the newest N of each account. */
class ActivityStoreTest {

    private static final String ACME = "Acme \"Ñandú\" S.A.";
    private static final String GLOBEX = "globex-eu";
    private static final Instant T0 = Instant.parse("2026-12-06T16:00:00Z");

    @Test
    void anAccountsEntriesComeNewestFirstAPageAtATime() {
        ActivityStore store = new ActivityStore(100);
        List<ActivityEntry> made = IntStream.range(0, 7).mapToObj(i -> entry(ACME, i)).toList();
        made.forEach(store::add);

        ActivityPage first = store.page(ACME, null, 3);
        assertThat(first.entries()).containsExactly(made.get(6), made.get(5), made.get(4));
        ActivityPage second = store.page(ACME, first.next(), 3);
        assertThat(second.entries()).containsExactly(made.get(3), made.get(2), made.get(1));
        ActivityPage last = store.page(ACME, second.next(), 3);
        assertThat(last.entries()).containsExactly(made.get(0));
        assertThat(last.next()).as("nothing older").isNull();
        assertThat(store.page(ACME, null, 7).next()).as("exactly all of them: no further page").isNull();
        assertThat(store.page("nobody", null, 3).entries()).isEmpty();
    }

    @Test
    void onlyTheNewestEntriesOfEachAccountAreKept() {
        ActivityStore store = new ActivityStore(3);
        List<ActivityEntry> acme = IntStream.range(0, 5).mapToObj(i -> entry(ACME, i)).toList();
        acme.forEach(store::add);
        ActivityEntry globex = entry(GLOBEX, 9);
        store.add(globex);

        assertThat(store.page(ACME, null, 10).entries()).containsExactly(acme.get(4), acme.get(3), acme.get(2));
        assertThat(store.page(GLOBEX, null, 10).entries()).as("another account keeps its own").containsExactly(globex);
        assertThat(store.describe()).isEqualTo("4 entries of 2 accounts");
    }

    @Test
    void everyAccountsEntriesMergeNewestFirst() {
        ActivityStore store = new ActivityStore(100);
        ActivityEntry a1 = entry(ACME, 1);
        ActivityEntry g2 = entry(GLOBEX, 2);
        ActivityEntry a3 = entry(ACME, 3);
        ActivityEntry g4 = entry(GLOBEX, 4);
        List.of(a1, g2, a3, g4).forEach(store::add);

        ActivityPage first = store.all(null, 3);
        assertThat(first.entries()).containsExactly(g4, a3, g2);
        assertThat(store.all(first.next(), 3).entries()).containsExactly(a1);
        assertThat(store.all(first.next(), 3).next()).isNull();
    }

    @Test
    void aRecordThatIsNotAnEntryOfItsKeysAccountIsIgnored() {
        ActivityStore store = new ActivityStore(100);
        ActivityEntry entry = entry(ACME, 1);
        store.accept(GLOBEX, Json.encode(entry), 0);
        store.accept(ACME, "{not json".getBytes(StandardCharsets.UTF_8), 1);
        store.accept(ACME, null, 2);
        store.accept(ACME, Json.encode(entry), 3);
        store.accept(ACME, Json.encode(entry), 4); // the same entry twice is one entry

        assertThat(store.page(GLOBEX, null, 10).entries()).isEmpty();
        assertThat(store.page(ACME, null, 10).entries()).containsExactly(entry);
        assertThat(store.describe()).isEqualTo("1 entries of 1 accounts");
    }

    private static ActivityEntry entry(String account, int minute) {
        Instant at = T0.plusSeconds(60L * minute);
        return new ActivityEntry(1, ActivityIds.next(at), account, at,
                new ActivityEntry.Actor("auth0|josé", "jose.nunez@tenant.example", "superadmin"),
                ActivityAction.BACKUP_REQUESTED, "b-" + minute, List.of(), Map.of("connection", "c-main"));
    }
}
