package io.backuprelay.common.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FaultPointsTest {

    @Test
    void withoutTheHarnessVariableNoPointIsArmed() {
        assertThat(FaultPoints.parse(null)).isEmpty();
        assertThat(FaultPoints.parse(" ")).isEmpty();
        // This JVM has no BACKUPRELAY_FAULT_POINTS: reaching a point returns.
        FaultPoints.reach(FaultPoints.BLOB_COMMITTED);
    }

    @Test
    void theHarnessNamesEachPointWithItsShare() {
        assertThat(FaultPoints.parse("upload.blob-committed=0.1, notify.mail-sent=1"))
                .isEqualTo(Map.of(FaultPoints.BLOB_COMMITTED, 0.1, FaultPoints.MAIL_SENT, 1.0));
    }

    @Test
    void aMalformedSettingSaysWhatIsWrong() {
        assertThatThrownBy(() -> FaultPoints.parse("upload.blob-committed")).hasMessageContaining("is not name=share");
        assertThatThrownBy(() -> FaultPoints.parse("upload.blob-committed=2"))
                .hasMessageContaining("must be between 0 and 1, is 2");
    }
}
