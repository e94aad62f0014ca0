package io.backuprelay.console.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one account may ask of the console, so that no tenant can turn the platform into a scanner,
 * a spam relay or a load on everyone else. A request over a rate limit gets 429 with
 * {@code Retry-After}; over a count limit, 400 naming the field.
 *
 * @param connectionsPerAccount  {@code CONSOLE_MAX_CONNECTIONS} (20)
 * @param probesPerMinute        "Test connection" calls a minute ({@code CONSOLE_PROBES_PER_MINUTE}, 10)
 * @param manualBackupsPerDay    manual backups in any 24 h ({@code CONSOLE_MANUAL_BACKUPS_PER_DAY}, 12); one runs at a time
 * @param notifyEmails           extra recipients of the emails ({@code CONSOLE_MAX_NOTIFY_EMAILS}, 10)
 * @param encryptionRecipients   age recipients ({@code CONSOLE_MAX_ENCRYPTION_RECIPIENTS}, 10)
 * @param downloadsPerHour       download links given in any hour ({@code CONSOLE_DOWNLOADS_PER_HOUR}, 20)
 *
 * <p>The counts are kept by each console instance, in memory: behind a load balancer with n
 * instances an account may get up to n times as many, and a restart starts them afresh.
 */
public record Limits(int connectionsPerAccount, int probesPerMinute, int manualBackupsPerDay, int notifyEmails,
                     int encryptionRecipients, int downloadsPerHour, Clock clock) {

    PerWindow probes() {
        return new PerWindow(probesPerMinute, Duration.ofMinutes(1), clock, "connection tests");
    }

    PerWindow manualBackups() {
        return new PerWindow(manualBackupsPerDay, Duration.ofDays(1), clock, "manual backups");
    }

    PerWindow downloads() {
        return new PerWindow(downloadsPerHour, Duration.ofHours(1), clock, "download links");
    }

    /** At most {@code max} events per account in any {@code window}; the next one waits. */
    static final class PerWindow {

        private final int max;
        private final Duration window;
        private final Clock clock;
        private final String what;
        private final Map<String, Deque<Instant>> seen = new ConcurrentHashMap<>();

        PerWindow(int max, Duration window, Clock clock, String what) {
            this.max = max;
            this.window = window;
            this.clock = clock;
            this.what = what;
        }

        /** Counts one event of the account, or throws 429 saying when the next is allowed. */
        void acquire(String accountId) {
            Instant now = clock.instant();
            Deque<Instant> times = seen.computeIfAbsent(accountId, id -> new ArrayDeque<>());
            synchronized (times) {
                while (!times.isEmpty() && !times.peekFirst().isAfter(now.minus(window))) {
                    times.removeFirst();
                }
                if (times.size() >= max) {
                    long wait = Math.max(1, Duration.between(now, times.peekFirst().plus(window)).toSeconds() + 1);
                    throw ApiException.tooManyRequests("An account may make at most " + max + " " + what + " in "
                            + human(window) + "; try again in " + wait + " s", wait).key("tooManyRequests", Long.toString(wait));
                }
                times.addLast(now);
            }
        }

        private static String human(Duration window) {
            return window.toHours() >= 1 ? window.toHours() + " h" : window.toMinutes() + " min";
        }
    }
}
