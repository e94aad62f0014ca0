package io.backuprelay.scheduler.schedule;

import io.backuprelay.common.account.BackupWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;

/**
 * The instants of an account's backup window, day by day, in its zone: pure arithmetic, no Kafka.
 *
 * <p>Each local date has exactly one window start, so daylight-saving changes neither skip nor double a run:
 * a start that falls in a spring-forward gap moves forward by the gap's length (02:30 in a 02:00→03:00 gap
 * opens at 03:30), and a start in a fall-back overlap takes the earlier offset (the first 02:30). A window
 * lasts its length in elapsed time from its start.
 */
public final class WindowClock {

    private final LocalTime start;
    private final Duration length;
    private final ZoneId zone;

    public WindowClock(BackupWindow window) {
        this.start = window.start();
        this.length = window.length();
        this.zone = window.zone();
    }

    /** The window start of that local date. */
    public ZonedDateTime startOn(LocalDate date) {
        return ZonedDateTime.of(date, start, zone);
    }

    /** Whether a window is open at {@code t} (its start included, its end excluded). */
    public boolean isOpen(Instant t) {
        return t.isBefore(startOf(latestDateStartedBy(t)).plus(length));
    }

    /** The local date of the window that contains {@code t}, else of the next window to open after it. */
    public LocalDate windowDateOf(Instant t) {
        LocalDate date = latestDateStartedBy(t);
        return t.isBefore(startOf(date).plus(length)) ? date : date.plusDays(1);
    }

    /** The start of the window that contains {@code t}, else the next window start after it. */
    public Instant openingOf(Instant t) {
        return startOf(windowDateOf(t));
    }

    /** The first window start at or after {@code t}. */
    public Instant nextStartAtOrAfter(Instant t) {
        LocalDate date = latestDateStartedBy(t);
        Instant latest = startOf(date);
        return latest.equals(t) ? t : startOf(date.plusDays(1));
    }

    /**
     * The window start {@code days} calendar days (in the zone) after the window in which {@code t} falls
     * (or the next one after it): the same local time however many hours the days in between had.
     */
    public Instant startDaysAfter(Instant t, long days) {
        return startOf(windowDateOf(t).plusDays(days));
    }

    private Instant startOf(LocalDate date) {
        return startOn(date).toInstant();
    }

    /** The latest local date whose window started at or before {@code t}. */
    private LocalDate latestDateStartedBy(Instant t) {
        LocalDate date = t.atZone(zone).toLocalDate().plusDays(2);
        while (startOf(date).isAfter(t)) {
            date = date.minusDays(1);
        }
        return date;
    }
}
