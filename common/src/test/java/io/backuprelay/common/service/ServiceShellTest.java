package io.backuprelay.common.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.backuprelay.common.health.ComponentHealth;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The one service shell: health that names each component, its gauges, and the exit when a component dies. */
class ServiceShellTest {

    @Test
    void healthNamesEachComponentAndReadinessFollowsTheWorstOfThem() throws Exception {
        AtomicReference<ComponentHealth> view = new AtomicReference<>(ComponentHealth.up("view-accounts", "12 keys"));
        try (ServiceShell shell = new ServiceShell("test", code -> { })) {
            shell.add(() -> ComponentHealth.up("dump-worker", "RUNNING"));
            shell.add(view::get);
            shell.serve("127.0.0.1", 0);

            assertThat(get(shell, "/health/ready")).startsWith("200 ").contains("\"view-accounts\"").contains("\"dump-worker\"");
            view.set(ComponentHealth.notReady("view-accounts", "not caught up for 20 s"));
            String ready = get(shell, "/health/ready");
            assertThat(ready).startsWith("503 ").contains("not caught up for 20 s");
            assertThat(get(shell, "/health/live")).startsWith("200 ");
            assertThat(get(shell, "/metrics"))
                    .contains("backuprelay_component_ready{component=\"view-accounts\",service=\"test\"} 0.0")
                    .contains("backuprelay_component_live{component=\"dump-worker\",service=\"test\"} 1.0");
            assertThat(get(shell, "/health/ready/extra")).startsWith("404 ");
            assertThat(get(shell, "/")).startsWith("404 ");
        }
    }

    @Test
    void aDeadComponentEndsTheProcessWithExitCodeOne() {
        ConcurrentLinkedQueue<Integer> exits = new ConcurrentLinkedQueue<>();
        AtomicReference<ComponentHealth> loop = new AtomicReference<>(ComponentHealth.up("upload-worker", "RUNNING"));
        try (ServiceShell shell = new ServiceShell("test", exits::add)) {
            shell.add(loop::get);
            shell.watch();
            loop.set(ComponentHealth.dead("upload-worker", "failed: fenced"));

            await().atMost(Duration.ofSeconds(10)).until(() -> !exits.isEmpty());
            assertThat(exits).containsExactly(ServiceShell.FATAL_EXIT);
            assertThat(shell.live()).isFalse();
        }
    }

    @Test
    void componentsStoppedOnPurposeDoNotTriggerTheExit() {
        ConcurrentLinkedQueue<Integer> exits = new ConcurrentLinkedQueue<>();
        AtomicReference<ComponentHealth> loop = new AtomicReference<>(ComponentHealth.up("notifier", "RUNNING"));
        try (ServiceShell shell = new ServiceShell("test", exits::add)) {
            shell.add(loop::get);
            shell.watch();
            shell.stopWatching();
            loop.set(ComponentHealth.dead("notifier", "stopped"));
            // For longer than the watchdog's period, nothing exits.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(exits::isEmpty);
        }
    }

    private static String get(ServiceShell shell, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + shell.port() + path)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() + " " + response.body();
        }
    }
}
