package io.backuprelay.common.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthBody;
import io.backuprelay.common.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one health body: the management port shows each component's detail, a public port never does. */
class HealthBodyTest {

    private static final List<ComponentHealth> COMPONENTS = List.of(
            ComponentHealth.up("view-accounts", "12 keys"),
            ComponentHealth.notReady("broker", "no answer for 20 s"));

    @Test
    void readinessIsTheWorstOfTheComponentsAndEachIsNamedWithItsDetail() throws Exception {
        HealthBody ready = HealthBody.of(COMPONENTS, ComponentHealth::ready, HealthBody.Detail.SHOWN);

        assertThat(ready.httpStatus()).isEqualTo(503);
        assertThat(Json.mapper().writeValueAsString(ready.json())).isEqualTo("{\"status\":\"DOWN\",\"components\":{"
                + "\"view-accounts\":{\"status\":\"UP\",\"detail\":\"12 keys\"},"
                + "\"broker\":{\"status\":\"DOWN\",\"detail\":\"no answer for 20 s\"}}}");
    }

    @Test
    void aPublicPortGetsTheSameShapeWithoutAnyDetail() throws Exception {
        HealthBody live = HealthBody.of(COMPONENTS, ComponentHealth::live, HealthBody.Detail.HIDDEN);

        assertThat(live.httpStatus()).isEqualTo(200);
        assertThat(Json.mapper().writeValueAsString(live.json())).isEqualTo("{\"status\":\"UP\",\"components\":{"
                + "\"view-accounts\":{\"status\":\"UP\"},\"broker\":{\"status\":\"UP\"}}}");
    }
}
