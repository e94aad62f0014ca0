package io.backuprelay.common.account;

/** How many backups to keep; {@code null} means no limit of that kind. */
public record Retention(Integer keepLast, Integer maxAgeDays) {
}
