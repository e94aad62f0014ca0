package io.backuprelay.common.activity;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.account.Account;
import io.backuprelay.common.account.BackupSettings;
import io.backuprelay.common.account.Channel;
import io.backuprelay.common.account.ChannelFilter;
import io.backuprelay.common.account.ChannelKind;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.CopyDestination;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.account.SourceDatabase;
import io.backuprelay.common.activity.ActivityEntry.Change;
import io.backuprelay.common.event.BackupType;
import io.backuprelay.common.json.Json;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.format.archive.Engine;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** What the activity log says changed: each field's value before and after, a secret by its name alone. */
class ChangesTest {

    private static final String ACCOUNT = "Société \"Ñandú\" O'Brien";
    private static final SealedSecret KEY = new SealedSecret("k1", "c2VhbGVkLWtleS0x", SealedSecret.TARGETED);
    private static final SealedSecret OTHER_KEY = new SealedSecret("k1", "c2VhbGVkLWtleS0y", SealedSecret.TARGETED);

    @Test
    void settingsChangesNameEachFieldWithItsValueBeforeAndAfter() {
        BackupSettings before = new BackupSettings(ACCOUNT, BackupType.MANUAL, "c-main", List.of("ana@tenant.example"),
                List.of(), null);
        BackupSettings after = new BackupSettings(ACCOUNT, BackupType.EVERY_7_DAYS, "c-main",
                List.of("ana@tenant.example", "josé@tenant.example"), List.of(), new Retention(30, null), null,
                List.of(new CopyDestination("c-offsite", new Retention(7, 90))), null);

        assertThat(Changes.between(before, after)).containsExactly(
                new Change("backupType", "MANUAL", "EVERY_7_DAYS", false),
                new Change("notifyEmails", "ana@tenant.example", "ana@tenant.example, josé@tenant.example", false),
                new Change("retention.keepLast", null, "30", false),
                new Change("copies", null, "[{\"connectionId\":\"c-offsite\",\"retention\":{\"keepLast\":7,\"maxAgeDays\":90}}]",
                        false));
        assertThat(Changes.between(after, after)).as("nothing changed").isEmpty();
    }

    @Test
    void aNewAccessKeyIsSaidToHaveChangedAndNeitherItNorItsCiphertextAppears() {
        Connection before = azure("Main", KEY, null);
        Connection after = azure("Main \"primary\" Zürich", OTHER_KEY, null);

        List<Change> changes = Changes.between(before, after);

        assertThat(changes).containsExactly(new Change("description", "Main", "Main \"primary\" Zürich", false),
                Change.secret("accessKey"));
        assertThat(Json.encodeToString(changes)).doesNotContain("c2VhbGVk").doesNotContain("k1");
    }

    @Test
    void aConnectionAddedListsItsFieldsAndItsSecretsByNameOnly() {
        List<Change> changes = Changes.between(null, azure("Main", null, OTHER_KEY));

        assertThat(changes).contains(new Change("connectionId", null, "c-main", false),
                new Change("containerName", null, "backups", false), Change.secret("sasToken"));
        assertThat(changes).extracting(Change::field).doesNotContain("accountId", "accessKey", "path");
        assertThat(Json.encodeToString(changes)).doesNotContain("c2VhbGVk");
    }

    @Test
    void anS3ConnectionsSecretAccessKeyIsASecretAndItsKeyIdIsNot() {
        Connection before = s3("AKIAEXAMPLE", KEY);
        Connection after = s3("AKIAOTHER", OTHER_KEY);

        assertThat(Changes.between(before, after)).containsExactly(
                Change.secret("accessKey"), new Change("s3.accessKeyId", "AKIAEXAMPLE", "AKIAOTHER", false));
    }

