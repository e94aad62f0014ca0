package io.backuprelay.standalone;

import io.backuprelay.common.concurrent.Timers;
import io.backuprelay.common.service.ServiceEndpoints;
import io.backuprelay.common.service.ServiceEndpoints.Answer;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.eclipse.jetty.util.thread.ThreadPool;

/**
 * The standalone's health and metrics endpoints on Jetty, which the console's page brings anyway: its acceptor,
 * selector, requests and timer all on virtual threads, where the JDK's HTTP server held two platform threads at rest
 * (a dispatcher and an idle-connection timer; docs/benchmarks.md, "Footprint"). From JDK 25 only (the standalone picks
 * it), where a virtual thread waiting in a selector holds no carrier. The service jars keep the JDK's server.
 */
final class JettyEndpoints implements ServiceEndpoints.Served {

    private final Server server;
    private final ServerConnector connector;
    private final ScheduledExecutorService timer;
    private final ExecutorService requests;

    private JettyEndpoints(Server server, ServerConnector connector, ScheduledExecutorService timer,
                           ExecutorService requests) {
        this.server = server;
        this.connector = connector;
        this.timer = timer;
        this.requests = requests;
    }

    static ServiceEndpoints.Served start(String host, int port, Function<String, Optional<Answer>> answers)
            throws IOException {
        ScheduledExecutorService timer = Timers.single("service-endpoints-timer");
        ExecutorService requests = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("service-endpoints-", 0)
                .factory());
        Server server = new Server(new VirtualThreads(requests), new ScheduledExecutorScheduler(timer), null);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false); // as the jars' endpoints: no product and version for a scanner
        ServerConnector connector = new ServerConnector(server, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Answer answer = answers.apply(Request.getPathInContext(request))
                        .orElse(new Answer(404, "text/plain; charset=utf-8", "Not found"));
                response.setStatus(answer.status());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, answer.type());
                response.write(true, ByteBuffer.wrap(answer.bytes()), callback);
                return true;
            }
        });
        try {
            server.start();
        } catch (Exception e) {
            timer.shutdownNow();
            requests.shutdownNow();
            throw new IOException("The health endpoints cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return new JettyEndpoints(server, connector, timer, requests);
    }

    @Override
    public int port() {
        return connector.getLocalPort();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("The health endpoints did not stop: " + e.getMessage(), e);
        } finally {
            timer.shutdownNow();
            requests.shutdownNow();
        }
    }

    /**
     * Jetty's work on virtual threads, as the console's Javalin has it. Jetty's own {@code VirtualThreadPool} would
     * start a platform thread to keep the JVM alive, which this process needs no help with.
     */
    private record VirtualThreads(ExecutorService executor) implements ThreadPool {

        @Override
        public void execute(Runnable task) {
            executor.execute(task);
        }

        @Override
        public void join() throws InterruptedException {
            executor.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS);
        }

        @Override
        public int getThreads() {
            return 1;
        }

        @Override
        public int getIdleThreads() {
            return 1;
        }

        @Override
        public boolean isLowOnThreads() {
            return false;
        }
    }
}
