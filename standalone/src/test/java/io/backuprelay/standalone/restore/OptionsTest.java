package io.backuprelay.standalone.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.database.RestoreException;
import io.backuprelay.format.manifest.ManifestLink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@code restore --blob-url} takes of the console's link: the blob's link, and the manifest's it carries. */
class OptionsTest {

    private static final String BLOB = "https://acme.blob.core.windows.net/db-backups/backups/Muller.Sohne-GmbH/2026/11/"
            + "Muller.Sohne-GmbH-20261126T091500Z-b1.dump.zst";
    private static final String BLOB_LINK = BLOB + "?sv=2025-01-05&sr=b&sp=r&sig=BLOBSIGNATURE%2B";
    private static final String MANIFEST_LINK = BLOB + ".manifest.json?sv=2025-01-05&sr=b&sp=r&sig=MANIFESTSIGNATURE%3D";

    @Test
    void theConsolesLinkGivesTheBlobsLinkAndTheManifestsBesideIt() {
        Options options = Options.parse("--blob-url", new ManifestLink(BLOB_LINK, MANIFEST_LINK).url(),
                "--to", "postgresql://postgres@127.0.0.1:5432/restored");

        assertThat(options.blobUrl()).isEqualTo(BLOB_LINK);
        assertThat(options.manifestUrl()).isEqualTo(MANIFEST_LINK);
        assertThat(options.manifestRequired()).as("a manifest the link names must be read: no fallback that compares"
                + " nothing").isTrue();
    }

    @Test
    void aLinkToTheBlobAloneReadsBesideItAndManifestUrlIsRequired() {
        Options alone = Options.parse("--blob-url", BLOB_LINK, "--to-file", "plain.dump");
        assertThat(alone.blobUrl()).isEqualTo(BLOB_LINK);
        assertThat(alone.manifestUrl()).isNull();
        assertThat(alone.manifestRequired()).as("a link to the blob alone may fall back to its metadata").isFalse();

        Options given = Options.parse("--blob-url", new ManifestLink(BLOB_LINK, MANIFEST_LINK + "&x=1").url(),
                "--manifest-url", MANIFEST_LINK, "--to-file", "plain.dump");
        assertThat(given.manifestUrl()).as("--manifest-url before the link's own").isEqualTo(MANIFEST_LINK);
        assertThat(given.manifestRequired()).isTrue();
    }

    @Test
    void aManifestLinkThatIsNotBesideTheBlobIsRefusedNamingPathsOnly() {
        String elsewhere = "https://evil.example/db-backups/backups/Muller.Sohne-GmbH/2026/11/"
                + "Muller.Sohne-GmbH-20261126T091500Z-b1.dump.zst.manifest.json?sig=MANIFESTSIGNATURE";
        String another = BLOB.replace("-b1.", "-b2.") + ".manifest.json?sig=MANIFESTSIGNATURE";

        assertThatThrownBy(() -> Options.parse("--blob-url", new ManifestLink(BLOB_LINK, elsewhere).url(), "--to-file", "x"))
                .isInstanceOf(RestoreException.class)
                .hasMessage("The manifest link in --blob-url must read the manifest beside the blob, " + BLOB
                        + ".manifest.json; it names " + elsewhere.substring(0, elsewhere.indexOf('?')));
        assertThatThrownBy(() -> Options.parse("--blob-url", BLOB_LINK, "--manifest-url", another, "--to-file", "x"))
                .isInstanceOf(RestoreException.class).hasMessageStartingWith("--manifest-url must read the manifest beside")
                .hasMessageNotContaining("SIGNATURE");
    }

    @Test
    void aCutLinkAndARefusedOneAreSaidWithoutTheirSignatures() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        RestoreCommand command = new RestoreCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), Map.of());
        String link = new ManifestLink(BLOB_LINK, MANIFEST_LINK).url();

        assertThat(command.run("--blob-url", link.substring(0, link.length() - 1), "--to-file", "x")).isEqualTo(2);
        assertThat(command.run("--blob-url", link.substring(0, link.length() - 3), "--to-file", "x")).isEqualTo(2);
        assertThat(command.run("--blob-url", BLOB_LINK, "--manifest-url", BLOB_LINK, "--to-file", "x")).isEqualTo(2);

        assertThat(err.toString(StandardCharsets.UTF_8)).contains("The manifest link is not a whole URL (" + BLOB
                        + ".manifest.json…); copy the whole link again").contains("cut or not URL-encoded")
                .contains("--manifest-url must read the manifest beside the blob")
                .doesNotContain("SIGNATURE").doesNotContain("sig=");
        assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
}
