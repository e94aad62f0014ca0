package io.backuprelay.common.health;

/**
 * What one part of a process (a worker loop, a view, the Streams client, the broker connection)
 * says of itself.
 *
 * @param live   false when the part is dead and only a restart brings it back
 * @param ready  false while it cannot do its work now (the broker is unreachable, a view lags)
 * @param detail a few words for the health body and the log: its state, or why it is down
 */
public record ComponentHealth(String name, boolean live, boolean ready, String detail) {

    public static ComponentHealth up(String name, String detail) {
        return new ComponentHealth(name, true, true, detail);
    }

    public static ComponentHealth notReady(String name, String detail) {
        return new ComponentHealth(name, true, false, detail);
    }

    public static ComponentHealth dead(String name, String detail) {
        return new ComponentHealth(name, false, false, detail);
    }
}
