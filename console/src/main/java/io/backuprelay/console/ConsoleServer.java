package io.backuprelay.console;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.kafka.ViewUnavailableException;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.common.health.ComponentHealth;
import io.backuprelay.common.health.HealthBody;
import io.backuprelay.common.service.ServiceShell;
import io.backuprelay.console.activity.ActivityLog;
import io.backuprelay.console.api.AccountsApi;
import io.backuprelay.console.api.ActivityApi;
import io.backuprelay.console.api.ApiException;
import io.backuprelay.console.api.BackupsApi;
import io.backuprelay.console.api.ChannelsApi;
import io.backuprelay.console.api.ConnectionsApi;
import io.backuprelay.console.api.PendingBackups;
import io.backuprelay.console.api.Requests;
import io.backuprelay.console.api.SettingsApi;
import io.backuprelay.console.auth.InvalidTokenException;
import io.backuprelay.console.auth.TokenVerifier;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.hook.HookSender;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import io.javalin.router.Endpoint;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console: the JSON API of the backup page and the operators' registry, the page itself,
 * health and Prometheus metrics. Every {@code /api} request needs a bearer token.
 */
public final class ConsoleServer implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);
    private static final long MAX_BODY_BYTES = 64 * 1024;

    private final ConsoleData data;
    private final Javalin app;
    private final PrometheusMeterRegistry metrics;
    private final ServiceShell shell;
    private final HookSender hooks;

    /** A console with a shell of its own, holding the data's views (for tests and tools). */
    public ConsoleServer(ConsoleData data, ConsoleConfig config, SecretSealer sealer, Clock clock) {
        this(data, config, sealer, clock, ownShell(data));
    }

    /** @param shell the process's shell: the console serves its health and metrics on the console port too */
    public ConsoleServer(ConsoleData data, ConsoleConfig config, SecretSealer sealer, Clock clock, ServiceShell shell) {
        this.data = data;
        this.shell = shell;
        this.metrics = shell.metrics();
        TokenVerifier verifier = config.verifier();
        PendingBackups pending = new PendingBackups();
        // The storage origins an operator granted each account: no other listed origin serves its connections.
        BlobAccess storage = new BlobAccess(data.withGrants(config.endpoints()));
        // Who did what: each action below is recorded before it takes effect (see ActivityLog).
        ActivityLog activity = new ActivityLog(data.activity(),
                entry -> data.publish(data.topics().activity(), entry.accountId(), entry), clock);
        AccountsApi accounts = new AccountsApi(data, sealer, config.endpoints(), activity);
        SettingsApi settings = new SettingsApi(data, pending, config.limits(), config.platformName(), activity);
        ConnectionsApi connections = new ConnectionsApi(data, sealer, config.limits(), storage, activity);
        BackupsApi backups = new BackupsApi(data, pending, sealer, storage, clock, config.limits(), activity);
        // Channel URLs follow the storage endpoints' outbound rule, each account's grants included.
        this.hooks = new HookSender(storage.policy(), config.hookTimeout());
        ChannelsApi channels = new ChannelsApi(data, sealer, storage.policy(), hooks, config.limits(), config.pageUrl(),
                activity);

        app = Javalin.create(javalin -> {
            javalin.startup.showJavalinBanner = false;
            // Jetty's acceptor, selector and requests on virtual threads: its pool of platform threads waited idle.
            javalin.concurrency.useVirtualThreads = true;
            // The API writes every field, null included: "lastBackupAt": null is how it says "Never".
            javalin.jsonMapper(new JavalinJackson(Json.mapper().copy()
                    .setSerializationInclusion(JsonInclude.Include.ALWAYS), false));
            javalin.http.maxRequestSize = MAX_BODY_BYTES;
            javalin.staticFiles.add(files -> {
                files.hostedPath = "/";
                files.directory = "/console";
                files.location = Location.CLASSPATH;
                files.headers = SECURITY_HEADERS; // static files do not pass the after-handlers
            });
            javalin.requestLogger.http(this::record);
            routes(javalin.routes, verifier, accounts, settings, connections, backups);
            activityRoutes(javalin.routes, new ActivityApi(activity));
            channelRoutes(javalin.routes, channels);
        });
        app.start(config.host(), config.port());
        log.info("Console listening on http://{}:{}/", config.host(), app.port());
    }

    /** Every route, handler and error answer, set up front as Javalin 7 requires. */
    private void routes(RoutesConfig routes, TokenVerifier verifier, AccountsApi accounts,
                        SettingsApi settings, ConnectionsApi connections, BackupsApi backups) {
        routes.before("/api/*", ctx -> {
            authenticate(ctx, verifier);
            if (ctx.method() != HandlerType.GET && ctx.method() != HandlerType.DELETE) {
                Requests.readCapped(ctx, (int) MAX_BODY_BYTES); // chunked or not, never more than the cap is read
            }
        });
        routes.before("/metrics", ctx -> {
            authenticate(ctx, verifier);
            Requests.operator(ctx); // what runs and how busy it is: the operators' business
        });
        routes.after(ConsoleServer::securityHeaders);

        routes.put("/api/operator/accounts/{accountId}", accounts::put);
        routes.get("/api/operator/accounts/{accountId}", accounts::get);
        routes.get("/api/accounts/{accountId}/backup-settings", settings::get);
        routes.put("/api/accounts/{accountId}/backup-settings", settings::put);
        routes.get("/api/accounts/{accountId}/connections", connections::list);
        routes.post("/api/accounts/{accountId}/connections", connections::create);
        routes.get("/api/accounts/{accountId}/connections/{connectionId}", connections::get);
        routes.put("/api/accounts/{accountId}/connections/{connectionId}", connections::update);
        routes.delete("/api/accounts/{accountId}/connections/{connectionId}", connections::delete);
        routes.post("/api/accounts/{accountId}/connections/{connectionId}/test", connections::test);
        routes.post("/api/accounts/{accountId}/backups", backups::create);
        routes.get("/api/accounts/{accountId}/backups", backups::list);
        routes.get("/api/accounts/{accountId}/backups/{backupId}", backups::get);
        routes.post("/api/accounts/{accountId}/backups/{backupId}/download", backups::download);

        routes.get("/health/live", ctx -> health(ctx, ComponentHealth::live));
        routes.get("/health/ready", ctx -> health(ctx, ComponentHealth::ready));
        routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));

        routes.exception(ApiException.class, (e, ctx) -> {
            if (e.status() == 401) {
                ctx.header("WWW-Authenticate", "Bearer");
            }
            if (e.retryAfterSeconds() > 0) {
                ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
            }
            if (e.status() == 413) {
                ctx.header("Connection", "close"); // the rest of the body is not read, not even to drain it
            }
            ctx.status(e.status()).json(e.body());
        });
        routes.exception(ViewUnavailableException.class, (e, ctx) -> {
            log.warn("{} {}: {}", ctx.method(), route(ctx), e.getMessage());
            ctx.status(503).header("Retry-After", "5").json(new ApiException.ErrorBody("unavailable", null,
                    "The console cannot reach its data store right now; try again in a moment", "unavailable",
                    List.of()));
        });
        routes.exception(InvalidTokenException.class, (e, ctx) -> ctx.status(401).header("WWW-Authenticate", "Bearer")
                .json(new ApiException.ErrorBody("unauthorized", null, e.getMessage())));
        routes.exception(Exception.class, (e, ctx) -> {
            log.error("{} {} failed", ctx.method(), route(ctx), e);
            ctx.status(500).json(new ApiException.ErrorBody("internal_error", null,
                    "The console could not complete the request; see its log"));
        });
        routes.error(HttpStatus.NOT_FOUND, ctx -> {
            if (ctx.path().startsWith("/api/") && (ctx.result() == null || ctx.result().isEmpty())) {
                ctx.json(new ApiException.ErrorBody("not_found", null, "No such endpoint: " + ctx.method() + " " + ctx.path()));
            }
        });
        routes.error(HttpStatus.CONTENT_TOO_LARGE, ctx -> ctx.json(new ApiException.ErrorBody("too_large", "body",
                "body must be at most " + MAX_BODY_BYTES + " bytes")));
    }

    /** The account's notification channels besides email, and the test message of each. */
    private static void channelRoutes(RoutesConfig routes, ChannelsApi channels) {
        routes.get("/api/accounts/{accountId}/channels", channels::list);
        routes.post("/api/accounts/{accountId}/channels", channels::create);
        routes.put("/api/accounts/{accountId}/channels/{channelId}", channels::update);
        routes.delete("/api/accounts/{accountId}/channels/{channelId}", channels::delete);
        routes.post("/api/accounts/{accountId}/channels/{channelId}/test", channels::test);
    }

    /** The activity log's reads, and the answer when an action cannot be recorded: 503, the action not done. */
    private static void activityRoutes(RoutesConfig routes, ActivityApi activity) {
        routes.get("/api/accounts/{accountId}/activity", activity::account);
        routes.get("/api/operator/activity", activity::operator);
        routes.exception(ActivityLog.NotRecordedException.class, (e, ctx) -> ctx.status(503).header("Retry-After", "5")
                .json(new ApiException.ErrorBody("unavailable", null, e.getMessage(), "activityNotRecorded", List.of())));
    }

    public int port() {
        return app.port();
    }

    private static ServiceShell ownShell(ConsoleData data) {
        ServiceShell shell = new ServiceShell("console", code -> log.error("The console would exit with code {}", code));
        data.components().forEach(shell::add);
        return shell;
    }

    /** On every answer: no inline script or style runs, the page is never framed, nothing is sniffed or referred. */
    private static final Map<String, String> SECURITY_HEADERS = Map.of(
            "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "X-Content-Type-Options", "nosniff",
            "X-Frame-Options", "DENY",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-cache");

    private static void securityHeaders(Context ctx) {
        SECURITY_HEADERS.forEach(ctx::header);
        if (ctx.path().startsWith("/api/")) {
            ctx.header("Cache-Control", "no-store");
        }
    }

    /**
     * The health on the public port, in the shape of every service's, without the components'
     * details: they can hold the platform's account and connection counts or an exception's text.
     * The management port has them.
     */
    private void health(Context ctx, Predicate<ComponentHealth> probe) {
        HealthBody health = HealthBody.of(shell.health(), probe, HealthBody.Detail.HIDDEN);
        ctx.status(health.httpStatus()).json(health.json());
    }

    private static void authenticate(Context ctx, TokenVerifier verifier) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("A bearer token is required (Authorization: Bearer <JWT>)");
        }
        ctx.attribute(Requests.PRINCIPAL, verifier.verify(header.substring(7).strip()));
    }

    /** One access-log line and one timer sample per request: method, route, status; never a header or body. */
    private void record(Context ctx, float millis) {
        String route = route(ctx);
        Timer.builder("http.server.requests").tag("method", ctx.method().name()).tag("uri", route)
                .tag("status", Integer.toString(ctx.statusCode())).register(metrics)
                .record(Duration.ofNanos((long) (millis * 1_000_000)));
        if (route.startsWith("/api")) {
            log.info("{} {} -> {} in {} ms", ctx.method(), ctx.path(), ctx.statusCode(), Math.round(millis));
        }
    }

    /**
     * The matched route (bounded, for metrics), or "unmatched" when none was. Not {@code ctx.endpoint()}:
     * in the request logger that is the last handler run, the after-handler of every path ("*").
     */
    private static String route(Context ctx) {
        Endpoint matched = ctx.endpoints().matchedHttpEndpoint();
        if (matched != null) {
            return matched.path;
        }
        return ctx.path().startsWith("/api") ? "/api/unmatched" : "unmatched";
    }

    @Override
    public void close() {
        app.stop();
        try {
            hooks.close();
        } catch (IOException e) {
            log.warn("Closing the channels' HTTP client: {}", e.getMessage());
        }
        data.close();
    }
}
