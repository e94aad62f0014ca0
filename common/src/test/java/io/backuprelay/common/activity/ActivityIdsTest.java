package io.backuprelay.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ActivityIdsTest {

    @Test
    void idsMadeUnderAClockThatStandsStillStillSortAsTheyWereMade() {
        Instant now = Instant.parse("2026-12-06T16:20:00Z");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) { // more than one millisecond's counter holds
            ids.add(ActivityIds.next(now));
        }
        assertThat(ids).isSorted().doesNotHaveDuplicates().allMatch(ActivityIds::isId);
        assertThat(ActivityIds.next(now.plusSeconds(3600))).isGreaterThan(ids.getLast());
    }

    @Test
    void laterTimesGiveGreaterIds() {
        String earlier = ActivityIds.next(Instant.parse("2027-01-01T00:00:00Z"));
        String later = ActivityIds.next(Instant.parse("2027-01-01T00:00:01Z"));
        assertThat(later).isGreaterThan(earlier);
        assertThat(later.charAt(14)).as("version 7").isEqualTo('7');
    }

    @Test
    void onlyALowerCaseUuidIsAnId() {
        assertThat(ActivityIds.isId("019af3c2-5e10-7a01-9c3d-5e6f7a8b9c0d")).isTrue();
        assertThat(ActivityIds.isId("019AF3C2-5E10-7A01-9C3D-5E6F7A8B9C0D")).isFalse();
        assertThat(ActivityIds.isId("' OR 1=1 --")).isFalse();
        assertThat(ActivityIds.isId(null)).isFalse();
    }
}
