package io.backuprelay.console.api;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Account;
import io.backuprelay.common.activity.ActivityAction;
import io.backuprelay.common.activity.Changes;
import io.backuprelay.format.archive.Engine;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.account.TlsMode;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import io.backuprelay.console.activity.ActivityLog;
import io.backuprelay.console.data.ConsoleData;
import io.backuprelay.console.data.ViewPosition;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/** The operators' account registry: who the account is, who administers it, where its database lives. */
public final class AccountsApi {

    private final ConsoleData data;
    private final SecretSealer sealer;
    private final EndpointPolicy endpoints;
    private final ActivityLog activity;

    /** @param endpoints what an operator may grant an account: the entries of the console's policy */
    public AccountsApi(ConsoleData data, SecretSealer sealer, EndpointPolicy endpoints, ActivityLog activity) {
        this.activity = activity;
        this.data = data;
        this.sealer = sealer;
        this.endpoints = endpoints;
    }

    /**
     * @param schema PostgreSQL only: dump just this schema (schema-per-tenant platforms)
     * @param tls    how the backup worker's connections use TLS (null: as it was; PREFER, TLS whenever the
     *               server offers it, for a new account)
     */
    public record SourceBody(Engine engine, String host, Integer port, String database, String username,
                             String password, String schema, TlsMode tls) {
    }

    /**
     * @param storageOrigins the entries of {@code BACKUPRELAY_ALLOWED_ENDPOINTS} this account's
     *                       connections may use (null: as before; empty: none)
     */
    public record AccountBody(String displayName, String locale, String timeZone, List<String> superadminEmails,
                              SourceBody source, List<String> storageOrigins) {
    }

    public record SourceView(Engine engine, String host, int port, String database, String username,
                             boolean passwordSet, String schema, TlsMode tls) {
    }

    public record AccountView(String accountId, String displayName, String locale, String timeZone,
                              List<String> superadminEmails, SourceView source, List<String> storageOrigins) {

        static AccountView of(Account account) {
            SourceDatabase s = account.source();
            return new AccountView(account.accountId(), account.displayName(), account.locale(), account.timeZone(),
                    account.superadminEmails(), new SourceView(s.engine(), s.host(), s.port(), s.database(),
                    s.username(), s.password() != null, s.schema(), s.tls()), account.storageOrigins());
        }
    }

    /** Each entry one the operators listed, as the policy keeps it; at most 20. */
    private List<String> origins(List<String> requested) {
        if (requested.size() > 20) {
            throw ApiException.invalid("storageOrigins", "may name at most 20 entries");
        }
        List<String> granted = new ArrayList<>();
        for (String entry : requested) {
            try {
                String normalized = endpoints.grantable(entry);
                if (!granted.contains(normalized)) {
                    granted.add(normalized);
                }
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("storageOrigins", e.getMessage());
            }
        }
        return List.copyOf(granted);
    }

    public void put(Context ctx) {
        Requests.operator(ctx);
        String accountId = Validate.identifier("accountId", ctx.pathParam("accountId"));
        AccountBody body = Requests.body(ctx, AccountBody.class);
        SourceBody source = Validate.required("source", body.source());
        Validate.required("source.engine", source.engine());
        Validate.host("source.host", source.host());
        int port = Validate.port("source.port", source.port());
        Validate.databaseName("source.database", source.database());
        Validate.databaseName("source.username", source.username());
        Validate.maxLength("source.password", source.password(), 1024);
        Validate.text("displayName", body.displayName(), 200);
        if (source.schema() != null && !source.schema().isBlank()) {
            if (source.engine() != Engine.POSTGRESQL) {
                throw ApiException.invalid("source.schema", "applies to PostgreSQL only; a MariaDB database is its own schema");
            }
            Validate.databaseName("source.schema", source.schema());
        }
        data.catchUp(); // the stored password is kept only for the same target as stored now
        var existing = data.account(accountId);
        if (source.password() == null && existing.isPresent() && existing.get().source().password() != null) {
            SourceDatabase before = existing.get().source();
            boolean sameTarget = before.engine() == source.engine() && before.host().equals(source.host().strip())
                    && before.port() == port && before.database().equals(source.database())
                    && before.username().equals(source.username());
            if (!sameTarget) {
                // The stored password never follows the account to another server, database or user.
                throw ApiException.invalid("source.password", "is required again when the engine, host, port, database"
                        + " or username changes");
            }
        }
        SealedSecret password = source.password() != null
                ? sealer.seal(source.password(), SecretContext.databasePassword(accountId,
                        source.engine(), source.host().strip(), port, source.database(), source.username()))
                : existing.map(a -> a.source().password()).orElse(null);
        Account account = new Account(accountId,
                body.displayName() == null || body.displayName().isBlank() ? accountId : body.displayName().strip(),
                Validate.locale("locale", body.locale()), Validate.timeZone("timeZone", body.timeZone()),
                Validate.emails("superadminEmails", body.superadminEmails(), true),
                new SourceDatabase(source.engine(), source.host().strip(), port, source.database(),
                        source.username(), password, source.schema(), source.tls() != null ? source.tls()
                        : existing.map(a -> a.source().tls()).orElse(null)), // left out: as it was
                body.storageOrigins() != null ? origins(body.storageOrigins())
                        : existing.map(Account::storageOrigins).orElse(List.of()));
        activity.record(Requests.principal(ctx), accountId, existing.isPresent() ? ActivityAction.ACCOUNT_CHANGED
                : ActivityAction.ACCOUNT_REGISTERED, null, Changes.between(existing.orElse(null), account));
        Requests.wrote(ctx, data.write(ViewPosition.View.ACCOUNTS, accountId, account));
        ctx.status(existing.isPresent() ? 200 : 201).json(AccountView.of(account));
    }

    public void get(Context ctx) {
        Requests.operator(ctx);
        String accountId = ctx.pathParam("accountId");
        Account account = data.account(accountId)
                .orElseThrow(() -> ApiException.notFound("Account '" + accountId + "' is not registered"));
        ctx.json(AccountView.of(account));
    }
}
