package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.Immutability;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.format.manifest.ManifestNames;
import io.backuprelay.testkit.S3Mock;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** {@link S3Store} against S3Mock, a real S3 stand-in run as a process, with names a tenant would give. */
class S3StoreIT {

    static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(S3Mock.origin()));
    static final BlobCredential KEY = BlobCredential.accountKey(S3Mock.SECRET_ACCESS_KEY);
    static final String FOLDER = "backups/Ünïcode \"Acme\" Corp/";
    private static final int SIZE = 20_000_000;

    private String bucket;
    private S3Store store;

    @BeforeEach
    void setUp() {
        bucket = "s3it-" + UUID.randomUUID().toString().substring(0, 8);
        S3Mock.createBucket(bucket, false);
        store = (S3Store) ACCESS.store(connection(bucket, null), KEY);
    }

    static Connection connection(String bucket, Immutability immutability) {
        return new Connection("acme", "s3-main", ConnectionType.S3, "Acme's bucket", null, bucket,
                "backups/Ünïcode \"Acme\" Corp", new SealedSecret("k1", "x"), true, S3Mock.endpoint(), null, null,
                new S3Options(S3Mock.REGION, S3Mock.ACCESS_KEY_ID, true), immutability);
    }

    @Test
    void aLargeBackupGoesUpInCheckedPartsAndComesBackWhole() throws Exception {
        byte[] content = random(SIZE);
        String name = FOLDER + "2026/12/b-1 \"full\" Ärger.dump.zst";
        List<Integer> sent = new ArrayList<>();
        store.onPartSent(sent::add);
        Map<String, String> metadata = Map.of("writtenby", "backuprelay", "accountid", "acme", "sha256", sha256(content));

        BlobStore.StoredBlob stored = store.put(name, new ByteArrayInputStream(content), SIZE, sha256(content),
                metadata, Optional.empty());

        assertThat(sent).containsExactly(1, 2, 3);
        assertThat(stored.sizeBytes()).isEqualTo(SIZE);
        assertThat(stored.metadata()).containsAllEntriesOf(metadata);
        assertThat(store.find(name)).get().satisfies(found -> {
            assertThat(found.sizeBytes()).isEqualTo(SIZE);
            assertThat(found.metadata()).containsAllEntriesOf(metadata);
            assertThat(found.etag()).isNotBlank();
        });
        BlobStore.Listing listing = store.listing(FOLDER);
        assertThat(listing.blobs()).extracting(BlobStore.StoredBlob::name).containsExactly(name);
        assertThat(listing.blobs().getFirst().metadata()).containsAllEntriesOf(metadata);
        assertThat(listing.serviceTime()).isPresent();
        try (InputStream in = store.read(name)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        BlobStore.Link link = store.link(name, Duration.ofMinutes(5));
        assertThat(link.url()).isPresent();
        assertThat(link.url().get()).doesNotContain(S3Mock.SECRET_ACCESS_KEY);
        HttpResponse<byte[]> download = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(link.url().get())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(content);
        assertThat(store.url(name)).startsWith(S3Mock.endpoint() + "/" + bucket + "/").doesNotContain("X-Amz");

        // A backup's link carries the link to the manifest beside it; fetched as is, it downloads the blob.
        byte[] manifest = "{\"backupId\":\"b-1\"}".getBytes(StandardCharsets.UTF_8);
        store.putSmall(ManifestNames.ofBlob(name), manifest, Map.of());
        String backupLink = store.backupLink(name, Duration.ofMinutes(5)).url().orElseThrow();
        ManifestLink carried = ManifestLink.parse(backupLink);
        assertThat(carried.manifestBesideTheBlob()).as(backupLink).isTrue();
        assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(backupLink)).build(),
                HttpResponse.BodyHandlers.ofByteArray()).body()).isEqualTo(content);
        HttpResponse<byte[]> manifestRead = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(carried.manifestUrl())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(manifestRead.statusCode()).isEqualTo(200);
        assertThat(manifestRead.body()).isEqualTo(manifest);
    }

    @Test
    void aManifestIsWrittenAndReadWhole() {
        String name = FOLDER + "2026/12/b-1 \"full\" Ärger.dump.zst.manifest.json";
        byte[] manifest = "{\"backupId\":\"b-1\",\"account\":\"Ünïcode \\\"Acme\\\" Corp\"}".getBytes();

        store.putSmall(name, manifest, Map.of("writtenby", "backuprelay"));

        assertThat(store.readSmall(name)).get().isEqualTo(manifest);
        assertThat(store.readSmall(name, 10)).get().satisfies(head -> assertThat(head).hasSize(11));
        assertThat(store.readSmall(FOLDER + "missing.json")).isEmpty();
        assertThat(store.find(name)).get().satisfies(f -> assertThat(f.metadata()).containsEntry("writtenby", "backuprelay"));
        assertThat(store.delete(name)).isTrue();
        assertThat(store.find(name)).isEmpty();
        assertThat(store.delete(name)).isFalse();
    }

    @Test
    void aWrongSha256IsRefusedAndLeavesNoObject() {
        byte[] content = random(SIZE);
        String name = FOLDER + "2026/12/b-2.dump.zst";

        assertThatThrownBy(() -> store.put(name, new ByteArrayInputStream(content), SIZE, sha256(random(16)), Map.of(),
                Optional.empty()))
                .isInstanceOfSatisfying(BlobTransferException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BlobTransferException.Kind.PERMANENT);
                    assertThat(e.getMessage()).contains("SHA-256").contains("nothing was stored");
                });
        assertThat(store.find(name)).isEmpty();
        assertThat(S3Mock.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    /** The first try fails while reading the second part; the next try sends the second and third parts only. */
    @Test
    void aResumedUploadSendsOnlyThePartsTheServiceLacks() throws Exception {
        byte[] content = random(SIZE);
        String name = FOLDER + "2026/12/b-3 résumé.dump.zst";
        List<Integer> sent = new ArrayList<>();
        store.onPartSent(sent::add);

        assertThatThrownBy(() -> store.put(name, failingAfter(content, 10_000_000), SIZE, sha256(content), Map.of(),
                Optional.empty()))
                .isInstanceOfSatisfying(BlobTransferException.class, e -> assertThat(e.isTransient()).isTrue());
        assertThat(sent).containsExactly(1);
        assertThat(store.find(name)).isEmpty();

        sent.clear();
        store.put(name, new ByteArrayInputStream(content), SIZE, sha256(content), Map.of(), Optional.empty());

        assertThat(sent).containsExactly(2, 3);
        try (InputStream in = store.read(name)) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        assertThat(S3Mock.client().listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
    }

    /** A changed part under the same number is sent again: the checksum tells it from the stored one. */
    @Test
    void aResumedUploadSendsAgainAPartWhoseBytesChanged() throws Exception {
        byte[] first = random(SIZE);
        String name = FOLDER + "2026/12/b-4.dump.zst";
        assertThatThrownBy(() -> store.put(name, failingAfter(first, 10_000_000), SIZE, sha256(first), Map.of(),
                Optional.empty())).isInstanceOf(BlobTransferException.class);
        byte[] other = random(SIZE);
        List<Integer> sent = new ArrayList<>();
        store.onPartSent(sent::add);

        store.put(name, new ByteArrayInputStream(other), SIZE, sha256(other), Map.of(), Optional.empty());

        assertThat(sent).containsExactly(1, 2, 3);
        try (InputStream in = store.read(name)) {
            assertThat(in.readAllBytes()).isEqualTo(other);
        }
    }

    @Test
    void theServiceRefusesAPartWhoseChecksumIsWrong() {
        byte[] part = random(1 << 20);
        String name = FOLDER + "2026/12/b-5.dump.zst";
        String upload = S3Mock.client().createMultipartUpload(b -> b.bucket(bucket).key(name)
                .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME)).uploadId();
        String wrong = S3Upload.Checksum.CRC64NVME.of(random(1 << 20), 1 << 20);

        assertThatThrownBy(() -> S3Mock.client().uploadPart(b -> b.bucket(bucket).key(name).uploadId(upload)
                        .partNumber(1).checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME).checksumCRC64NVME(wrong),
                RequestBody.fromBytes(part)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
        assertThat(S3Mock.client().uploadPart(b -> b.bucket(bucket).key(name).uploadId(upload).partNumber(1)
                        .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME)
                        .checksumCRC64NVME(S3Upload.Checksum.CRC64NVME.of(part, part.length)),
                RequestBody.fromBytes(part)).eTag()).isNotBlank();
        String wrongCrc32c = S3Upload.Checksum.CRC32C.of(random(16), 16);
        assertThatThrownBy(() -> S3Mock.client().uploadPart(b -> b.bucket(bucket).key(name).uploadId(upload)
                        .partNumber(2).checksumAlgorithm(ChecksumAlgorithm.CRC32_C).checksumCRC32C(wrongCrc32c),
                RequestBody.fromBytes(part)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    }

    @Test
    void aMissingBucketIsNamedInPlainWordsWithoutTheSecret() {
        S3Store missing = (S3Store) ACCESS.store(connection("no-such-bucket-" + bucket, null), KEY);

        assertThatThrownBy(() -> missing.put(FOLDER + "b.dump.zst", new ByteArrayInputStream(new byte[3]), 3,
                sha256(new byte[3]), Map.of(), Optional.empty()))
                .isInstanceOfSatisfying(BlobTransferException.class, e -> {
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.getMessage()).contains("does not exist").doesNotContain(S3Mock.SECRET_ACCESS_KEY);
                });
        ConnectionProbe.Result probe = ACCESS.probe(connection("no-such-bucket-" + bucket, null), KEY);
        assertThat(probe.ok()).isFalse();
        assertThat(probe.reason()).contains("does not exist").doesNotContain(S3Mock.SECRET_ACCESS_KEY);
        assertThat(ACCESS.probe(connection(bucket, null), KEY).ok()).isTrue();
        assertThat(store.list(FOLDER)).isEmpty(); // the probe object is gone
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        new Random().nextBytes(bytes);
        return bytes;
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The content, failing as a broken disk or network would after {@code limit} bytes. */
    private static InputStream failingAfter(byte[] content, int limit) {
        return new FilterInputStream(new ByteArrayInputStream(content, 0, limit)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0) {
                    throw new IOException("the backup file went away");
                }
                return n;
            }
        };
    }
}
