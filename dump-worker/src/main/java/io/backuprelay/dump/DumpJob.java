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
 */
public record DumpJob(String backupId, List<String> recipients, Duration stallTimeout, LongConsumer progress) {

    public DumpJob {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
        progress = progress == null ? bytes -> { } : progress;
    }
}
