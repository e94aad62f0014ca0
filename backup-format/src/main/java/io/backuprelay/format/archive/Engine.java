package io.backuprelay.format.archive;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** The database engine a backup was dumped from; its {@link #label()} is the word in events, metadata and manifests. */
public enum Engine {
    POSTGRESQL,
    MARIADB;

    @JsonValue
    public String label() {
        return name();
    }

    /** @throws io.backuprelay.format.BackupFormatException naming {@code label} when it is no engine of ours */
    @JsonCreator
    public static Engine of(String label) {
        return Words.parse(Engine.class, "engine", label, Engine::label);
    }
}
