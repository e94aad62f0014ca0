package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.service.ServiceShell;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The standalone's health and metrics endpoints, on Jetty, answer as the service jars' do and hold no platform thread. */
class JettyEndpointsTest {

    @Test
    void answersHealthAndMetricsLikeTheJarsWithoutAPlatformThreadOfItsOwn() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        AtomicReference<ComponentHealth> view = new AtomicReference<>(ComponentHealth.up("view-accounts", "12 keys"));
        try (ServiceShell shell = new ServiceShell("standalone", code -> { }).servedBy(JettyEndpoints::start)) {
            shell.add(() -> ComponentHealth.up("dump-worker", "RUNNING"));
            shell.add(view::get);
            shell.serve("127.0.0.1", 0);

            HttpResponse<String> ready = get(shell, "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(ready.body()).contains("\"view-accounts\"").contains("\"dump-worker\"");
            view.set(ComponentHealth.notReady("view-accounts", "not caught up for 20 s"));
            assertThat(get(shell, "/health/ready").statusCode()).isEqualTo(503);
            assertThat(get(shell, "/health/ready").body()).contains("not caught up for 20 s");
            assertThat(get(shell, "/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(shell, "/metrics");
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(metrics.body())
                    .contains("backuprelay_component_ready{component=\"view-accounts\",service=\"standalone\"} 0.0");
            assertThat(get(shell, "/api/accounts").statusCode()).isEqualTo(404);
            assertThat(ready.headers().firstValue("Server")).as("no product and version for a scanner").isEmpty();

            // Thread.getAllStackTraces lists platform threads only: Jetty's acceptor, selector, requests and timer
            // would show here were any of them on one.
            Set<String> added = Thread.getAllStackTraces().keySet().stream().filter(thread -> !before.contains(thread))
                    .filter(thread -> Arrays.stream(thread.getStackTrace())
                            .anyMatch(frame -> frame.getClassName().startsWith("org.eclipse.jetty")))
                    .map(Thread::getName).collect(Collectors.toSet());
            assertThat(added).as("platform threads running Jetty").isEmpty();
        }
    }

    private static HttpResponse<String> get(ServiceShell shell, String path) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + shell.port() + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }
}
