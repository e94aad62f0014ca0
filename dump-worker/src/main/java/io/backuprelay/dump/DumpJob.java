package io.backuprelay.dump;

import java.time.Duration;
import java.util.List;
import java.util.function.LongConsumer;

/**
 * One dump to make.
 *
 * @param recipients    age X25519 public keys to encrypt to; empty for no encryption
 * @param stallTimeout  a tool that writes nothing for this long is stopped and the dump fails
 * @param progress      told the bytes dumped so far, every few seconds
 * @param opened        told the partial file and the dump's format just before the tool starts writing it
 */
public record DumpJob(String backupId, List<String> recipients, Duration stallTimeout, LongConsumer progress,
                      Opened opened) {

    public DumpJob {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        progress = progress == null ? bytes -> { } : progress;
        opened = opened == null ? (partial, format) -> { } : opened;
    }

    public DumpJob(String backupId, List<String> recipients, Duration stallTimeout, LongConsumer progress) {
        this(backupId, recipients, stallTimeout, progress, null);
    }

    /** Where the archive is being written, so that its upload may follow it. */
    @FunctionalInterface
    public interface Opened {
        void archive(java.nio.file.Path partial, String format);
    }
}
