package io.backuprelay.blob.block;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Where each block of an archive lies: by its index alone, so blocks can be sent before the archive's size is known. */
class BlockLayoutTest {

    @Test
    void blocksAre8MiBThenGrowSoThatNoArchiveNeedsMoreThan50000() {
        long mib = 1024L * 1024;
        assertThat(BlockLayout.count(1)).isEqualTo(1);
        assertThat(BlockLayout.count(8 * mib)).isEqualTo(1);
        assertThat(BlockLayout.count(8 * mib + 1)).isEqualTo(2);
        assertThat(BlockLayout.count(100L * 1024 * mib)).isEqualTo(11_400); // 100 GiB: 10,000 of 8 MiB, then 1,400 of 16 MiB
        assertThat(BlockLayout.start(10_000)).isEqualTo(10_000 * 8 * mib);
        assertThat(BlockLayout.start(10_001) - BlockLayout.start(10_000)).isEqualTo(16 * mib);
        assertThat(BlockLayout.count(BlockLayout.maxArchiveBytes())).isEqualTo(50_000);
        assertThat(BlockLayout.maxArchiveBytes()).isGreaterThan(3L * 1024 * 1024 * mib); // over 3 TiB
    }
}
