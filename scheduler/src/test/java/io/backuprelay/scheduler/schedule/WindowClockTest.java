package io.backuprelay.scheduler.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.BackupWindow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The window's instants, day by day, over daylight-saving changes: one start a day, never two, never none. */
class WindowClockTest {

    @Test
    void aStartInTheSpringForwardGapOpensLaterThatDayAndTheWindowOpensOnce() {
        WindowClock madrid = clock("02:30", 60, "Europe/Madrid"); // 2027-03-28 02:00 -> 03:00

        assertThat(startsFrom(madrid, "2027-03-27", 3)).containsExactly(
                Instant.parse("2027-03-27T01:30:00Z"), // 02:30 +01:00
                Instant.parse("2027-03-28T01:30:00Z"), // 02:30 does not exist: 03:30 +02:00
                Instant.parse("2027-03-29T00:30:00Z")); // 02:30 +02:00
        assertThat(madrid.isOpen(Instant.parse("2027-03-28T01:29:59Z"))).isFalse();
        assertThat(madrid.isOpen(Instant.parse("2027-03-28T01:30:00Z"))).isTrue();
        assertThat(madrid.isOpen(Instant.parse("2027-03-28T02:30:00Z"))).as("an hour of elapsed time").isFalse();
    }

    @Test
    void aStartInTheFallBackOverlapTakesTheFirstOccurrenceAndTheSecondOneIsNotAWindow() {
        WindowClock madrid = clock("02:30", 60, "Europe/Madrid"); // 2027-10-31 03:00 -> 02:00

        assertThat(startsFrom(madrid, "2027-10-30", 3)).containsExactly(
                Instant.parse("2027-10-30T00:30:00Z"), // 02:30 +02:00
                Instant.parse("2027-10-31T00:30:00Z"), // the first 02:30, +02:00
                Instant.parse("2027-11-01T01:30:00Z")); // 02:30 +01:00
        Instant secondHalfPastTwo = Instant.parse("2027-10-31T01:30:00Z");
        assertThat(madrid.isOpen(secondHalfPastTwo)).isFalse();
        assertThat(madrid.nextStartAtOrAfter(secondHalfPastTwo)).isEqualTo(Instant.parse("2027-11-01T01:30:00Z"));
        assertThat(madrid.openingOf(Instant.parse("2027-10-31T01:00:00Z"))).isEqualTo(Instant.parse("2027-10-31T00:30:00Z"));
    }

    @Test
    void saoPauloHistoricalChangesAtMidnight() {
        WindowClock halfPastMidnight = clock("00:30", 60, "America/Sao_Paulo");
        // 2018-11-04 00:00 -03:00 -> 01:00 -02:00: 00:30 falls in the gap and opens at 01:30 -02:00
        assertThat(startsFrom(halfPastMidnight, "2018-11-03", 3)).containsExactly(
                Instant.parse("2018-11-03T03:30:00Z"), Instant.parse("2018-11-04T03:30:00Z"),
                Instant.parse("2018-11-05T02:30:00Z"));

        WindowClock halfPastEleven = clock("23:30", 60, "America/Sao_Paulo");
        // 2019-02-17 00:00 -02:00 -> 2019-02-16 23:00 -03:00: 23:30 of the 16th happens twice, the first one counts
        assertThat(startsFrom(halfPastEleven, "2019-02-15", 3)).containsExactly(
                Instant.parse("2019-02-16T01:30:00Z"), Instant.parse("2019-02-17T01:30:00Z"),
                Instant.parse("2019-02-18T02:30:00Z"));
        assertThat(halfPastEleven.isOpen(Instant.parse("2019-02-17T02:30:00Z"))).as("the second 23:30").isFalse();
    }

    @Test
    void bogotaHasNoChangeNowAndHadOneIn1992() {
        WindowClock bogota = clock("00:30", 60, "America/Bogota");

        assertThat(startsFrom(bogota, "2027-03-27", 3)).containsExactly(Instant.parse("2027-03-27T05:30:00Z"),
                Instant.parse("2027-03-28T05:30:00Z"), Instant.parse("2027-03-29T05:30:00Z"));
        // 1992-05-03 00:00 -05:00 -> 01:00 -04:00
        assertThat(startsFrom(bogota, "1992-05-02", 3)).containsExactly(Instant.parse("1992-05-02T05:30:00Z"),
                Instant.parse("1992-05-03T05:30:00Z"), Instant.parse("1992-05-04T04:30:00Z"));
    }

    @Test
    void aHalfHourOffsetZoneOpensAtItsLocalTimeOnThePreviousUtcDay() {
        WindowClock kolkata = clock("01:00", 120, "Asia/Kolkata");

        assertThat(kolkata.startOn(LocalDate.parse("2027-01-11")).toInstant()).isEqualTo(Instant.parse("2027-01-10T19:30:00Z"));
        assertThat(kolkata.openingOf(Instant.parse("2027-01-10T12:00:00Z"))).isEqualTo(Instant.parse("2027-01-10T19:30:00Z"));
        assertThat(kolkata.openingOf(Instant.parse("2027-01-10T21:00:00Z"))).as("inside it")
                .isEqualTo(Instant.parse("2027-01-10T19:30:00Z"));
        assertThat(kolkata.openingOf(Instant.parse("2027-01-10T21:30:00Z"))).as("just closed")
                .isEqualTo(Instant.parse("2027-01-11T19:30:00Z"));
    }

    @Test
    void aWindowAcrossMidnightBelongsToTheDayItOpens() {
        WindowClock lateNight = clock("23:00", 180, "Europe/Madrid");
        Instant pastMidnight = Instant.parse("2027-06-11T23:30:00Z"); // 01:30 on the 12th, +02:00

        assertThat(lateNight.isOpen(pastMidnight)).isTrue();
        assertThat(lateNight.windowDateOf(pastMidnight)).isEqualTo(LocalDate.parse("2027-06-11"));
        assertThat(lateNight.openingOf(pastMidnight)).isEqualTo(Instant.parse("2027-06-11T21:00:00Z"));
        assertThat(lateNight.isOpen(Instant.parse("2027-06-12T00:00:00Z"))).as("02:00 closes it").isFalse();
        assertThat(lateNight.startDaysAfter(pastMidnight, 7)).isEqualTo(Instant.parse("2027-06-18T21:00:00Z"));
    }

    @Test
    void everyStartOfTwoYearsIsOnItsOwnDateAndTheyOnlyMoveForward() {
        for (String zone : List.of("Europe/Madrid", "America/Sao_Paulo", "America/Bogota", "Asia/Kolkata")) {
            WindowClock clock = clock("02:30", 15, zone);
            List<Instant> starts = startsFrom(clock, "2026-01-01", 730);
            for (int i = 1; i < starts.size(); i++) {
                assertThat(starts.get(i)).isAfter(starts.get(i - 1));
                assertThat(clock.nextStartAtOrAfter(starts.get(i - 1).plusSeconds(1))).as(zone).isEqualTo(starts.get(i));
                assertThat(clock.openingOf(starts.get(i))).isEqualTo(starts.get(i));
            }
        }
    }

    private static WindowClock clock(String start, int minutes, String zone) {
        return new WindowClock(new BackupWindow(LocalTime.parse(start), minutes, zone));
    }

    private static List<Instant> startsFrom(WindowClock clock, String date, int days) {
        List<Instant> starts = new ArrayList<>();
        for (int i = 0; i < days; i++) {
            starts.add(clock.startOn(LocalDate.parse(date).plusDays(i)).toInstant());
        }
        return starts;
    }
}
