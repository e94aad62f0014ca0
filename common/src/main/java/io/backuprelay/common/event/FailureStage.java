package io.backuprelay.common.event;

/** The step of the pipeline in which a backup failed. */
public enum FailureStage {
    DUMP("Database dump"),
    UPLOAD("Upload to Azure Blob Storage"),
    TIMEOUT("Completion");

    private final String description;

    FailureStage(String description) {
        this.description = description;
    }

    /** The step's name as a person reads it in an email. */
    public String description() {
        return description;
    }
}
