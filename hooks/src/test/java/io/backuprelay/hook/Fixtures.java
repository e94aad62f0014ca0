package io.backuprelay.hook;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.event.BackupCompleted;
import io.backuprelay.common.event.BackupFailed;
import io.backuprelay.common.event.BackupOverdue;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.event.BlobLocation;
import io.backuprelay.common.event.CopyFailed;
import io.backuprelay.common.event.DrillOutcome;
import io.backuprelay.common.event.FailureStage;
import io.backuprelay.common.event.RestoreFailed;
import io.backuprelay.common.event.Trigger;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.format.archive.Engine;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Accounts, channels and events as tenants have them, for the channels' tests. */
final class Fixtures {

    static final String ACCOUNT = "Compañía Ñandú 7";
    /** Never opened by these tests: the URL and secret are passed in the clear. */
    static final SealedSecret SEALED = new SealedSecret("k1", "c2VhbGVk");

    private Fixtures() {
    }

    static Account account(String locale) {
        return new Account(ACCOUNT, "Compañía \"Ñandú\" S.A.", locale, "Europe/Madrid", List.of("Ana.Pérez@tenant.example"),
                new SourceDatabase(Engine.POSTGRESQL, "db", 5432, "app", "app", null, null, null));
    }

    static Channel channel(ChannelKind kind, ChannelFilter sends) {
        return new Channel(ACCOUNT, kind.name().toLowerCase() + "-1", kind, "Ops room", "https://hooks.example",
                SEALED, kind == ChannelKind.WEBHOOK ? SEALED : null, sends);
    }

    static BackupCompleted completed(Trigger trigger, Instant at) {
        return new BackupCompleted(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), ACCOUNT, at, trigger,
                new BlobLocation("acmeblobs", "db-backups", "backups/x.dump.zst", "https://acmeblobs.example/x"),
                12_345_678L, "f00d", Engine.POSTGRESQL, at.minusSeconds(100), at, List.of(), null, List.of(), null, null,
                null);
    }

    static BackupFailed failed(FailureStage stage, Instant at) {
        return new BackupFailed(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), ACCOUNT, at,
                Trigger.SCHEDULED, stage, "the database refused the connection: password authentication failed", false,
                null, at.minusSeconds(30), 1, null);
    }

    static BackupOverdue overdue(Instant at) {
        return BackupOverdue.of(ACCOUNT, UUID.randomUUID().toString(), BackupType.EVERY_7_DAYS, at.minusSeconds(900_000),
                3, at);
    }

    static RestoreFailed restoreFailed(Instant at) {
        return RestoreFailed.of(UUID.randomUUID().toString(), ACCOUNT, DrillOutcome.Kind.RESTORE,
                "the table count differs", List.of("tables: 12 in the manifest, 11 restored"), at);
    }

    static CopyFailed copyFailed(boolean willRetry, Instant at) {
        return new CopyFailed(1, UUID.randomUUID().toString(), UUID.randomUUID().toString(), ACCOUNT, at, "Copia S3",
                3, "the bucket refused the request", willRetry, willRetry ? at.plusSeconds(60) : null);
    }
}
