package io.backuprelay.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigSourceTest {

    @Test
    void readsValuesAndDefaults() {
        ConfigSource config = new ConfigSource(Map.of("A", " 12 ", "D", "PT5M", "S", "90"));
        assertThat(config.integer("A", 1, 1, 100)).isEqualTo(12);
        assertThat(config.integer("MISSING", 7, 1, 100)).isEqualTo(7);
        assertThat(config.duration("D", Duration.ZERO)).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.duration("S", Duration.ZERO)).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void namesTheVariableAndTheProblem() {
        ConfigSource config = new ConfigSource(Map.of("N", "many", "R", "500", "D", "soon"));
        assertThatThrownBy(() -> config.integer("N", 1, 1, 10)).hasMessage("N must be a whole number, is 'many'");
        assertThatThrownBy(() -> config.integer("R", 1, 1, 10)).hasMessage("R must be between 1 and 10, is 500");
        assertThatThrownBy(() -> config.duration("D", Duration.ZERO))
                .hasMessage("D must be a duration like PT30S or a number of seconds, is 'soon'");
        assertThatThrownBy(() -> config.required("KAFKA_BOOTSTRAP_SERVERS"))
                .hasMessage("KAFKA_BOOTSTRAP_SERVERS is required but not set");
    }

    enum Kind { ROCKSDB, MEMORY }

    @Test
    void aChoiceIsOneOfItsConstantsInAnyCaseOrNamesThem() {
        ConfigSource config = new ConfigSource(Map.of("STORE", " Memory ", "BAD", "disk"));
        assertThat(config.choice("STORE", Kind.ROCKSDB, Kind.class)).isEqualTo(Kind.MEMORY);
        assertThat(config.choice("MISSING", Kind.ROCKSDB, Kind.class)).isEqualTo(Kind.ROCKSDB);
        assertThatThrownBy(() -> config.choice("BAD", Kind.ROCKSDB, Kind.class))
                .hasMessage("BAD must be one of rocksdb, memory, is 'disk'");
        assertThat(Setting.choice("STORE", Kind.ROCKSDB, Kind.class, "where").defaults()).isEqualTo("rocksdb");
    }
}
