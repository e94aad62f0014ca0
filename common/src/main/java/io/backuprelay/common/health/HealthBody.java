package io.backuprelay.common.health;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The one health answer of every process, on the management port and on the console's port:
 * {@code {"status": "UP"|"DOWN", "components": {name: {"status": …, "detail": …}}}}, 200 when every
 * component passes the probe and 503 otherwise.
 *
 * @param up   whether every component passes the probe
 * @param json the body, ready for a JSON mapper
 */
public record HealthBody(boolean up, Map<String, Object> json) {

    /** Whether a component's detail is shown: only where the operators alone can read it. */
    public enum Detail { SHOWN, HIDDEN }

    /**
     * @param probe  {@link ComponentHealth#live} for {@code /health/live}, {@link ComponentHealth#ready} for
     *               {@code /health/ready}
     * @param detail {@link Detail#HIDDEN} on a public port: a detail can hold the platform's account and
     *               connection counts or an exception's text
     */
    public static HealthBody of(List<ComponentHealth> components, Predicate<ComponentHealth> probe, Detail detail) {
        boolean all = components.stream().allMatch(probe);
        Map<String, Object> parts = new LinkedHashMap<>();
        for (ComponentHealth component : components) {
            Map<String, Object> part = new LinkedHashMap<>();
            part.put("status", status(probe.test(component)));
            if (detail == Detail.SHOWN) {
                part.put("detail", String.valueOf(component.detail()));
            }
            parts.put(component.name(), part);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", status(all));
        body.put("components", parts);
        return new HealthBody(all, body);
    }

    /** 200 when every component passes the probe, 503 otherwise. */
    public int httpStatus() {
        return up ? 200 : 503;
    }

    private static String status(boolean up) {
        return up ? "UP" : "DOWN";
    }
}
