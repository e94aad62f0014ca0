package io.backuprelay.dump;

import io.backuprelay.dump.archive.ArchiveSink;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs a dump tool and streams its standard output into a partial archive. The job's thread only
 * waits, so cancelling the job (an interrupt) stops the tool at once: the process is killed and the
 * partial file removed.
 */
public final class DumpProcess {

    private static final int STDERR_LINES_KEPT = 20;

    private DumpProcess() {
    }

    /**
     * @param command     the tool and its arguments: never a secret
     * @param environment added to the tool's environment (e.g. the path of a private password file)
     * @return the tool's exit code, what it wrote to stderr (last lines), and the archive written
     */
    public static Outcome run(List<String> command, Map<String, String> environment, ArchiveSink sink, Path partial)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
        builder.environment().keySet().removeIf(name -> name.startsWith("PG") || name.startsWith("MYSQL"));
        builder.environment().putAll(environment);
        Process process = builder.start();
        CompletableFuture<ArchiveSink.WrittenArchive> copy = new CompletableFuture<>();
        CompletableFuture<String> stderr = new CompletableFuture<>();
        Thread.ofVirtual().name("dump-stdout").start(() -> complete(copy, () -> sink.write(process.getInputStream(), partial)));
        Thread.ofVirtual().name("dump-stderr").start(() -> complete(stderr, () -> tail(process.getErrorStream())));
        try {
            ArchiveSink.WrittenArchive written = copy.get();
            int exit = process.waitFor();
            return new Outcome(exit, stderr.get(), written);
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            awaitQuietly(copy);
            Files.deleteIfExists(partial);
            throw e;
        } catch (ExecutionException e) {
            process.destroyForcibly();
            process.waitFor();
            Files.deleteIfExists(partial);
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(cause);
        }
    }

    /** What the tool did. */
    public record Outcome(int exitCode, String stderrTail, ArchiveSink.WrittenArchive archive) {
    }

    private static String tail(InputStream stderr) throws IOException {
        Deque<String> lines = new ArrayDeque<>();
        try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(stderr, StandardCharsets.UTF_8))) {
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

    private static void awaitQuietly(CompletableFuture<?> future) {
        try {
            future.get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception ignored) {
            // the process was killed: the copy ends with an error, which no one needs
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }
}
