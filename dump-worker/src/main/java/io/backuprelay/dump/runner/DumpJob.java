package io.backuprelay.dump.runner;

import io.backuprelay.format.archive.DumpFormat;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * One dump to make.
 *
 * @param recipients    age X25519 public keys to encrypt to; empty for no encryption
 * @param stallTimeout  a tool that writes nothing for this long is stopped and the dump fails
 * @param progress      told the bytes dumped so far, every few seconds
 * @param opened        told the partial file and the dump's format just before the tool starts writing it
 * @param exclusive     the lock on the source that keeps two dumps of one account apart
 */
public record DumpJob(String backupId, List<String> recipients, Duration stallTimeout, LongConsumer progress,
                      Opened opened, Exclusive exclusive) {

    /** How long a dump waits for another dump of its account to end, unless told otherwise. */
    public static final Duration DEFAULT_LOCK_WAIT = Duration.ofMinutes(30);

    public DumpJob {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        progress = progress == null ? bytes -> { } : progress;
        opened = opened == null ? (partial, format) -> { } : opened;
        exclusive = exclusive == null ? new Exclusive(backupId, DEFAULT_LOCK_WAIT, null) : exclusive;
    }

    public DumpJob(String backupId, List<String> recipients, Duration stallTimeout, LongConsumer progress) {
        this(backupId, recipients, stallTimeout, progress, null, null);
    }

    public DumpJob(String backupId, List<String> recipients, Duration stallTimeout, LongConsumer progress, Opened opened) {
        this(backupId, recipients, stallTimeout, progress, opened, null);
    }

    /** Where the archive is being written, so that its upload may follow it. */
    @FunctionalInterface
    public interface Opened {
        void archive(Path partial, DumpFormat format);
    }

    /**
     * One dump per key at a time on a source: a lock the dump's own connection takes on the source
     * database before the tool starts and holds until the dump ends. The key is the account, so a
     * frozen worker whose dump still runs keeps a second worker's dump of the same backup waiting.
     *
     * @param key      what two dumps must not share (the account id)
     * @param lockWait how long a dump waits for the lock before it fails
     * @param waiting  told once, with who holds the lock, when a dump has to wait
     */
    public record Exclusive(String key, Duration lockWait, Consumer<String> waiting) {

        public Exclusive {
            Objects.requireNonNull(key, "key");
            waiting = waiting == null ? holder -> { } : waiting;
        }
    }
}
