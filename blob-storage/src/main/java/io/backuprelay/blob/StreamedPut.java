package io.backuprelay.blob;

import com.azure.storage.blob.models.BlobStorageException;
import io.backuprelay.blob.BlobStore.Protection;
import io.backuprelay.blob.BlobStore.StoredBlob;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.nio.charset.StandardCharsets;

/**
 * {@link AzureBlobStore#put}: a stream of known size and SHA-256 into a new block blob, block by block with
 * {@link AzureBlobStore#stageBlock} (each block checked by Azure on arrival: its CRC64, or its MD5 where the
 * service does not confirm a CRC64), committed only if the bytes read have that size and SHA-256, with the
 * metadata and protection at the commit, then read back and compared.
 */
final class StreamedPut {

    /** 8 MiB blocks, larger for a stream that would need more than Azure's 50,000. */
    private static final int MIN_BLOCK = 8 << 20;
    private static final int MAX_BLOCKS = 50_000;
    /** Base64 of 24 + 8 + 16 characters. */
    private static final int ID_LENGTH = 64;

    private StreamedPut() {
    }

    record Content(InputStream stream, long sizeBytes, String sha256) {
    }

    static StoredBlob put(AzureBlobStore store, String name, Content content, Map<String, String> metadata,
                          Protection protection) throws BlobTransferException {
        try {
            List<String> ids = stage(store, name, content);
            Optional<StoredBlob> committed = store.commitBlocks(name, ids, metadata, null, null, protection);
            if (committed.isEmpty()) {
                throw BlobTransferException.occupied(store.find(name).orElseThrow(() -> new BlobTransferException(
                        "The blob " + name + " kept changing while it was written; it is tried again.",
                        BlobTransferException.Kind.TRANSIENT)));
            }
            verify(store, name, content);
            return committed.get();
        } catch (BlobStorageException e) {
            throw BlobTransferException.of(store.refusal(e), BlobErrors.isTransient(e));
        } catch (BlobStore.ProtectedBlobException e) {
            throw new BlobTransferException(e.getMessage(), BlobTransferException.Kind.PERMANENT);
        } catch (IOException e) {
            throw new BlobTransferException("The content of " + name + " could not be read: " + e.getMessage(),
                    BlobTransferException.Kind.PERMANENT);
        } catch (RuntimeException e) {
            throw BlobTransferException.of("No answer from the storage while " + name + " was written: " + e, true);
        }
    }

    private static List<String> stage(AzureBlobStore store, String name, Content content)
            throws IOException, BlobTransferException {
        int blockSize = (int) Math.max(MIN_BLOCK, -Math.floorDiv(-content.sizeBytes(), MAX_BLOCKS));
        MessageDigest sha256 = digest("SHA-256");
        // Ids name the content (what is announced, each block's index and CRC64): a block an earlier try of the
        // same content staged is there under its id, checked by Azure then, and is not sent again.
        String attempt = HexFormat.of().formatHex(digest("SHA-256").digest((name + "\n" + content.sha256()
                + "\n" + content.sizeBytes()).getBytes(StandardCharsets.UTF_8))).substring(0, 24);
        Map<String, Long> staged = store.uncommittedBlocks(name);
        if (staged.keySet().stream().anyMatch(id -> id.length() != ID_LENGTH)) {
            store.discardUncommitted(name); // Azure refuses ids of another length beside them
            staged = Map.of();
        }
        List<String> ids = new ArrayList<>();
        AzureBlobStore.BlockChecksum checksum = AzureBlobStore.BlockChecksum.CRC64;
        byte[] buffer = new byte[(int) Math.min(blockSize, Math.max(1, content.sizeBytes()))];
        long read = 0;
        int length;
        while ((length = content.stream().readNBytes(buffer, 0, buffer.length)) > 0) {
            sha256.update(buffer, 0, length);
            read += length;
            byte[] crc64 = Crc64Nvme.of(buffer, 0, length);
            String id = Base64.getEncoder().encodeToString((attempt + String.format("-%06d-", ids.size())
                    + HexFormat.of().formatHex(crc64)).getBytes(StandardCharsets.US_ASCII));
            ids.add(id);
            if (staged.getOrDefault(id, -1L) == length) {
                continue;
            }
            if (checksum == AzureBlobStore.BlockChecksum.CRC64
                    && !store.stageBlock(name, id, buffer, length, checksum, crc64)) {
                checksum = AzureBlobStore.BlockChecksum.MD5; // the service did not confirm the CRC64
            }
            if (checksum == AzureBlobStore.BlockChecksum.MD5) {
                MessageDigest md5 = digest("MD5");
                md5.update(buffer, 0, length);
                store.stageBlock(name, id, buffer, length, checksum, md5.digest());
            }
        }
        String sent = HexFormat.of().formatHex(sha256.digest());
        if (read != content.sizeBytes() || !sent.equalsIgnoreCase(content.sha256())) {
            throw new BlobTransferException("The content for " + name + " has SHA-256 " + sent + " over " + read
                    + " bytes, not the " + content.sha256() + " over " + content.sizeBytes() + " announced. It was not"
                    + " committed.", BlobTransferException.Kind.ARCHIVE_CHANGED);
        }
        return ids;
    }

    /** Reads the committed blob back; one that differs is deleted, if its protection lets it go. */
    private static void verify(AzureBlobStore store, String name, Content content)
            throws IOException, BlobTransferException {
        BlobStore.ReadBack back = store.readBack(name);
        if (back.is(content.sizeBytes(), content.sha256())) {
            return;
        }
        long size = back.sizeBytes();
        String read = back.sha256();
        String fate;
        try {
            store.delete(name);
            fate = "it was deleted";
        } catch (BlobStore.ProtectedBlobException e) {
            fate = "it could not be deleted: " + e.getMessage();
        }
        throw new BlobTransferException("The blob " + name + " read back has SHA-256 " + read + " over " + size
                + " bytes, not the " + content.sha256() + " over " + content.sizeBytes() + " written; " + fate + ".",
                BlobTransferException.Kind.PERMANENT);
    }

    private static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
