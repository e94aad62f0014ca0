package io.backuprelay.common.fault;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.common.config.ConfigSource;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The places where a crash hurts most, where the chaos harness may kill the process with SIGKILL
 * (no shutdown hook, no flush, no commit). Only the harness sets
 * {@code BACKUPRELAY_FAULT_POINTS} ({@code name=share,...}, e.g. {@code upload.blob-committed=0.1});
 * without it every point is a no-op that costs a map lookup.
 */
public final class FaultPoints {

    /** The dump worker: the archive and its manifest are in staging, {@code DumpReady} is not committed. */
    public static final String DUMP_WRITTEN = "dump.archive-written";
    /** The upload worker: the blob's block list is committed in Azure, {@code BackupCompleted} is not. */
    public static final String BLOB_COMMITTED = "upload.blob-committed";
    /** The notifier: the mail server took the message, the notifier has not recorded it yet. */
    public static final String MAIL_SENT = "notify.mail-sent";

    /** The exit code of a process killed at a fault point (128 + SIGKILL). */
    public static final int EXIT_CODE = 137;

    private static final Logger log = LoggerFactory.getLogger(FaultPoints.class);
    private static final Map<String, Double> SHARES = parse(CommonSettings.FAULT_POINTS.read(ConfigSource.fromEnvironment()));

    private FaultPoints() {
    }

    /** Kills the process here, with the configured share of chances; does nothing unless the harness asked. */
    public static void reach(String point) {
        Double share = SHARES.get(point);
        if (share != null && ThreadLocalRandom.current().nextDouble() < share) {
            log.warn("fault point {} reached: the process kills itself (SIGKILL)", point);
            try {
                new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid())).start().waitFor();
            } catch (IOException | InterruptedException e) {
                // no kill command: halting ends the process just as abruptly
            }
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    }

    static Map<String, Double> parse(String spec) {
        if (spec == null || spec.isBlank()) {
            return Map.of();
        }
        Map<String, Double> shares = new HashMap<>();
        for (String entry : spec.split(",")) {
            String[] parts = entry.strip().split("=", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException("BACKUPRELAY_FAULT_POINTS: '" + entry + "' is not name=share");
            }
            double share = Double.parseDouble(parts[1]);
            if (share < 0 || share > 1) {
                throw new IllegalArgumentException("BACKUPRELAY_FAULT_POINTS: the share of " + parts[0]
                        + " must be between 0 and 1, is " + parts[1]);
            }
            shares.put(parts[0], share);
        }
        return Map.copyOf(shares);
    }
}
