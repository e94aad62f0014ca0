package io.backuprelay.standalone.restore;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** What {@code restore} reads of the JSON manifest stored beside each backup. */
@JsonIgnoreProperties(ignoreUnknown = true)
record Manifest(String backupId, String accountId, String engine, String format, String compression, String encryption,
                long sizeBytes, String sha256, long tableCount) {

    boolean encrypted() {
        return encryption != null && !"none".equals(encryption);
    }

    boolean postgres() {
        return "POSTGRESQL".equals(engine);
    }
}
