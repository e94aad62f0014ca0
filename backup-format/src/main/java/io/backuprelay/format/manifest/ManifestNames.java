package io.backuprelay.format.manifest;

/**
 * Where a manifest is kept: beside its blob as {@code {blob}.manifest.json}, and in staging beside
 * the attempt's archive {@code {backupId}.{token}.archive} as {@code {backupId}.{token}.manifest.json}.
 */
public final class ManifestNames {

    /** What every manifest's name ends with, in the container and in staging. */
    public static final String SUFFIX = ".manifest.json";
    /** What a complete archive's file name in staging ends with. */
    public static final String STAGING_ARCHIVE_SUFFIX = ".archive";

    private ManifestNames() {
    }

    /** The manifest stored beside {@code blobName}. */
    public static String ofBlob(String blobName) {
        return blobName + SUFFIX;
    }

    /** The manifest beside the blob a URL names, the URL's query (a SAS token) kept after it. */
    public static String ofBlobUrl(String blobUrl) {
        int query = blobUrl.indexOf('?');
        return query < 0 ? ofBlob(blobUrl) : ofBlob(blobUrl.substring(0, query)) + blobUrl.substring(query);
    }

    /** Whether a blob or a staging file is a manifest rather than a backup. */
    public static boolean isManifest(String name) {
        return name.endsWith(SUFFIX);
    }

    /** Beside the attempt's archive {@code {backupId}.{token}.archive}: {@code {backupId}.{token}.manifest.json}. */
    public static String ofStagingArchive(String archiveFileName) {
        return stem(archiveFileName, STAGING_ARCHIVE_SUFFIX) + SUFFIX;
    }

    /** The staging archive a staging manifest describes: {@code {backupId}.{token}.archive}. */
    public static String stagingArchiveOf(String manifestFileName) {
        return stem(manifestFileName, SUFFIX) + STAGING_ARCHIVE_SUFFIX;
    }

    /** Whether a staging file name is a complete archive's. */
    public static boolean isStagingArchive(String fileName) {
        return fileName.endsWith(STAGING_ARCHIVE_SUFFIX);
    }

    private static String stem(String name, String suffix) {
        return name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : name;
    }
}
