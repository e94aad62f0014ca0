package io.backuprelay.blob;

import static io.backuprelay.blob.S3StoreIT.ACCESS;
import static io.backuprelay.blob.S3StoreIT.FOLDER;
import static io.backuprelay.blob.S3StoreIT.KEY;
import static io.backuprelay.blob.S3StoreIT.connection;
import static io.backuprelay.blob.S3StoreIT.random;
import static io.backuprelay.blob.S3StoreIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.blob.retention.RetentionSweep;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.Retention;
import io.backuprelay.testkit.S3Mock;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.model.ObjectLockRetentionMode;

/**
 * Object Lock and retention on S3, against S3Mock. S3Mock 4.11.0 keeps a retention set on an object of a bucket
 * made with Object Lock, but never refuses a delete itself (nor shows the lock in HEAD): what is proved here is
 * that the store asks for the lock, that the service holds it, and that the store refuses the delete.
 */
class S3ObjectLockIT {

    @Test
    void aBackupKeptInComplianceModeIsNeitherDeletedNorLostWhenDeletionIsAsked() throws Exception {
        String bucket = "s3lock-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(bucket, true);
        BlobStore store = ACCESS.store(connection(bucket, new Immutability(1, Immutability.Mode.LOCKED, false)), KEY);
        byte[] content = random(12_000_000);
        String name = FOLDER + "2026/12/b-locked \"full\".dump.zst";
        Instant until = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);

        store.put(name, new ByteArrayInputStream(content), content.length, sha256(content),
                Map.of("writtenby", "backuprelay"), Optional.of(new BlobStore.Protection(until, true, false)));

        var retention = S3Mock.client().getObjectRetention(b -> b.bucket(bucket).key(name)).retention();
        assertThat(retention.mode()).isEqualTo(ObjectLockRetentionMode.COMPLIANCE);
        assertThat(retention.retainUntilDate()).isEqualTo(until);
        assertThatThrownBy(() -> store.delete(name))
                .isInstanceOfSatisfying(BlobStore.ProtectedBlobException.class, e -> {
                    assertThat(e.protection()).get().satisfies(p -> {
                        assertThat(p.locked()).isTrue();
                        assertThat(p.retainUntil()).isEqualTo(until);
                    });
                    assertThat(e.getMessage()).contains(until.toString());
                });
        try (InputStream in = store.read(name)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
    }

    @Test
    void aLegalHoldKeepsASmallBackupToo() {
        String bucket = "s3hold-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(bucket, true);
        BlobStore store = ACCESS.store(connection(bucket, null), KEY);
        byte[] content = random(1000);
        String name = FOLDER + "2026/12/b-held.dump.zst";

        assertThat(catching(() -> store.put(name, new ByteArrayInputStream(content), content.length, sha256(content),
                Map.of(), Optional.of(new BlobStore.Protection(null, false, true))))).isNull();

        assertThatThrownBy(() -> store.delete(name)).isInstanceOf(BlobStore.ProtectedBlobException.class)
                .hasMessageContaining("legal hold");
        assertThat(store.find(name)).isPresent();
    }

    @Test
    void theProbeSaysWhetherTheBucketCanKeepBackupsImmutable() {
        String locked = "s3probe-" + UUID.randomUUID().toString().substring(0, 8);
        String plain = "s3plain-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(locked, true);
        S3Mock.createBucket(plain, false);
        Immutability asked = new Immutability(30, Immutability.Mode.UNLOCKED, false);

        ConnectionProbe.Result withLock = ACCESS.probe(connection(locked, asked), KEY);
        ConnectionProbe.Result withoutLock = ACCESS.probe(connection(plain, asked), KEY);
        ConnectionProbe.Result notAsked = ACCESS.probe(connection(plain, null), KEY);

        assertThat(withLock.ok()).isTrue();
        assertThat(withLock.immutability()).contains("Object Lock is enabled").contains(locked);
        assertThat(withoutLock.ok()).isTrue();
        assertThat(withoutLock.immutability()).contains("Object Lock is not enabled").contains(plain);
        assertThat(notAsked.immutability()).isNull();
    }

    @Test
    void retentionDeletesTheOldestBackupsBeyondKeepLastFromABucketAndKeepsALockedOneSayingUntilWhen() {
        String bucket = "s3ret-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(bucket, true);
        BlobStore store = ACCESS.store(connection(bucket, null), KEY);
        Instant now = Instant.now();
        for (int days : List.of(4, 3, 2, 0)) {
            String name = FOLDER + "2026/12/b-" + days + "d \"nightly\".dump.zst";
            store.putSmall(name, random(100), Map.of("writtenby", "backuprelay", "accountid", "acme",
                    "backupid", "b-" + days + "d", "requestedat", now.minus(Duration.ofDays(days)).toString()));
            store.putSmall(name + ".manifest.json", "{}".getBytes(), Map.of());
        }
        store.putSmall(FOLDER + "notes from another tool.txt", random(10), Map.of());
        String locked = FOLDER + "2026/12/b-5d \"nightly\".dump.zst";
        store.putSmall(locked, random(100), Map.of("writtenby", "backuprelay", "accountid", "acme",
                "backupid", "b-5d", "requestedat", now.minus(Duration.ofDays(5)).toString()));
        Instant until = now.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        S3Mock.client().putObjectRetention(r -> r.bucket(bucket).key(locked).retention(l -> l
                .mode(ObjectLockRetentionMode.COMPLIANCE).retainUntilDate(until)));

        RetentionSweep.Sweep sweep = RetentionSweep.apply(store, FOLDER, "acme", new Retention(2, null), "b-0d", now);

        assertThat(sweep.deleted()).containsExactlyInAnyOrder(FOLDER + "2026/12/b-4d \"nightly\".dump.zst",
                FOLDER + "2026/12/b-3d \"nightly\".dump.zst");
        assertThat(sweep.kept()).singleElement().satisfies(kept -> {
            assertThat(kept.blobName()).isEqualTo(locked);
            assertThat(kept.until()).contains(until);
            assertThat(kept.reason()).contains("kept by policy until");
        });
        assertThat(store.list(FOLDER)).extracting(BlobStore.StoredBlob::name).containsExactly(
                FOLDER + "2026/12/b-0d \"nightly\".dump.zst", FOLDER + "2026/12/b-0d \"nightly\".dump.zst.manifest.json",
                FOLDER + "2026/12/b-2d \"nightly\".dump.zst", FOLDER + "2026/12/b-2d \"nightly\".dump.zst.manifest.json",
                locked, FOLDER + "notes from another tool.txt");
    }

    private static Exception catching(Put put) {
        try {
            put.run();
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    private interface Put {
        void run() throws Exception;
    }
}
