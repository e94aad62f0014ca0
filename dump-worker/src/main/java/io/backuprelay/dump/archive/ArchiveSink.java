package io.backuprelay.dump.archive;

import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.manifest.ManifestNames;
import com.exceptionfactory.jagged.RecipientStanzaWriter;
import com.exceptionfactory.jagged.framework.stream.StandardEncryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import com.github.luben.zstd.ZstdOutputStream;
import io.backuprelay.common.PrivateFiles;
import io.backuprelay.database.ArchiveListing;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Streams a dump tool's output through compression (zstd, or gzip level 1), optional age
 * encryption to X25519 recipients (chunked, so memory stays constant) and SHA-256 into a staging
 * file. The file is written under a temporary name and renamed only when complete, so a staging
 * file with a final name is always whole. Everything it writes opens with the standard tools:
 * {@code age -d}, {@code zstd -d} or {@code gunzip}.
 */
public final class ArchiveSink {

    private static final int BUFFER_BYTES = 1 << 20;
    private static final String ARCHIVE = ManifestNames.STAGING_ARCHIVE_SUFFIX;
    private static final String PARTIAL = ".partial";

    private final Path stagingDir;
    private final Compression compression;
    private final int zstdLevel;
    private final int zstdWorkers;
    /** The instance that writes the partial files, in their names; null when nobody else shares the directory. */
    private final String owner;

    public ArchiveSink(Path stagingDir, Compression compression, int zstdLevel, int zstdWorkers) {
        this(stagingDir, compression, zstdLevel, zstdWorkers, null);
    }

    /**
     * @param owner the worker instance's id: its partial files carry it, so that the instance, when it
     *              starts again after a crash, removes what its predecessor left half-written
     *              ({@link #removeOwnPartials}) and nothing of the other instances sharing staging
     */
    public ArchiveSink(Path stagingDir, Compression compression, int zstdLevel, int zstdWorkers, String owner) {
        if (compression == Compression.NONE) {
            throw new IllegalArgumentException("An archive is always compressed: " + Compression.ZSTD + " or " + Compression.GZIP);
        }
        this.stagingDir = stagingDir;
        this.compression = compression;
        this.zstdLevel = zstdLevel;
        this.zstdWorkers = zstdWorkers;
        this.owner = owner == null ? null : owner.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    public ArchiveSink(Path stagingDir, int zstdLevel) {
        this(stagingDir, Compression.ZSTD, zstdLevel, 0);
    }

    public Path stagingDir() {
        return stagingDir;
    }

    /**
     * A temporary file of its own for one attempt, {@code {backupId}.{attempt token}.{owner}.archive.partial};
     * {@link #complete} renames it to {@code {backupId}.{attempt token}.archive}. Each attempt of a
     * backup has its own final file too, so a re-dump never touches an archive an upload may be reading.
     */
    public Path newPartialFile(String backupId) throws IOException {
        PrivateFiles.directory(stagingDir);
        return stagingDir.resolve(backupId + "." + UUID.randomUUID().toString().substring(0, 8)
                + (owner == null ? "" : "." + owner) + ARCHIVE + PARTIAL);
    }

    /**
     * Removes the partial files of this sink's owner: called when the worker instance starts, when no
     * dump of its own runs yet, so whatever carries its name was left by its predecessor's crash.
     *
     * @return how many it removed
     */
    public int removeOwnPartials() throws IOException {
        if (owner == null || !Files.isDirectory(stagingDir)) {
            return 0;
        }
        String suffix = "." + owner + ARCHIVE + PARTIAL;
        int removed = 0;
        try (Stream<Path> files = Files.list(stagingDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(suffix)).toList()) {
                if (Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Copies {@code dump} into {@code partial}, compressed and, with recipients, encrypted.
     *
     * @param progress counts the dump's bytes as they are read, for progress reports and stall detection
     * @param listing  shown the plain dump as it passes
     */
    public WrittenArchive write(InputStream dump, Path partial, List<String> recipients, AtomicLong progress,
                                ArchiveListing listing) throws IOException {
        MessageDigest sha256 = sha256();
        try (OutputStream file = PrivateFiles.create(partial);
             DigestOutputStream digest = new DigestOutputStream(new BufferedOutputStream(file, BUFFER_BYTES), sha256);
             OutputStream encrypted = recipients.isEmpty() ? nonClosing(digest) : encrypting(digest, recipients);
             OutputStream compressed = compressing(encrypted)) {
            byte[] buffer = new byte[BUFFER_BYTES];
            int read;
            while ((read = dump.read(buffer)) >= 0) {
                compressed.write(buffer, 0, read);
                listing.accept(buffer, 0, read);
                progress.addAndGet(read);
            }
        }
        return new WrittenArchive(progress.get(), Files.size(partial), HexFormat.of().formatHex(sha256.digest()),
                compression, Encryption.forRecipients(recipients));
    }

    /** The name {@link #complete} gives a partial file: {@code {backupId}.{attempt token}.archive}. */
    public String completeName(Path partial) {
        String name = partial.getFileName().toString();
        String archive = name.substring(0, name.length() - PARTIAL.length());
        if (owner != null) {
            archive = archive.substring(0, archive.length() - ("." + owner + ARCHIVE).length()) + ARCHIVE;
        }
        return archive;
    }

    /** How this sink compresses what it writes. */
    public Compression compression() {
        return compression;
    }

    /** Gives the partial file its final name. */
    public ArchiveFile complete(Path partial, String backupId, WrittenArchive written) throws IOException {
        Path target = stagingDir.resolve(completeName(partial));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
        return new ArchiveFile(target, written.archiveBytes(), written.sha256(), written.compression(),
                written.encryption());
    }

    /** What {@link #write} produced. */
    public record WrittenArchive(long dumpBytes, long archiveBytes, String sha256, Compression compression,
                                 Encryption encryption) {
    }

    private OutputStream compressing(OutputStream out) throws IOException {
        return switch (compression) {
            case ZSTD -> {
                ZstdOutputStream zstd = new ZstdOutputStream(out, zstdLevel);
                if (zstdWorkers > 0) {
                    zstd.setWorkers(zstdWorkers);
                }
                yield zstd;
            }
            case GZIP -> new GZIPOutputStream(out, BUFFER_BYTES) {
                {
                    def.setLevel(Deflater.BEST_SPEED);
                }
            };
            case NONE -> throw new IllegalStateException("An archive is always compressed");
        };
    }

    private static OutputStream encrypting(OutputStream out, List<String> recipients) throws IOException {
        try {
            List<RecipientStanzaWriter> writers = new ArrayList<>();
            for (String recipient : recipients) {
                writers.add(X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(recipient));
            }
            return Channels.newOutputStream(new StandardEncryptingChannelFactory()
                    .newEncryptingChannel(Channels.newChannel(nonClosing(out)), writers));
        } catch (GeneralSecurityException e) {
            throw new IOException("Cannot encrypt to the recipients " + recipients + ": " + e.getMessage(), e);
        }
    }

    /** The outer try closes the file itself; inner layers must only flush into it. */
    private static OutputStream nonClosing(OutputStream out) {
        return new FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                out.flush();
            }
        };
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
