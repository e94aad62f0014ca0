package io.backuprelay.blob;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.AccessTier;
import com.azure.storage.blob.models.BlobErrorCode;
import com.azure.storage.blob.models.BlobHttpHeaders;
import com.azure.storage.blob.models.BlobImmutabilityPolicy;
import com.azure.storage.blob.models.BlobImmutabilityPolicyMode;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.Block;
import com.azure.storage.blob.models.BlockListType;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlockBlobCommitBlockListOptions;
import com.azure.storage.blob.options.BlockBlobStageBlockOptions;
import com.azure.storage.blob.sas.BlobSasPermission;
import com.azure.storage.blob.sas.BlobServiceSasSignatureValues;
import com.azure.storage.common.sas.SasProtocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One connection's Azure container, in this project's terms: put, find, list, read, delete and link
 * blobs by name, and the block protocol's calls. Built once per connection (see {@link BlobAccess#store}) on a
 * client {@link BlobContainers} keeps, so the Azure SDK's clients and connection pools are shared by everything
 * that reaches the same container.
 */
public final class AzureBlobStore implements BlobStore {

    private final Key key;
    private final BlobCredential credential;
    private final BlobContainers containers;
    private final BlobContainerClient container;

    AzureBlobStore(BlobContainers containers, Key key) {
        this.key = key;
        this.credential = key.credential();
        this.containers = containers;
        this.container = containers.client(key.endpoint(), key.storageAccount(), key.container(), key.credential(),
                60, 4);
    }

    record Key(String endpoint, String storageAccount, String container, BlobCredential credential) {
    }

    @Override
    public StoredBlob put(String name, InputStream content, long sizeBytes, String sha256, Map<String, String> metadata,
                          Optional<Protection> protection) throws BlobTransferException {
        return StreamedPut.put(this, name, new StreamedPut.Content(content, sizeBytes, sha256), metadata,
                protection.orElse(null));
    }

    /** Azure's refusal in plain words, for a failure outside an upload of a connection's backup. */
    String refusal(BlobStorageException e) {
        if (e.getErrorCode() == BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY) {
            return "The blob is kept by an immutability policy or a legal hold in container '" + key.container()
                    + "' of storage account '" + key.storageAccount() + "'; it cannot be overwritten or deleted.";
        }
        return "Storage account '" + key.storageAccount() + "' refused the request to container '" + key.container()
                + "' (HTTP " + e.getStatusCode() + (e.getErrorCode() == null ? "" : ", " + e.getErrorCode()) + ").";
    }

    @Override
    public void createContainerIfMissing() {
        container.createIfNotExists();
    }

