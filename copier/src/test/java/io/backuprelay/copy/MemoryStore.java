package io.backuprelay.copy;

import io.backuprelay.blob.BlobStore;
import io.backuprelay.blob.BlobTransferException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A store in memory, for the copy logic's unit tests: it can be down (every call fails as an unreachable
 * service does), and counts the blobs it was sent. End-to-end tests use Azurite and S3Mock.
 */
final class MemoryStore implements BlobStore {

    record Blob(byte[] bytes, Map<String, String> metadata, Protection protection) {
    }

    final Map<String, Blob> blobs = new ConcurrentSkipListMap<>();
    final AtomicInteger puts = new AtomicInteger();
    volatile boolean down;
    volatile boolean corruptOnArrival;
    private final Clock clock;

    MemoryStore(Clock clock) {
        this.clock = clock;
    }

    private void reachable() {
        if (down) {
            throw new UncheckedIOException(new IOException("Connection refused"));
        }
    }

    @Override
    public void createContainerIfMissing() {
    }

    @Override
    public Optional<StoredBlob> find(String name) {
        reachable();
        Blob blob = blobs.get(name);
        return blob == null ? Optional.empty() : Optional.of(new StoredBlob(name, blob.bytes().length, Instant.EPOCH,
                blob.metadata(), null, blob.protection()));
    }

    @Override
    public Listing listing(String prefix) {
        reachable();
        return new Listing(blobs.keySet().stream().filter(n -> n.startsWith(prefix)).map(n -> find(n).orElseThrow())
                .toList(), Optional.empty());
    }

    @Override
    public InputStream read(String name) {
        reachable();
        return new ByteArrayInputStream(blobs.get(name).bytes());
    }

    @Override
    public Optional<byte[]> readSmall(String name, int maxBytes) {
        return readSmall(name);
    }

    @Override
    public Optional<byte[]> readSmall(String name) {
        reachable();
        return Optional.ofNullable(blobs.get(name)).map(Blob::bytes);
    }

    @Override
    public void putSmall(String name, byte[] content, Map<String, String> metadata) {
        reachable();
        blobs.put(name, new Blob(content, metadata == null ? Map.of() : metadata, null));
    }

    @Override
    public StoredBlob put(String name, InputStream content, long sizeBytes, String sha256, Map<String, String> metadata,
                          Optional<Protection> protection) throws BlobTransferException {
        if (down) {
            throw BlobTransferException.of("the copy destination is unreachable", true);
        }
        try {
            byte[] bytes = content.readAllBytes();
            if (corruptOnArrival && bytes.length > 0) {
                bytes[0] ^= 1;
            }
            puts.incrementAndGet();
            if (!sha(bytes).equals(sha256) || bytes.length != sizeBytes) {
                throw BlobTransferException.of("read back with another SHA-256", false);
            }
            blobs.put(name, new Blob(bytes, metadata, protection.orElse(null)));
            return find(name).orElseThrow();
        } catch (IOException e) {
            throw BlobTransferException.of(e.getMessage(), true);
        }
    }

    @Override
    public String url(String name) {
        return "memory://" + name;
    }

    @Override
    public boolean delete(String name) {
        reachable();
        Blob blob = blobs.get(name);
        if (blob != null && blob.protection() != null && blob.protection().keeps(clock.instant())) {
            throw new ProtectedBlobException(name, blob.protection(), null);
        }
        return blobs.remove(name) != null;
    }

    @Override
    public Link link(String name, Duration validity) {
        return new Link(Optional.empty(), null, "memory");
    }

    static String sha(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    List<String> names() {
        return List.copyOf(blobs.keySet());
    }
}
