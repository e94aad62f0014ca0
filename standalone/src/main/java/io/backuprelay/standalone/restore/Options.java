package io.backuprelay.standalone.restore;

import io.backuprelay.database.RestoreException;

import java.nio.file.Files;
import java.nio.file.Path;

/** The restore command's arguments, checked before anything is read or written. */
record Options(String blobUrl, String manifestUrl, String to, Path toFile, Path identity, boolean clean) {

    static final String USAGE = "usage: backuprelay restore --blob-url <SAS URL> (--to postgresql://user@host:port/db"
            + " | --to mariadb://user@host:port/db | --to-file <path>) [--manifest-url <SAS URL>]"
            + " [--identity key.txt] [--clean]   (the database password in RESTORE_DB_PASSWORD)";

    static Options parse(String... args) {
        String blobUrl = null;
        String manifestUrl = null;
        String to = null;
        Path toFile = null;
        Path identity = null;
        boolean clean = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--clean" -> clean = true;
                case "--blob-url", "--manifest-url", "--to", "--to-file", "--identity" -> {
                    if (i + 1 >= args.length) {
                        throw new RestoreException(arg + " needs a value");
                    }
                    String value = args[++i];
                    switch (arg) {
                        case "--blob-url" -> blobUrl = value;
                        case "--manifest-url" -> manifestUrl = value;
                        case "--to" -> to = value;
                        case "--to-file" -> toFile = Path.of(value);
                        default -> identity = Path.of(value);
                    }
                }
                default -> throw new RestoreException("unknown argument '" + arg + "'");
            }
        }
        if (blobUrl == null || !(blobUrl.startsWith("https://") || blobUrl.startsWith("http://"))) {
            throw new RestoreException("--blob-url must be the blob's URL with a read SAS, e.g. from the Download button");
        }
        if ((to == null) == (toFile == null)) {
            throw new RestoreException("give one of --to (a database) or --to-file (the plain dump)");
        }
        if (toFile != null && Files.exists(toFile)) {
            throw new RestoreException("--to-file " + toFile + " exists already; name a new file");
        }
        if (identity != null && !Files.isReadable(identity)) {
            throw new RestoreException("--identity " + identity + " cannot be read");
        }
        return new Options(blobUrl, manifestUrl, to, toFile, identity, clean);
    }
}
