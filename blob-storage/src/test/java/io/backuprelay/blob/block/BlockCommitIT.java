package io.backuprelay.blob.block;

import io.backuprelay.blob.BlobTransferException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.BlobServiceClientBuilder;
import io.backuprelay.blob.BlobCredential;
import io.backuprelay.blob.BlobTarget;
import io.backuprelay.blob.BlobAccess;
import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.secret.SealedSecret;
import io.backuprelay.testkit.Azurite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commit overwrites no blob found under its name: what the caller's rule says of it decides. */
class BlockCommitIT {

    /** The emulator's origin is the only one allowed beyond Azure's hosts. */
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing(Azurite.origin()));

    private static final String BLOB = "acme/someone-else.dump.zst";
    private static final String THEIRS = "someone else's export";

    @TempDir
    Path staging;

    private BlobContainerClient container;
    private BlobTarget target;
    private ArchiveFile archive;

    @BeforeEach
    void setUp() throws Exception {
        container = new BlobServiceClientBuilder().connectionString(Azurite.connectionString()).buildClient()
                .createBlobContainerIfNotExists("occupant-" + UUID.randomUUID().toString().substring(0, 8));
        Connection connection = new Connection("acme", "main", ConnectionType.AZURE_BLOB, "d", Azurite.ACCOUNT_NAME,
                container.getBlobContainerName(), "", new SealedSecret("k1", "unused"), true, Azurite.blobEndpoint(),
                null, null, null, null);
        target = new BlobTarget(connection, BlobCredential.accountKey(Azurite.ACCOUNT_KEY), BLOB);
        byte[] content = new byte[300_000];
        new Random(5).nextBytes(content);
        Path file = Files.write(staging.resolve("b.1a2b3c4d.archive"), content);
        archive = new ArchiveFile("b", file, content.length,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)), Map.of("backupid", "b"));
        container.getBlobClient(BLOB).upload(BinaryData.fromString(THEIRS));
    }

    @Test
    void aBlobTheRuleKeepsIsNeverOverwrittenAndTheFailureCarriesIt() {
        assertThatThrownBy(() -> new BlobUploader(ACCESS, 2).upload(target, archive, found -> Occupant.KEPT))
                .isInstanceOfSatisfying(BlobTransferException.class, e -> {
                    assertThat(e.kind()).isEqualTo(BlobTransferException.Kind.OCCUPIED);
                    assertThat(e.isTransient()).isFalse();
                    assertThat(e.occupant()).hasValueSatisfying(kept -> {
                        assertThat(kept.name()).isEqualTo(BLOB);
                        assertThat(kept.sizeBytes()).isEqualTo(THEIRS.length());
                    });
                });
        assertThat(container.getBlobClient(BLOB).downloadContent().toString()).isEqualTo(THEIRS);
    }

    @Test
    void aBlobTheRuleTakesForThisArchiveIsTheCommittedOneAndIsNotWrittenAgain() throws Exception {
        String etag = container.getBlobClient(BLOB).getProperties().getETag();

        UploadedBlob blob = new BlobUploader(ACCESS, 2).upload(target, archive, found -> Occupant.THIS_ARCHIVE);

        assertThat(blob.size()).isEqualTo(THEIRS.length());
        assertThat(container.getBlobClient(BLOB).getProperties().getETag()).isEqualTo(etag);
    }
}
