package io.backuprelay.database;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * What a restore reads of the JSON manifest stored beside each backup.
 *
 * @param inventory what the source held (absent from manifests written before it existed, and when
 *                  only the blob's own metadata could be read)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(String backupId, String accountId, String engine, String format, String compression,
                       String encryption, long sizeBytes, String sha256, long tableCount, Inventory inventory) {

    public boolean encrypted() {
        return encryption != null && !"none".equals(encryption);
    }

    public boolean postgres() {
        return "POSTGRESQL".equals(engine);
    }
}
