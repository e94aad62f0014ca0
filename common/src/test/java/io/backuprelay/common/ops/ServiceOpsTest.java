package io.backuprelay.common.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.json.Json;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's bound ops events: the service and the time stamped once, the JSON on backup.ops as it was. */
class ServiceOpsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:15:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void anEventSaysWhatHappenedAndCarriesTheServiceAndTheTime() {
        List<OpsEvent> published = new ArrayList<>();
        ServiceOps ops = new ServiceOps(published::add, "notifier", CLOCK);

        ops.publish("b-1", "Café \"Nord\"", OpsStage.NOTIFY, OpsStatus.SENT, "<m-1> to 2 recipient(s)");

        assertThat(published).containsExactly(new OpsEvent("b-1", "Café \"Nord\"", OpsStage.NOTIFY, OpsStatus.SENT, null,
                "notifier", NOW, "<m-1> to 2 recipient(s)", null));
        assertThat(Json.encodeToString(published.getFirst())).isEqualTo("{\"backupId\":\"b-1\",\"accountId\":\"Café \\\"Nord\\\"\","
                + "\"stage\":\"NOTIFY\",\"status\":\"SENT\",\"worker\":\"notifier\",\"at\":\"2026-03-01T10:15:30Z\","
                + "\"detail\":\"<m-1> to 2 recipient(s)\"}");
    }

    @Test
    void bytesAndAMomentOfTheCallersAreAddedToTheSameEvent() {
        Instant ended = NOW.minusSeconds(5);
        OpsEvent finished = ServiceOps.unpublished("dump-worker", CLOCK)
                .event("b-2", "acme", OpsStage.DUMP, OpsStatus.FINISHED).withBytes(12_345L).withTime(ended);

        assertThat(Json.encodeToString(finished)).isEqualTo(Json.encodeToString(
                new OpsEvent("b-2", "acme", OpsStage.DUMP, OpsStatus.FINISHED, 12_345L, "dump-worker", ended)));
    }
}
