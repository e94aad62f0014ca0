package io.backuprelay.format.reader;

import com.exceptionfactory.jagged.RecipientStanzaReader;
import com.exceptionfactory.jagged.framework.stream.StandardDecryptingChannelFactory;
import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaReaderFactory;
import com.github.luben.zstd.ZstdInputStream;
import io.backuprelay.format.BackupFormatException;
import io.backuprelay.format.archive.Compression;
import io.backuprelay.format.archive.Encryption;
import io.backuprelay.format.manifest.BackupManifest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * The archive as it comes from the blob, hashed (SHA-256 of the bytes as stored, which the manifest
 * names), counted for the progress line, decrypted with the age identity when it is encrypted, and
 * decompressed: what comes out is the plain dump.
 */
public final class ArchiveStream {

    private final MessageDigest sha256;
    private final AtomicLong bytesRead;
    private final InputStream plain;
    private final InputStream raw;

    private ArchiveStream(InputStream raw, MessageDigest sha256, AtomicLong bytesRead, InputStream plain) {
        this.raw = raw;
        this.sha256 = sha256;
        this.bytesRead = bytesRead;
        this.plain = plain;
    }

    /** The blob as stored, hashed and counted: {@link #plain} gives its bytes undecrypted and undecompressed. */
    public static ArchiveStream hashing(InputStream blob) {
        MessageDigest sha256 = sha256();
        AtomicLong counted = new AtomicLong();
        InputStream hashed = hashed(blob, sha256, counted);
        return new ArchiveStream(hashed, sha256, counted, hashed);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static InputStream hashed(InputStream blob, MessageDigest sha256, AtomicLong counted) {
        return new DigestInputStream(new FilterInputStream(blob) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    counted.addAndGet(n);
                }
                return n;
            }
        }, sha256);
    }

    /** The blob as the plain dump: decrypted with the age identity when the manifest says so, and decompressed. */
    public static ArchiveStream open(InputStream blob, BackupManifest manifest, Path identity) throws IOException {
        return open(blob, manifest.compression(), manifest.encryption(), identity);
    }

    /**
     * The blob as the plain dump: decrypted with the age identity when it is encrypted, and decompressed.
     *
     * @param identity a file holding the age private key (lines starting with {@code AGE-SECRET-KEY-});
     *                 needed only when the archive is encrypted
     * @throws BackupFormatException when the archive is encrypted and the identity is missing or cannot open it
     */
    public static ArchiveStream open(InputStream blob, Compression compression, Encryption encryption, Path identity)
            throws IOException {
        MessageDigest sha256 = sha256();
        AtomicLong counted = new AtomicLong();
        InputStream hashed = hashed(blob, sha256, counted);
        InputStream compressed = encryption.encrypted() ? decrypting(hashed, identity) : hashed;
        InputStream plain = switch (compression) {
            case ZSTD -> new ZstdInputStream(compressed);
            case GZIP -> new GZIPInputStream(compressed, 1 << 16);
            case NONE -> compressed;
        };
        return new ArchiveStream(hashed, sha256, counted, plain);
    }

    private static InputStream decrypting(InputStream in, Path identity) throws IOException {
        if (identity == null) {
            throw new BackupFormatException("The backup is encrypted with age: give the private key with --identity key.txt");
        }
        List<String> keys = Files.readAllLines(identity).stream().map(String::strip)
                .filter(line -> line.startsWith("AGE-SECRET-KEY-")).toList();
        if (keys.isEmpty()) {
            throw new BackupFormatException(identity + " holds no age private key (a line starting with AGE-SECRET-KEY-)");
        }
        try {
            List<RecipientStanzaReader> readers = new ArrayList<>();
            for (String key : keys) {
                readers.add(X25519RecipientStanzaReaderFactory.newRecipientStanzaReader(key));
            }
            return Channels.newInputStream(new StandardDecryptingChannelFactory()
                    .newDecryptingChannel(Channels.newChannel(in), readers));
        } catch (GeneralSecurityException e) {
            throw new BackupFormatException("The identity in " + identity + " cannot open this backup: it was encrypted to"
                    + " other recipients (" + e.getMessage() + ")", e);
        }
    }

    /** The plain dump. */
    public InputStream plain() {
        return plain;
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    /** Reads what is left of the blob (after the dump tool stopped reading), so the SHA-256 covers it all. */
    public String finishAndHash() throws IOException {
        raw.transferTo(OutputStream.nullOutputStream());
        return HexFormat.of().formatHex(sha256.digest());
    }
}
