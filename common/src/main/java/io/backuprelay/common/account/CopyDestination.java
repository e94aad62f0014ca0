package io.backuprelay.common.account;

import java.util.Objects;

/**
 * A connection of the account that receives a copy of each backup once it is stored and verified at the
 * destination, with its own retention ({@code null}: keep every copy).
 */
public record CopyDestination(String connectionId, Retention retention) {

    public CopyDestination {
        Objects.requireNonNull(connectionId, "connectionId");
    }
}
