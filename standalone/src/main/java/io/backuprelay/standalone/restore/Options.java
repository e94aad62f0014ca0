package io.backuprelay.standalone.restore;

import io.backuprelay.database.RestoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The restore command's arguments, checked before anything is read or written. The backup is
 * either a blob URL with a read SAS ({@code --blob-url}), or an account's latest or given backup
 * found in its container ({@code --account} with {@code --latest} or {@code --backup}).
 */
record Options(String blobUrl, String manifestUrl, String account, boolean latest, String backupId,
               String storageAccount, String container, String path, String endpoint,
               String to, Path toFile, Path identity, boolean clean, Bucket bucket) {

    /** An S3-compatible bucket to find the account's backups in, instead of an Azure container. */
    record Bucket(String name, String region, boolean pathStyle) {
    }

    static final String USAGE = """
            usage: backuprelay restore SOURCE TARGET [--identity key.txt] [--clean]
              SOURCE: --blob-url <SAS URL> [--manifest-url <SAS URL>]
                    | --account <id> (--latest | --backup <id>) --storage-account <name> --container <name>
                      [--path <folder>] [--endpoint <blob endpoint>]
                      (the access key in AZURE_STORAGE_KEY, or a read+list SAS token in AZURE_STORAGE_SAS_TOKEN)
                    | --account <id> (--latest | --backup <id>) --bucket <name> [--region <region>]
                      [--path <prefix>] [--endpoint <S3 endpoint>] [--path-style]
                      (an S3-compatible copy destination; the key in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)
              TARGET: --to postgresql://user@host:port/db | --to mariadb://user@host:port/db | --to-file <path>
                      (the database password in RESTORE_DB_PASSWORD)""";

    static Options parse(String... args) {
        Map<String, String> values = new HashMap<>();
        boolean clean = false;
        boolean latest = false;
        boolean pathStyle = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--clean" -> clean = true;
                case "--latest" -> latest = true;
                case "--path-style" -> pathStyle = true;
                case "--blob-url", "--manifest-url", "--to", "--to-file", "--identity", "--account", "--backup",
                     "--storage-account", "--container", "--path", "--endpoint", "--bucket", "--region" -> {
                    if (i + 1 >= args.length) {
                        throw new RestoreException(arg + " needs a value");
                    }
                    values.put(arg, args[++i]);
                }
                default -> throw new RestoreException("unknown argument '" + arg + "'");
            }
        }
        String blobUrl = values.get("--blob-url");
        String account = values.get("--account");
        if ((blobUrl == null) == (account == null)) {
            throw new RestoreException("give one of --blob-url (a blob's SAS URL) or --account (with --latest or --backup)");
        }
        if (blobUrl != null && !(blobUrl.startsWith("https://") || blobUrl.startsWith("http://"))) {
            throw new RestoreException("--blob-url must be the blob's URL with a read SAS, e.g. from the Download button");
        }
        if (account != null) {
            if (latest == values.containsKey("--backup")) {
                throw new RestoreException("--account needs one of --latest or --backup <id>");
            }
            boolean azure = values.containsKey("--storage-account") || values.containsKey("--container");
            if (azure == values.containsKey("--bucket")) {
                throw new RestoreException("--account needs either --storage-account and --container (an Azure container)"
                        + " or --bucket (an S3 bucket), as the connection names them");
            }
            if (azure && (!values.containsKey("--storage-account") || !values.containsKey("--container"))) {
                throw new RestoreException("--account needs --storage-account and --container, as the connection names them");
            }
        }
        String to = values.get("--to");
        Path toFile = values.containsKey("--to-file") ? Path.of(values.get("--to-file")) : null;
        if ((to == null) == (toFile == null)) {
            throw new RestoreException("give one of --to (a database) or --to-file (the plain dump)");
        }
        if (toFile != null && Files.exists(toFile)) {
            throw new RestoreException("--to-file " + toFile + " exists already; name a new file");
        }
        Path identity = values.containsKey("--identity") ? Path.of(values.get("--identity")) : null;
        if (identity != null && !Files.isReadable(identity)) {
            throw new RestoreException("--identity " + identity + " cannot be read");
        }
        return new Options(blobUrl, values.get("--manifest-url"), account, latest, values.get("--backup"),
                values.get("--storage-account"), values.get("--container"), values.get("--path"), values.get("--endpoint"),
                to, toFile, identity, clean, values.containsKey("--bucket") ? new Bucket(values.get("--bucket"),
                        values.getOrDefault("--region", "us-east-1"), pathStyle) : null);
    }
}
