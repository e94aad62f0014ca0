package io.backuprelay.blob;

import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import io.backuprelay.common.account.Connection;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/** Read-only links to one blob, for a person to download a backup from an email. */
public final class BlobLinks {

    private BlobLinks() {
    }

    /**
     * A link that can read this one blob until it expires; empty when the connection signs in with a
     * SAS token, which cannot sign another.
     */
    public static Optional<String> readOnly(Connection connection, BlobCredential credential, String blobName,
                                            Duration validity) {
        if (credential.accountKey() == null) {
            return Optional.empty();
        }
        var blob = BlobContainers.client(connection, credential, 20, 2).getBlobClient(blobName);
        String sas = blob.generateSas(new BlobServiceSasSignatureValues(
                OffsetDateTime.now(ZoneOffset.UTC).plus(validity), new BlobSasPermission().setReadPermission(true)));
        return Optional.of(blob.getBlobUrl() + "?" + sas);
    }
}
