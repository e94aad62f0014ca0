package io.backuprelay.dump.runner;

import io.backuprelay.common.account.SourceDatabase;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.time.Duration;

/**
 * Waits for a dump's lock on its source: tried every second until it is held, the wait runs out
 * (the dump fails, naming who holds the lock) or the job is cancelled (an interrupt). The lock
 * itself is the engine's (a PostgreSQL advisory lock, a MariaDB named lock), taken by a connection
 * the runner keeps open for the whole dump, so the server releases it when that connection ends,
 * however the worker ends.
 */
public final class SourceLock {

    /** How often a waiting dump asks again for the account's lock (tests wait in multiples of it). */
    public static final Duration POLL = Duration.ofSeconds(1);

    private SourceLock() {
    }

    /** One try at the engine's lock, without waiting. */
    @FunctionalInterface
    public interface Attempt {
        boolean tryLock() throws SQLException;
    }

    /** Who holds the lock, in words for the operators (best effort: the user may not see other sessions). */
    @FunctionalInterface
    public interface Holder {
        String describe() throws SQLException;
    }

    /**
     * @throws DumpFailedException  when the lock is still held after {@link DumpJob.Exclusive#lockWait()}
     * @throws InterruptedException when the job is cancelled while it waits
     */
    public static void acquire(SourceDatabase source, DumpJob.Exclusive exclusive, Attempt attempt, Holder holder)
            throws DumpFailedException, InterruptedException, SQLException {
        long started = System.nanoTime();
        boolean told = false;
        while (!attempt.tryLock()) {
            String who = describe(holder);
            if (System.nanoTime() - started >= exclusive.lockWait().toNanos()) {
                throw new DumpFailedException("Another dump of this account's database " + source.describe()
                        + " still runs after " + DumpProcess.human(exclusive.lockWait()) + " (" + who + "): a backup never"
                        + " dumps one account twice at once. If no backup of this account is running, the operators"
                        + " can end that session on the database server.");
            }
            if (!told) {
                told = true;
                exclusive.waiting().accept("for another dump of this account's database " + source.describe()
                        + " to end (" + who + ")");
            }
            Thread.sleep(POLL.toMillis());
        }
    }

    private static String describe(Holder holder) {
        try {
            return holder.describe();
        } catch (SQLException e) {
            return "its session could not be listed: " + e.getMessage();
        }
    }

    /** The first bytes of the key's SHA-256: a lock name or number that holds no tenant's text. */
    public static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(("backuprelay-dump|" + key).getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
