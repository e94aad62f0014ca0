package io.backuprelay.common.account;

public enum DatabaseEngine {
    POSTGRESQL,
    MARIADB
}