    /** The blob's properties, metadata and protection (immutability policy, legal hold); empty when there is none. */
    public Optional<StoredBlob> find(String name) {
        try {
            var properties = container.getBlobClient(name).getProperties();
            return Optional.of(new StoredBlob(name, properties.getBlobSize(), properties.getLastModified().toInstant(),
                    properties.getMetadata() == null ? Map.of() : Map.copyOf(properties.getMetadata()),
                    properties.getETag(), protection(properties.getImmutabilityPolicy(), properties.hasLegalHold())));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** The blobs whose names start with {@code prefix}, with their metadata, in name order. */
    public List<StoredBlob> list(String prefix) {
        return listing(prefix).blobs();
    }

    /** As {@link #list}, with the service's time of its last answer. */
    public Listing listing(String prefix) {
        List<StoredBlob> blobs = new ArrayList<>();
        ListBlobsOptions options = new ListBlobsOptions().setPrefix(prefix)
                .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        Instant serviceTime = null;
        for (var page : container.listBlobs(options, Duration.ofMinutes(2)).iterableByPage()) {
            String date = page.getHeaders().getValue(HttpHeaderName.DATE);
            if (date != null) {
                serviceTime = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
            }
            for (BlobItem item : page.getValue()) {
                blobs.add(new StoredBlob(item.getName(), item.getProperties().getContentLength(),
                        item.getProperties().getLastModified().toInstant(),
                        item.getMetadata() == null ? Map.of() : Map.copyOf(item.getMetadata()),
                        item.getProperties().getETag()));
            }
        }
        return new Listing(blobs, Optional.ofNullable(serviceTime));
    }

    /** The blob's bytes, streamed as they arrive. */
    public InputStream read(String name) {
        return container.getBlobClient(name).openInputStream();
    }

    /**
     * The first {@code maxBytes + 1} bytes of a small blob (a manifest); empty when there is none. A
     * longer answer than {@code maxBytes} tells the caller the blob is larger than it accepts, without
     * reading it all.
     */
    public Optional<byte[]> readSmall(String name, int maxBytes) {
        try (InputStream in = container.getBlobClient(name).openInputStream()) {
            return Optional.of(in.readNBytes(maxBytes + 1));
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A small blob (a manifest) whole; empty when there is none. */
    public Optional<byte[]> readSmall(String name) {
        try {
            return Optional.of(container.getBlobClient(name).downloadContent().toBytes());
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Writes a small blob whole, replacing one of the same name. */
    public void putSmall(String name, byte[] content, Map<String, String> metadata) {
        var blob = container.getBlobClient(name);
        blob.upload(BinaryData.fromBytes(content), true);
        if (metadata != null && !metadata.isEmpty()) {
            blob.setMetadata(metadata);
        }
    }

    /** The blob's address, without any credential. */
    public String url(String name) {
        return container.getBlobClient(name).getBlobUrl();
    }

    /** The blocks staged for {@code name} and not committed yet, by id, with their sizes. */
    public Map<String, Long> uncommittedBlocks(String name) {
        try {
            Map<String, Long> staged = new HashMap<>();
            for (Block block : container.getBlobClient(name).getBlockBlobClient()
                    .listBlocks(BlockListType.UNCOMMITTED).getUncommittedBlocks()) {
                staged.put(block.getName(), block.getSizeLong());
            }
            return staged;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 404) {
                return Map.of(); // nothing staged yet
            }
            throw e;
        }
    }

    /** How a staged block's content is checked by Azure on arrival. */
    public enum BlockChecksum {
        /** {@code x-ms-content-crc64}: CRC-64/NVME, cheap to compute. */
        CRC64,
        /** {@code Content-MD5}: the fallback for a service that does not check a CRC64. */
        MD5
    }

    /**
     * Sends one block of {@code name} with its checksum, which Azure checks. Each try of it has time
     * to send the block at a slow 1 MiB/s, and never less than a minute.
     *
     * @param checksum the block's CRC-64/NVME (eight bytes, as {@link Crc64Nvme#toBytes}) or its MD5
     * @return whether the service confirmed the checksum: for CRC64, it echoed the same value back; a
     *         service that echoes none did not check it, and the block must be sent again with its MD5.
     *         An MD5 is always checked, so it returns true.
     * @throws BlockCorruptedException when Azure found that the block's content does not match its checksum
     */
    public boolean stageBlock(String name, String blockId, byte[] buffer, int length, BlockChecksum algorithm,
                              byte[] checksum) {
        int tryTimeoutSeconds = Math.max(60, length >> 20);
        var options = new BlockBlobStageBlockOptions(blockId,
                BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, length)));
        Context context = Context.NONE;
        if (algorithm == BlockChecksum.MD5) {
            options.setContentMd5(checksum);
        } else {
            context = context.addData(BlobContainers.CRC64_KEY, Base64.getEncoder().encodeToString(checksum));
        }
        try {
            var response = containers.client(key.endpoint(), key.storageAccount(), key.container(), credential,
                            tryTimeoutSeconds, 4)
                    .getBlobClient(name).getBlockBlobClient().stageBlockWithResponse(options, null, context);
            if (algorithm == BlockChecksum.MD5) {
                return true;
            }
            String echoed = response.getHeaders().getValue(CRC64_HEADER);
            if (echoed == null) {
                return false;
            }
            if (!Arrays.equals(Base64.getDecoder().decode(echoed), checksum)) {
                throw new BlockCorruptedException(blockId, algorithm, null); // stored other bytes than we computed
            }
            return true;
        } catch (BlobStorageException e) {
            String code = String.valueOf(e.getErrorCode());
            String message = String.valueOf(e.getServiceMessage()).toLowerCase(Locale.ROOT);
            if (e.getStatusCode() == 400 && (code.equalsIgnoreCase("Md5Mismatch") || code.equalsIgnoreCase("Crc64Mismatch")
                    || message.contains("md5") || message.contains("crc64"))) {
                throw new BlockCorruptedException(blockId, algorithm, e); // the emulator answers InvalidOperation, naming the MD5
            }
            throw e;
        }
    }

    static final String CRC64_HEADER = "x-ms-content-crc64";

    /** A block Azure received with content that did not match its checksum. */
    public static final class BlockCorruptedException extends RuntimeException {

        BlockCorruptedException(String blockId, BlockChecksum algorithm, Throwable cause) {
            super("Azure found block " + blockId + " corrupted on the way (its " + algorithm + " did not match)", cause);
        }
    }

    /**
     * Discards the blocks staged for {@code name} when no blob of that name is committed: commits an
     * empty block list only if the blob does not exist (which drops every uncommitted block), then
     * deletes that empty blob only if it is still the one just made. A blob committed meanwhile by
     * anyone is left alone.
     *
     * @return whether blocks were discarded
     */
    public boolean discardUncommitted(String name) {
        var blob = container.getBlobClient(name);
        try {
            var made = blob.getBlockBlobClient().commitBlockListWithResponse(
                    new BlockBlobCommitBlockListOptions(List.of())
                            .setRequestConditions(new BlobRequestConditions()
                                    .setIfNoneMatch("*")),
                    null, Context.NONE);
            blob.deleteWithResponse(null, new BlobRequestConditions()
                    .setIfMatch(made.getValue().getETag()), null, Context.NONE);
            return true;
        } catch (BlobStorageException e) {
            if (e.getStatusCode() == 409 || e.getStatusCode() == 412 || e.getStatusCode() == 404) {
                return false; // a blob of that name exists (or just went): its commit already dropped the blocks
            }
            throw e;
        }
    }

    /**
     * Makes {@code ids}, in this order, the blob's content, with its metadata and access tier
     * ({@code HOT}, {@code COOL}, {@code COLD}, or {@code null} for the account's default), only if
     * that replaces nothing but what the caller expects: no blob at all ({@code If-None-Match: *}),
     * or the version it found ({@code If-Match}). A blob stored meanwhile by anyone else is never
     * overwritten.
     *
     * @param replacing  the ETag of the blob this commit may replace; null when no blob of that name may exist
     * @param protection the immutability policy ({@code x-ms-immutability-policy-*}) and legal hold the blob is
     *                   committed under; null for none
     * @return the committed blob; empty when the condition failed (a blob is there, or it changed), so
     *         the caller looks at what is there. A commit applied whose answer was lost, and tried again
     *         by the SDK's pipeline, also comes back empty, finding its own blob.
     */
    public Optional<StoredBlob> commitBlocks(String name, List<String> ids, Map<String, String> metadata,
                                             String accessTier, String replacing, Protection protection) {
        var blob = container.getBlobClient(name);
        var condition = new BlobRequestConditions();
        if (replacing == null) {
            condition.setIfNoneMatch("*");
        } else {
            condition.setIfMatch(replacing);
        }
        try {
            blob.getBlockBlobClient().commitBlockListWithResponse(
                    new BlockBlobCommitBlockListOptions(ids)
                            .setHeaders(new BlobHttpHeaders()
                                    .setContentType("application/octet-stream"))
                            .setMetadata(metadata)
                            .setRequestConditions(condition)
                            .setTier(accessTier == null ? null : AccessTier.fromString(
                                    accessTier.substring(0, 1).toUpperCase(Locale.ROOT)
                                            + accessTier.substring(1).toLowerCase(Locale.ROOT)))
                            .setImmutabilityPolicy(protection == null || protection.retainUntil() == null ? null
                                    : new BlobImmutabilityPolicy()
                                    .setExpiryTime(protection.retainUntil().atOffset(ZoneOffset.UTC))
                                    .setPolicyMode(protection.locked() ? BlobImmutabilityPolicyMode.LOCKED
                                            : BlobImmutabilityPolicyMode.UNLOCKED))
                            .setLegalHold(protection != null && protection.legalHold() ? Boolean.TRUE : null),
                    null, Context.NONE);
        } catch (BlobStorageException e) {
            if (e.getErrorCode() == BlobErrorCode.BLOB_ALREADY_EXISTS
                    || e.getErrorCode() == BlobErrorCode.CONDITION_NOT_MET) {
                return Optional.empty();
            }
            throw e;
        }
        return Optional.of(find(name).orElseThrow(() -> new IllegalStateException("The committed blob " + name
                + " is not there")));
    }

    /** What keeps a blob from deletion, from its properties; null when nothing does. */
    static Protection protection(BlobImmutabilityPolicy policy, Boolean legalHold) {
        OffsetDateTime until = policy == null ? null : policy.getExpiryTime();
        boolean hold = Boolean.TRUE.equals(legalHold);
        if (until == null && !hold) {
            return null;
        }
        return new Protection(until == null ? null : until.toInstant(),
                policy.getPolicyMode() == BlobImmutabilityPolicyMode.LOCKED, hold);
    }

    /**
     * @return whether there was a blob to delete
     * @throws ProtectedBlobException when Azure refuses it as immutable ({@code BlobImmutableDueToPolicy})
     */
    public boolean delete(String name) {
        try {
            return container.getBlobClient(name).deleteIfExists();
        } catch (BlobStorageException e) {
            if (e.getErrorCode() != BlobErrorCode.BLOB_IMMUTABLE_DUE_TO_POLICY) {
                throw e;
            }
            Protection protection = null;
            try {
                protection = find(name).map(StoredBlob::protection).orElse(null);
            } catch (RuntimeException unreadable) {
                e.addSuppressed(unreadable); // the refusal stands; only its date is unknown
            }
            throw new ProtectedBlobException(name, protection, e);
        }
    }

    /**
     * A link that can only read this blob, for {@code validity}: a SAS for this blob alone, signed
     * with the access key, for HTTPS only unless the endpoint itself is plain HTTP (an emulator). A
     * connection that holds a SAS token gets none: a one-blob link cannot be signed with a token, and
     * the stored token itself, which may cover the whole container for years, is never handed out.
     *
     * @return empty with the reason when no such link can be made
     */
    public Link link(String name, Duration validity) {
        if (credential.accountKey() == null) {
            return new Link(Optional.empty(), null, "the connection holds a SAS token, and a link for one blob can only"
                    + " be signed with the storage account's access key; the token itself is never handed out");
        }
        var blob = container.getBlobClient(name);
        OffsetDateTime expires = OffsetDateTime.now(ZoneOffset.UTC).plus(validity);
        BlobServiceSasSignatureValues values = new BlobServiceSasSignatureValues(expires,
                new BlobSasPermission().setReadPermission(true));
        if (blob.getBlobUrl().startsWith("https://")) {
            values.setProtocol(SasProtocol.HTTPS_ONLY); // plain HTTP only for an emulator
        }
        String sas = blob.generateSas(values);
        return new Link(Optional.of(blob.getBlobUrl() + "?" + sas), expires.toInstant(), null);
    }

}
