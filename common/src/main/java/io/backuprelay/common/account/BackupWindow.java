package io.backuprelay.common.account;

import com.fasterxml.jackson.annotation.JsonFormat;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The time of day at which an account's automatic backups may start, in the account's time zone: a window
 * opening at {@code start} each day and lasting {@code lengthMinutes}. Automatic backups (and their retries) are
 * requested only while it is open; how the next one is chosen is the scheduler's rule ({@code ScheduleRules}).
 *
 * <p>The zone travels with the window because the scheduler does not read the accounts topic: the console fills
 * it from the request or, when the request names none, from the account's own time zone.
 *
 * @param start         when the window opens, local time, written {@code "HH:mm"}
 * @param lengthMinutes how long it stays open, {@value #MIN_LENGTH_MINUTES} minutes to a whole day
 * @param timeZone      an IANA zone id, e.g. {@code Europe/Madrid}; {@code UTC} when absent
 */
public record BackupWindow(
        @JsonFormat(shape = JsonFormat.Shape.STRING, pattern = "HH:mm") LocalTime start,
        int lengthMinutes,
        String timeZone) {

    public static final int MIN_LENGTH_MINUTES = 15;
    public static final int MAX_LENGTH_MINUTES = 1440;

    public BackupWindow {
        Objects.requireNonNull(start, "start");
        start = start.truncatedTo(ChronoUnit.MINUTES);
        if (lengthMinutes < MIN_LENGTH_MINUTES || lengthMinutes > MAX_LENGTH_MINUTES) {
            throw new IllegalArgumentException("lengthMinutes must be between " + MIN_LENGTH_MINUTES + " and "
                    + MAX_LENGTH_MINUTES + ", not " + lengthMinutes);
        }
        timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
        zoneOf(timeZone);
    }

    public ZoneId zone() {
        return ZoneId.of(timeZone);
    }

    public Duration length() {
        return Duration.ofMinutes(lengthMinutes);
    }

    /** The zone of that id; an unknown id is an {@link IllegalArgumentException} naming it. */
    public static ZoneId zoneOf(String timeZone) {
        try {
            return ZoneId.of(timeZone);
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("Unknown time zone '" + timeZone + "'", e);
        }
    }
}
