package io.backuprelay.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.console.data.ViewPosition;
import org.junit.jupiter.api.Test;

class ViewPositionTest {

    @Test
    void readsWhatItWritesAndKeepsTheNewerOffsetOfEachPartition() {
        ViewPosition settings = ViewPosition.of(ViewPosition.View.SETTINGS, 1, 17);
        ViewPosition connections = ViewPosition.of(ViewPosition.View.CONNECTIONS, 0, 5);
        ViewPosition older = ViewPosition.of(ViewPosition.View.SETTINGS, 1, 3);

        ViewPosition merged = settings.merge(connections).merge(older);

        assertThat(merged.toString()).isEqualTo("settings:1:17,connections:0:5");
        assertThat(ViewPosition.parse(merged.toString())).contains(merged);
        assertThat(ViewPosition.parse(" ")).isEmpty();
        assertThat(ViewPosition.parse(null)).isEmpty();
    }

    @Test
    void refusesAHeaderItDidNotWriteNamingTheEntry() {
        assertThatThrownBy(() -> ViewPosition.parse("settings:1:17,status:0:1"))
                .hasMessageContaining("'status:0:1'");
        assertThatThrownBy(() -> ViewPosition.parse("settings:-1:17")).hasMessageContaining("view:partition:offset");
        assertThatThrownBy(() -> ViewPosition.parse("settings:1:17,".repeat(65)))
                .hasMessageContaining("more than 64 entries");
    }
}
