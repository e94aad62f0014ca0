package io.backuprelay.format.manifest;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * A download link that carries the read link of its backup's manifest: the blob's link, then
 * {@code #manifest=} and the manifest's link, URL-encoded. A link signed for one blob cannot read
 * the manifest beside it, so without this {@code backuprelay restore --blob-url} could not compare
 * what it restored with the backup's inventory. The manifest's link rides in the fragment because
 * neither a browser nor an HTTP client sends a fragment: the link still downloads the blob as before.
 *
 * @param blobUrl     the blob's read link, without a fragment
 * @param manifestUrl the manifest's read link; {@code null} when the link carries none
 */
public record ManifestLink(String blobUrl, String manifestUrl) {

    /** What starts the fragment that carries the manifest's link. */
    public static final String FRAGMENT = "#manifest=";

    /** The one link to give: the blob's, carrying the manifest's when there is one. */
    public String url() {
        return manifestUrl == null ? blobUrl : blobUrl + FRAGMENT + URLEncoder.encode(manifestUrl, StandardCharsets.UTF_8);
    }

    /**
     * A link as given: the blob's part, and the manifest's link when its fragment carries one.
     *
     * @throws IllegalArgumentException when the fragment's manifest link is not URL-encoded
     */
    public static ManifestLink parse(String link) {
        int fragment = link.indexOf('#');
        if (fragment < 0) {
            return new ManifestLink(link, null);
        }
        String manifest = null;
        for (String part : link.substring(fragment + 1).split("&")) {
            if (part.startsWith(FRAGMENT.substring(1))) {
                manifest = URLDecoder.decode(part.substring(FRAGMENT.length() - 1), StandardCharsets.UTF_8);
            }
        }
        return new ManifestLink(link.substring(0, fragment), manifest);
    }

    /**
     * Whether the manifest's link names the manifest beside the blob ({@link ManifestNames#ofBlob}) at
     * the same scheme, host and port, whatever either link's signature: a manifest from anywhere else
     * is not this backup's record.
     */
    public boolean manifestBesideTheBlob() {
        return manifestUrl != null && ManifestNames.ofBlob(withoutQuery(blobUrl)).equals(withoutQuery(manifestUrl));
    }

    /** A link without its query (a signature) and fragment: what may be printed of it. */
    public static String withoutQuery(String url) {
        int end = url.length();
        for (char c : new char[] {'?', '#'}) {
            int at = url.indexOf(c);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        return url.substring(0, end);
    }
}
