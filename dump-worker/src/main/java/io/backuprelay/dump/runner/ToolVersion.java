package io.backuprelay.dump.runner;

import io.backuprelay.database.ChildEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What a dump tool says of its own version, for the manifest; a tool that does not answer promptly is not waited for. */
public final class ToolVersion {

    private static final long TIMEOUT_SECONDS = 5;

    private ToolVersion() {
    }

    public static String of(String executable) {
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
