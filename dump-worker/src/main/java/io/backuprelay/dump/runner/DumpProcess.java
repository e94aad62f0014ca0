package io.backuprelay.dump.runner;

import io.backuprelay.database.ArchiveListing;
import io.backuprelay.database.ChildEnvironment;
import io.backuprelay.dump.archive.ArchiveSink;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs a dump tool and streams its standard output into a partial archive. The job's thread only
 * waits, so cancelling the job (an interrupt) stops the tool at once: the process is killed and the
 * partial file removed. A tool that writes nothing for the stall timeout is stopped too.
 */
public final class DumpProcess {

    private static final int STDERR_LINES_KEPT = 20;
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(5);

    private DumpProcess() {
    }

    /**
     * @param command     the tool and its arguments: never a secret
     * @param environment added to the tool's environment (e.g. the path of a private password file)
     * @param listing     shown the plain dump as it streams past
     * @return the tool's exit code, what it wrote to stderr (last lines), and the archive written
     */
    public static Outcome run(String tool, List<String> command, Map<String, String> environment, ArchiveSink sink,
                              Path partial, DumpJob job, ArchiveListing listing)
            throws IOException, InterruptedException, DumpFailedException {
        ProcessBuilder builder = ChildEnvironment.apply(new ProcessBuilder(guarded(command)),
                environment);
        Process process = builder.start();
        AtomicLong dumped = new AtomicLong();
        CompletableFuture<ArchiveSink.WrittenArchive> copy = new CompletableFuture<>();
        CompletableFuture<String> stderr = new CompletableFuture<>();
        Thread.ofVirtual().name("dump-stdout").start(() -> complete(copy,
                () -> sink.write(process.getInputStream(), partial, job.recipients(), dumped, listing)));
        Thread.ofVirtual().name("dump-stderr").start(() -> complete(stderr, () -> tail(process.getErrorStream())));
        try {
            ArchiveSink.WrittenArchive written = awaitWithProgress(tool, copy, dumped, job);
            int exit = process.waitFor();
            process.getOutputStream().close(); // the guard's lifeline: its watcher ends
            return new Outcome(exit, stderr.get(), written);
        } catch (InterruptedException | DumpFailedException e) {
            stop(process, copy);
            Files.deleteIfExists(partial);
            throw e;
        } catch (ExecutionException e) {
            stop(process, copy);
            Files.deleteIfExists(partial);
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
    }

    /** Waits for the copy, reporting progress and stopping a tool that has gone quiet. */
    private static ArchiveSink.WrittenArchive awaitWithProgress(String tool, CompletableFuture<ArchiveSink.WrittenArchive> copy,
                                                                AtomicLong dumped, DumpJob job)
            throws InterruptedException, ExecutionException, DumpFailedException {
        long lastBytes = -1;
        long lastChange = System.nanoTime();
        Duration tick = job.stallTimeout().compareTo(PROGRESS_EVERY) < 0 ? job.stallTimeout() : PROGRESS_EVERY;
        while (true) {
            try {
                return copy.get(Math.max(10, tick.toMillis()), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                long bytes = dumped.get();
                if (bytes != lastBytes) {
                    lastBytes = bytes;
                    lastChange = System.nanoTime();
                    job.progress().accept(bytes);
                } else if (System.nanoTime() - lastChange >= job.stallTimeout().toNanos()) {
                    throw new DumpFailedException(tool + " wrote nothing for " + human(job.stallTimeout())
                            + " and was stopped (" + bytes + " bytes dumped until then).");
                }
            }
        }
    }

    /**
     * Kills the tool and the guard's watcher first, so the guard (their parent) reaps them and exits
     * with the tool's status; the guard itself only if it does not.
     */
    private static void stop(Process process, CompletableFuture<?> copy) throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        try {
            copy.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException ignored) {
            // the process was killed: the copy ends with an error, which no one needs
        }
    }

    /**
     * The tool under a small guard that keeps a pipe from this JVM open: when the JVM dies (even by
     * kill -9) the pipe closes, and the guard stops the tool (TERM, then KILL after 5 s), so no dump
     * outlives its worker and keeps its locks on the tenant's database. The tool's arguments are
     * unchanged; its stdin is {@code /dev/null}.
     */
    static List<String> guarded(List<String> command) {
        // The watcher waits with the shell's own read (no extra process) until the pipe closes.
        String guard = "exec 3<&0\n"
                + "\"$@\" </dev/null 3<&- &\n"
                + "child=$!\n"
                + "( read -r _ <&3; kill -TERM \"$child\" 2>/dev/null; sleep 5; kill -KILL \"$child\" 2>/dev/null ) >/dev/null 2>&1 &\n"
                + "watcher=$!\n"
                + "exec 3<&-\n"
                + "wait \"$child\"; rc=$?\n"
                + "kill \"$watcher\" 2>/dev/null\n"
                + "exit $rc\n";
        List<String> guarded = new ArrayList<>(List.of("/bin/sh", "-c", guard, "backuprelay-dump-guard"));
        guarded.addAll(command);
        return guarded;
    }

    /** What the tool did. */
    public record Outcome(int exitCode, String stderrTail, ArchiveSink.WrittenArchive archive) {
    }

    private static String tail(InputStream stderr) throws IOException {
        Deque<String> lines = new ArrayDeque<>();
        try (var reader = new BufferedReader(new InputStreamReader(stderr, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (lines.size() == STDERR_LINES_KEPT) {
                    lines.removeFirst();
                }
                lines.addLast(line.length() > 500 ? line.substring(0, 500) : line);
            }
        }
        return String.join("\n", lines);
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> void complete(CompletableFuture<T> future, IoSupplier<T> work) {
        try {
            future.complete(work.get());
        } catch (IOException | RuntimeException e) {
            future.completeExceptionally(e);
        }
    }

    public static String human(Duration duration) {
        long seconds = duration.toSeconds();
        return seconds % 60 == 0 && seconds >= 60 ? seconds / 60 + " min" : seconds + " s";
    }

    /** The last line of stderr that reads like an error, with the password (if any) masked. */
    public static String failure(Outcome outcome, String password) {
        String detail = outcome.stderrTail().lines()
                .filter(line -> line.toLowerCase(Locale.ROOT).contains("error") || line.contains("FATAL"))
                .reduce((first, second) -> second)
                .orElse(outcome.exitCode() > 128 || outcome.exitCode() < 0
                        ? "it was stopped by a signal"
                        : "it exited with code " + outcome.exitCode());
        return password != null && !password.isEmpty() ? detail.replace(password, "***") : detail;
    }
}
