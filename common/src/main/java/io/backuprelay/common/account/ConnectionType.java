package io.backuprelay.common.account;

public enum ConnectionType {
    AZURE_BLOB
}
