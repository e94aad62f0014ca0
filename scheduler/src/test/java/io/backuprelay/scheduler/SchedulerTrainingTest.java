package io.backuprelay.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchedulerTrainingTest {

    @TempDir
    Path stateDir;

    @Test
    void theTrainingRunRequestsEveryAccountItMakesDueSoTheTickPathIsWhatItTrains() {
        // 50 accounts set up through the input topics (due in the first round), then 100 due in each of 2 rounds
        assertThat(SchedulerTraining.train(stateDir, 100, 2)).isEqualTo(50 + 100 * 2);
    }
}
