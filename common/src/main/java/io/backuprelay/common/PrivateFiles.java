package io.backuprelay.common;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Directories and files only this service's user can read: staging (the tenants' archives, before
 * they are encrypted in transit), the outbox (emails with download links) and credential files.
 * Directories are 0700 and files 0600, whatever the umask.
 */
public final class PrivateFiles {

    private PrivateFiles() {
    }

    /** Creates the directory (and its parents) if needed, and makes it 0700. */
    public static Path directory(Path dir) throws IOException {
        // Created private (no moment open to others); an existing one is made private.
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        return dir;
    }

    /** A new, empty file, 0600, in a private directory; it must not exist yet. */
    public static OutputStream create(Path file) throws IOException {
        directory(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        return Files.newOutputStream(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Writes a new 0600 file whole, replacing one of the same name. */
    public static void write(Path file, byte[] content) throws IOException {
        Files.deleteIfExists(file);
        try (OutputStream out = create(file)) {
            out.write(content);
        }
    }
}
