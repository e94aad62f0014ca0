package io.backuprelay.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.backuprelay.common.activity.ActivityEntry.Actor;
import io.backuprelay.common.activity.ActivityEntry.Change;
import io.backuprelay.common.json.Json;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON of an activity entry is kept a year: every console version after this one reads it. */
class ActivityEntryJsonTest {

    private static final ActivityEntry ENTRY = new ActivityEntry(1, "019af3c2-5e10-7a01-9c3d-5e6f7a8b9c0d",
            "Société Ñandú", Instant.parse("2026-12-06T16:20:00Z"),
            new Actor("auth0|José Núñez", "jose.nunez@ñandú.example", "superadmin"), ActivityAction.CONNECTION_CHANGED,
            "c-1a2b3c4d", List.of(new Change("description", "Copias \"frías\"", "Copias de Zürich", false),
                    Change.secret("accessKey")), Map.of("result", "ok"));

    @Test
    void readsTheGoldenJsonOfItsVersion() throws IOException {
        assertThat(Json.decode(golden(), ActivityEntry.class)).isEqualTo(ENTRY);
    }

    @Test
    void writesExactlyTheGoldenJson() throws IOException {
        JsonNode written = Json.mapper().readTree(Json.encode(ENTRY));
        assertThat(written).isEqualTo(Json.mapper().readTree(golden()));
    }

    @Test
    void ignoresFieldsAddedByANewerWriterAndDefaultsWhatAnOlderOneLeftOut() throws IOException {
        ObjectNode newer = (ObjectNode) Json.mapper().readTree(golden());
        newer.put("addedLater", "something a newer console knows");
        newer.remove("version");
        newer.remove("details");
        ActivityEntry read = Json.decode(Json.encode(newer), ActivityEntry.class);
        assertThat(read.version()).isEqualTo(1);
        assertThat(read.details()).isEmpty();
        assertThat(read.changes()).isEqualTo(ENTRY.changes());
    }

    @Test
    void aSecretChangeCarriesNoValueWhateverItWasGiven() {
        assertThat(new Change("url", "https://hooks.slack.com/services/T0/B0/x", "https://hooks.slack.com/y", true))
                .isEqualTo(Change.secret("url"));
    }

    private static byte[] golden() throws IOException {
        try (InputStream in = ActivityEntryJsonTest.class.getResourceAsStream("/golden/activity.entry.v1.json")) {
            return in.readAllBytes();
        }
    }
}