    @Test
    void aDeletedConnectionSaysWhatItWasWithoutItsSecret() {
        List<Change> changes = Changes.between(azure("Main", KEY, null), null);

        assertThat(changes).contains(new Change("description", "Main", null, false), Change.secret("accessKey"));
        assertThat(Json.encodeToString(changes)).doesNotContain("c2VhbGVk");
    }

    @Test
    void aChannelsUrlAndSigningSecretAreSecretsAndItsOriginIsNot() {
        Channel before = new Channel(ACCOUNT, "ch-1", ChannelKind.WEBHOOK, "Ops", "https://hooks.tenant.example", KEY,
                OTHER_KEY, ChannelFilter.ALL);
        Channel after = new Channel(ACCOUNT, "ch-1", ChannelKind.WEBHOOK, "Ops", "https://hooks.other.example", OTHER_KEY,
                KEY, ChannelFilter.FAILURES);

        assertThat(Changes.between(before, after)).containsExactly(
                new Change("origin", "https://hooks.tenant.example", "https://hooks.other.example", false),
                Change.secret("url"), Change.secret("signingSecret"), new Change("sends", "ALL", "FAILURES", false));
    }

    /** A record written later may carry a secret in the clear under a secret's name: still only its name. */
    @Test
    void aFieldNamedLikeASecretIsOneEvenInTheClearAndNestedOrInAList() {
        record Hook(String url, String label) {
        }
        record Holder(String description, Hook hook, List<Hook> more) {
        }
        Holder before = new Holder("a", new Hook("https://hooks.slack.com/services/T0/B0/secret-one", "x"),
                List.of(new Hook("https://outlook.office.com/webhook/secret-two", "y")));
        Holder after = new Holder("a", new Hook("https://hooks.slack.com/services/T0/B0/secret-three", "x"),
                List.of(new Hook("https://outlook.office.com/webhook/secret-four", "y")));

        List<Change> changes = Changes.between(before, after);

        assertThat(changes).containsExactly(Change.secret("hook.url"), Change.secret("more"));
        assertThat(Json.encodeToString(changes)).doesNotContain("secret-");
    }

    @Test
    void anAccountsDatabasePasswordIsASecretAndItsHostIsNot() {
        Account before = account("db.tenant.internal", KEY);
        Account after = account("db2.tenant.internal", OTHER_KEY);

        assertThat(Changes.between(before, after)).containsExactly(
                new Change("source.host", "db.tenant.internal", "db2.tenant.internal", false),
                Change.secret("source.password"));
    }

    @Test
    void aLongValueIsCutSoAnEntryStaysSmall() {
        BackupSettings before = new BackupSettings(ACCOUNT, BackupType.MANUAL, null, List.of(), List.of(), null);
        List<String> many = IntStream.range(0, 40).mapToObj(i -> "person" + i + "@tenant.example").toList();
        BackupSettings after = new BackupSettings(ACCOUNT, BackupType.MANUAL, null, many, List.of(), null);

        Change change = Changes.between(before, after).getFirst();

        assertThat(change.to()).hasSize(Changes.MAX_VALUE_CHARS).endsWith("…").startsWith("person0@tenant.example, ");
    }

    private static Connection azure(String description, SealedSecret key, SealedSecret sas) {
        return new Connection(ACCOUNT, "c-main", ConnectionType.AZURE_BLOB, description, "acmeblobs", "backups", "",
                key, true, null, null, sas, null, null);
    }

    private static Connection s3(String keyId, SealedSecret secret) {
        return new Connection(ACCOUNT, "c-s3", ConnectionType.S3, "Offsite", null, "acme-offsite", "daily", secret, false,
                "https://s3.eu-west-1.amazonaws.com", null, null, new S3Options("eu-west-1", keyId, true), null);
    }

    private static Account account(String host, SealedSecret password) {
        return new Account(ACCOUNT, "Société Ñandú", "es", "Europe/Madrid", List.of("ana@tenant.example"),
                new SourceDatabase(Engine.POSTGRESQL, host, 5432, "app", "backup", password));
    }
}
