package io.backuprelay.chaos;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/** The staging directory on a tmpfs of its own, so that it can be filled without touching the machine's disk. */
final class StagingDisk {

    /** The file that fills it; the audit does not count it as a leftover. */
    static final String FILLER = "chaos-filler.bin";

    private final Path staging;

    StagingDisk(Path staging) {
        this.staging = staging;
    }

    /** A tmpfs of 512 MB for staging; false if mounting is not allowed (the full-disk fault is then left out). */
    boolean mount() {
        try {
            Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", staging.toString())
                    .redirectErrorStream(true).start();
            String output = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (mount.waitFor() == 0) {
                System.out.println("chaos: staging is a 512 MB tmpfs; it will be filled at times");
                return true;
            }
            System.out.println("chaos: no tmpfs for staging (" + output + "): the full-disk fault is left out");
        } catch (Exception e) {
            System.out.println("chaos: no tmpfs for staging (" + e.getMessage() + "): the full-disk fault is left out");
        }
        return false;
    }

    /** Staging full to its last megabyte for 15 to 40 s. */
    void fill(Random r, FaultLog log) throws Exception {
        Path filler = staging.resolve(FILLER);
        Instant filling = Instant.now();
        long free = Files.getFileStore(staging).getUsableSpace();
        try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw")) {
            byte[] block = new byte[1 << 20];
            long target = Math.max(0, free - (1 << 20));
            for (long written = 0; written < target; written += block.length) {
                file.write(block, 0, (int) Math.min(block.length, target - written));
            }
        } catch (IOException full) {
            // full before the target: as intended
        }
        log.count("staging disk full (15 to 40 s)");
        Thread.sleep(Duration.ofSeconds(15 + r.nextInt(26)));
        Files.deleteIfExists(filler);
        log.window("disk-full staging", filling, Instant.now());
    }

    void empty() throws IOException {
        Files.deleteIfExists(staging.resolve(FILLER));
    }

    void unmount() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", staging.toString()).start().waitFor();
    }
}
