package io.backuprelay.standalone.restore;

import io.backuprelay.database.RestoreException;
import io.backuprelay.format.manifest.ManifestLink;
import io.backuprelay.format.manifest.ManifestNames;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The restore command's arguments, checked before anything is read or written. The backup is
 * either a blob URL with a read SAS ({@code --blob-url}), or an account's latest or given backup
 * found in its container ({@code --account} with {@code --latest} or {@code --backup}).
 *
 * @param blobUrl          the blob's link, without the fragment the console's link carries its manifest's in
 * @param manifestUrl      the manifest's link: {@code --manifest-url}, else the one {@code --blob-url} carries
 *                         ({@link ManifestLink}); always the manifest beside the blob; {@code null} when neither
 * @param manifestRequired whether a link to the manifest was given ({@code --manifest-url}, or carried by the console's
 *                         link): then a manifest it cannot read fails the restore, so that deleting the manifest
 *                         cannot turn a compared restore into one that compares nothing
 */
record Options(String blobUrl, String manifestUrl, boolean manifestRequired, String account, boolean latest,
               String backupId, String storageAccount, String container, String path, String endpoint,
               String to, Path toFile, Path identity, boolean clean, Bucket bucket) {

    /** An S3-compatible bucket to find the account's backups in, instead of an Azure container. */
    record Bucket(String name, String region, boolean pathStyle) {
    }

    static final String USAGE = """
            usage: backuprelay restore SOURCE TARGET [--identity key.txt] [--clean]
              SOURCE: --blob-url <SAS URL> [--manifest-url <SAS URL>]
                      (the Download button's link carries its manifest's: give it whole, in quotes)
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
                // Only the argument's name: "--blob-url=<link>" would otherwise print the link's signature.
                default -> throw new RestoreException("unknown argument '" + arg.replaceAll("[=?#].*", "…") + "'");
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
        ManifestLink link = blobUrl == null ? new ManifestLink(null, null) : link(blobUrl, values.get("--manifest-url"));
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
        return new Options(link.blobUrl(), link.manifestUrl(), link.manifestUrl() != null, account, latest,
                values.get("--backup"),
                values.get("--storage-account"), values.get("--container"), values.get("--path"), values.get("--endpoint"),
                to, toFile, identity, clean, values.containsKey("--bucket") ? new Bucket(values.get("--bucket"),
                        values.getOrDefault("--region", "us-east-1"), pathStyle) : null);
    }

    /**
     * The blob's link and its manifest's, which must be the manifest beside that blob: a manifest read
     * from anywhere else is no record of this backup. Only their paths are ever printed, never a signature.
     */
    private static ManifestLink link(String blobUrl, String manifestUrl) {
        ManifestLink given;
        try {
            given = ManifestLink.parse(blobUrl);
        } catch (IllegalArgumentException e) {
            throw new RestoreException("--blob-url carries a manifest link that is cut or not URL-encoded; copy the whole"
                    + " link again, in quotes");
        }
        ManifestLink link = manifestUrl == null ? given : new ManifestLink(given.blobUrl(), manifestUrl);
        for (String url : new String[] {link.blobUrl(), link.manifestUrl()}) {
            try {
                if (url != null) {
                    URI.create(url);
                }
            } catch (IllegalArgumentException e) {
                throw new RestoreException((url.equals(link.blobUrl()) ? "--blob-url" : "The manifest link") + " is not a"
                        + " whole URL (" + ManifestLink.withoutQuery(url) + "…); copy the whole link again, in quotes");
            }
        }
        if (link.manifestUrl() != null && !link.manifestBesideTheBlob()) {
            throw new RestoreException((manifestUrl != null ? "--manifest-url" : "The manifest link in --blob-url")
                    + " must read the manifest beside the blob, " + ManifestNames.ofBlob(ManifestLink.withoutQuery(blobUrl))
                    + "; it names " + ManifestLink.withoutQuery(link.manifestUrl()));
        }
        return link;
    }
}
