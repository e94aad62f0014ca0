package io.backuprelay.blob;

import static io.backuprelay.blob.S3StoreIT.FOLDER;
import static io.backuprelay.blob.S3StoreIT.random;
import static io.backuprelay.blob.S3StoreIT.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.backuprelay.blob.retention.RetentionSweep;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.Retention;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.LockingS3;
import io.backuprelay.testkit.S3Mock;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.ObjectLockLegalHoldStatus;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * An immutable backup on S3 cannot be deleted before its date, neither by retention nor by the platform's own key,
 * against S3Mock behind {@link LockingS3}: S3Mock stores Object Lock but does not enforce it, the stand-in refuses
 * deletes as AWS documents (403 AccessDenied). What the stand-in imitates is in its Javadoc; none of it ran on AWS.
 */
class S3ObjectLockEnforcedIT {

    private static final LockingS3 LOCK = LockingS3.start();
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(LOCK.origin()));
    private static final BlobCredential KEY = BlobCredential.accountKey(S3Mock.SECRET_ACCESS_KEY);
    /** The platform's own key, as the store uses it, through the stand-in. */
    private static final S3Client PLATFORM = S3Client.builder().endpointOverride(URI.create(LOCK.endpoint()))
            .region(Region.of(S3Mock.REGION)).forcePathStyle(true).httpClient(ApacheHttpClient.create())
            .credentialsProvider(StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(S3Mock.ACCESS_KEY_ID, S3Mock.SECRET_ACCESS_KEY))).build();
    private static final String NAME = FOLDER + "2026/12/b-1 \"Grüße\" l'été ÄÖÜ.dump.zst";

    private String bucket;
    private BlobStore store;

    @BeforeEach
    void lockedBucket() {
        bucket = "s3enf-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(bucket, true);
        // AWS turns versioning on with Object Lock; S3Mock does not, so the test does
        S3Mock.client().putBucketVersioning(b -> b.bucket(bucket)
                .versioningConfiguration(v -> v.status(BucketVersioningStatus.ENABLED)));
        store = ACCESS.store(new Connection("acme", "s3-locked", ConnectionType.S3, "Acme's locked bucket", null,
                bucket, "backups/Ünïcode \"Acme\" Corp", new SealedSecret("k1", "x"), true, LOCK.endpoint(), null,
                null, new S3Options(S3Mock.REGION, S3Mock.ACCESS_KEY_ID, true), null), KEY);
    }

    @AfterAll
    static void stop() {
        PLATFORM.close();
        LOCK.close();
    }

    @Test
    void retentionKeepsALockedBackupSayingUntilWhenAndThePlatformKeyCannotDeleteItsVersion() throws Exception {
        Instant now = Instant.now();
        Instant until = now.plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        byte[] content = put(NAME, "b-old", now.minus(Duration.ofDays(2)), new BlobStore.Protection(until, true, false));
        store.putSmall(FOLDER + "2026/12/b-2.dump.zst", random(100), Map.of("writtenby", "backuprelay",
                "accountid", "acme", "backupid", "b-new", "requestedat", now.toString()));
        String version = versionOf(NAME);

        RetentionSweep.Sweep sweep = RetentionSweep.apply(store, FOLDER, "acme", new Retention(1, null), "b-new", now);

        assertThat(sweep.deleted()).isEmpty();
        assertThat(sweep.kept()).singleElement().satisfies(kept -> {
            assertThat(kept.blobName()).isEqualTo(NAME);
            assertThat(kept.until()).contains(until);
        });
        int before = LOCK.refusals();
        assertThatThrownBy(() -> PLATFORM.deleteObject(b -> b.bucket(bucket).key(NAME).versionId(version)))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                });
        assertThat(LOCK.refusals()).isEqualTo(before + 1);
        assertThat(store.readSmall(NAME)).get().isEqualTo(content);

        PLATFORM.deleteObject(b -> b.bucket(bucket).key(NAME)); // only a delete marker on a versioned bucket

        assertThat(store.find(NAME)).isEmpty();
        assertThat(PLATFORM.getObjectAsBytes(b -> b.bucket(bucket).key(NAME).versionId(version)).asByteArray())
                .isEqualTo(content);
    }

    @Test
    void aNewerVersionOverALockedOneLeavesItAndTheStoreReportsTheServicesRefusalAsProtected() throws Exception {
        Instant until = Instant.now().plus(Duration.ofDays(1)).truncatedTo(ChronoUnit.SECONDS);
        byte[] content = put(NAME, "b-1", Instant.now(), new BlobStore.Protection(until, true, false));
        String locked = versionOf(NAME);
        PLATFORM.putObject(b -> b.bucket(bucket).key(NAME), RequestBody.fromString("overwritten"));

        // the current version has no lock, so the store tries every version and the service refuses the locked one
        assertThatThrownBy(() -> store.delete(NAME)).isInstanceOf(BlobStore.ProtectedBlobException.class)
                .hasCauseInstanceOf(S3Exception.class);

        assertThat(PLATFORM.getObjectAsBytes(b -> b.bucket(bucket).key(NAME).versionId(locked)).asByteArray())
                .isEqualTo(content);
    }

    @Test
    void aGovernanceLockGivesWayOnlyToTheBypassHeader() throws Exception {
        put(NAME, "b-1", Instant.now(), new BlobStore.Protection(Instant.now().plus(Duration.ofDays(1)), false, false));
        String version = versionOf(NAME);

        assertThatThrownBy(() -> store.delete(NAME)).isInstanceOf(BlobStore.ProtectedBlobException.class);
        assertThat(refusedStatus(version, false)).isEqualTo(403);
        PLATFORM.deleteObject(b -> b.bucket(bucket).key(NAME).versionId(version).bypassGovernanceRetention(true));

        assertThatThrownBy(() -> PLATFORM.headObject(b -> b.bucket(bucket).key(NAME).versionId(version)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void aLegalHoldRefusesEvenTheBypassHeaderUntilItIsLifted() throws Exception {
        byte[] content = put(NAME, "b-1", Instant.now(), new BlobStore.Protection(null, false, true));
        String version = versionOf(NAME);

        assertThat(refusedStatus(version, false)).isEqualTo(403);
        assertThat(refusedStatus(version, true)).isEqualTo(403);
        assertThat(store.readSmall(NAME)).get().isEqualTo(content);
        PLATFORM.putObjectLegalHold(b -> b.bucket(bucket).key(NAME).versionId(version)
                .legalHold(h -> h.status(ObjectLockLegalHoldStatus.OFF)));

        assertThat(store.delete(NAME)).isTrue();
        assertThat(store.find(NAME)).isEmpty();
    }

    @Test
    void onceItsDateHasPassedALockedBackupIsDeleted() throws Exception {
        Instant until = Instant.now().plusSeconds(4);
        put(NAME, "b-1", Instant.now(), new BlobStore.Protection(until, true, false));
        String version = versionOf(NAME);
        assertThat(refusedStatus(version, true)).isEqualTo(403);

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .ignoreException(BlobStore.ProtectedBlobException.class)
                .untilAsserted(() -> assertThat(store.delete(NAME)).isTrue());

        assertThat(Instant.now()).isAfter(until);
        assertThatThrownBy(() -> PLATFORM.headObject(b -> b.bucket(bucket).key(NAME).versionId(version)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
    }

    @Test
    void aMultiDeleteDeletesTheFreeBackupAndReportsTheLockedOneAsAccessDenied() throws Exception {
        put(NAME, "b-1", Instant.now(), new BlobStore.Protection(Instant.now().plus(Duration.ofDays(1)), true, false));
        String free = FOLDER + "2026/12/b-2 \"free\" Ærø.dump.zst";
        store.putSmall(free, random(100), Map.of());
        String lockedVersion = versionOf(NAME);
        String freeVersion = versionOf(free);

        var result = PLATFORM.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(
                o -> o.key(NAME).versionId(lockedVersion), o -> o.key(free).versionId(freeVersion))));

        assertThat(result.errors()).singleElement().satisfies(error -> {
            assertThat(error.key()).isEqualTo(NAME);
            assertThat(error.code()).isEqualTo("AccessDenied");
        });
        assertThat(store.find(NAME)).isPresent();
        assertThat(store.find(free)).isEmpty();
    }

    private byte[] put(String name, String backupId, Instant requestedAt, BlobStore.Protection protection)
            throws BlobTransferException {
        byte[] content = random(3000);
        store.put(name, new ByteArrayInputStream(content), content.length, sha256(content), Map.of("writtenby",
                "backuprelay", "accountid", "acme", "backupid", backupId, "requestedat", requestedAt.toString()),
                Optional.of(protection));
        return content;
    }

    /** The current version of a key, as the platform's key lists it. */
    private String versionOf(String name) {
        return PLATFORM.listObjectVersions(b -> b.bucket(bucket).prefix(name)).versions().stream()
                .filter(v -> v.key().equals(name) && v.isLatest()).findFirst().orElseThrow().versionId();
    }

    /** The status of the platform key's delete of that version: 204 when it went through. */
    private int refusedStatus(String version, boolean bypass) {
        try {
            return PLATFORM.deleteObject(b -> b.bucket(bucket).key(NAME).versionId(version)
                    .bypassGovernanceRetention(bypass)).sdkHttpResponse().statusCode();
        } catch (S3Exception e) {
            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
            return e.statusCode();
        }
    }
}
