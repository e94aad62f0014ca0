package io.backuprelay.testkit;

/**
 * Adds an origin to what the services' endpoint policy allows in this test JVM (the system property
 * {@code backuprelay.allowedEndpoints}, which the policy reads beside its configuration): the
 * emulator, the fault proxy, or a host a test signs links for. Loopback over plain HTTP is refused
 * otherwise, as in production.
 */
public final class AllowedEndpoints {

    static final String PROPERTY = "backuprelay.allowedEndpoints";

    private AllowedEndpoints() {
    }

    /** @param origin e.g. {@code http://127.0.0.1:41234} */
    public static synchronized void allow(String origin) {
        String earlier = System.getProperty(PROPERTY, "");
        System.setProperty(PROPERTY, earlier.isEmpty() ? origin : earlier + "," + origin);
    }
}
