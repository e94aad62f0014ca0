package io.backuprelay.common.account;

import java.util.Locale;

/**
 * How the backup worker's connections to an account's database use TLS: the probe, the
 * inventory, the lock and the dump tool alike.
 */
public enum TlsMode {
    /** Never: for a server without TLS on a network the operator trusts. The password may cross in clear. */
    DISABLE,
    /**
     * The default: TLS whenever the server offers it, plain otherwise. Someone on the path can make
     * the server seem to offer none; use {@link #REQUIRE} or {@link #VERIFY_FULL} where that matters.
     */
    PREFER,
    /** TLS or no connection, the server's certificate not checked. */
    REQUIRE,
    /** TLS or no connection, and the certificate must be signed by a trusted CA and name the host. */
    VERIFY_FULL;

    /** libpq's and pgjdbc's {@code sslmode}. */
    public String libpq() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
