package io.backuprelay.dump.runner;

import io.backuprelay.database.ChildEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What a dump tool says of its own version, for the manifest; a tool that does not answer promptly is not waited for. */
public final class ToolVersion {

    private static final long TIMEOUT_SECONDS = 5;

    private ToolVersion() {
    }

    /** What each tool said, by path and the file's change time: a tool replaced on disk is asked again. */
    private static final Map<String, String> SAID = new ConcurrentHashMap<>();

    /** The tool's first line of {@code --version}, asked once per installed file (it costs a process a dump). */
    public static String of(String executable) {
        String key = executable + "@" + changed(executable);
        String said = SAID.get(key);
        if (said != null) {
            return said;
        }
        String asked = ask(executable);
        if (!asked.equals(executable)) {
            SAID.put(key, asked); // a tool that did not answer is asked again next time
        }
        return asked;
    }

    private static String changed(String executable) {
        try {
            return Files.getLastModifiedTime(Path.of(executable)).toString();
        } catch (IOException | InvalidPathException e) {
            return "?";
        }
    }

    private static String ask(String executable) {
        Process process = null;
        try {
            process = ChildEnvironment.apply(new ProcessBuilder(executable, "--version"),
                    Map.of()).redirectErrorStream(true).start();
            Process started = process;
            CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(started.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
                } catch (IOException e) {
                    return "";
                }
            }, Thread::startVirtualThread);
            String text = output.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return text.lines().findFirst().orElse(executable);
        } catch (IOException | ExecutionException | TimeoutException e) {
            return executable;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return executable;
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
        }
    }
}
