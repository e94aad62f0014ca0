package io.backuprelay.format.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ManifestLinkTest {

    private static final String BLOB = "https://acme.blob.core.windows.net/db-backups/backups/M%C3%BCller.GmbH/2026/11/"
            + "M%C3%BCller.GmbH-20261126T091500Z-b1.dump.zst";
    private static final String BLOB_LINK = BLOB + "?sv=2025-01-05&se=2026-11-26T09%3A30%3A00Z&sr=b&sp=r&sig=Ab%2Bc%2Fd%3D";
    private static final String MANIFEST_LINK = BLOB + ".manifest.json?sv=2025-01-05&se=2026-11-26T09%3A30%3A00Z&sr=b"
            + "&sp=r&sig=Xy%2Bz%3D";

    @Test
    void theLinkCarriesTheManifestsLinkInItsFragmentAndGivesBothBackExactly() {
        String link = new ManifestLink(BLOB_LINK, MANIFEST_LINK).url();

        assertThat(link).startsWith(BLOB_LINK + "#manifest=https%3A%2F%2F");
        assertThat(link.substring(link.indexOf('#'))).doesNotContain("?").doesNotContain("&");
        ManifestLink parsed = ManifestLink.parse(link);
        assertThat(parsed.blobUrl()).isEqualTo(BLOB_LINK);
        assertThat(parsed.manifestUrl()).isEqualTo(MANIFEST_LINK);
        assertThat(parsed.manifestBesideTheBlob()).isTrue();
    }

    @Test
    void aLinkWithoutAFragmentOrWithAnotherIsTheBlobsAlone() {
        assertThat(ManifestLink.parse(BLOB_LINK)).isEqualTo(new ManifestLink(BLOB_LINK, null));
        assertThat(ManifestLink.parse(BLOB_LINK + "#top")).isEqualTo(new ManifestLink(BLOB_LINK, null));
        assertThat(new ManifestLink(BLOB_LINK, null).url()).isEqualTo(BLOB_LINK);
        assertThat(new ManifestLink(BLOB_LINK, null).manifestBesideTheBlob()).isFalse();
    }

    @Test
    void aManifestAnywhereButBesideTheBlobIsNotItsManifest() {
        assertThat(new ManifestLink(BLOB_LINK, "https://elsewhere.example/db-backups/backups/M%C3%BCller.GmbH/2026/11/"
                + "M%C3%BCller.GmbH-20261126T091500Z-b1.dump.zst.manifest.json?sig=1").manifestBesideTheBlob()).isFalse();
        assertThat(new ManifestLink(BLOB_LINK, BLOB.replace("-b1.", "-b2.") + ".manifest.json?sig=1")
                .manifestBesideTheBlob()).as("another backup's manifest").isFalse();
        assertThat(new ManifestLink(BLOB_LINK, BLOB + "?comp=metadata").manifestBesideTheBlob()).isFalse();
        assertThat(new ManifestLink(BLOB_LINK, BLOB.replace("https:", "http:") + ".manifest.json").manifestBesideTheBlob())
                .isFalse();
    }

    @Test
    void whatMayBePrintedOfALinkHasNeitherItsSignatureNorItsFragment() {
        String link = new ManifestLink(BLOB_LINK, MANIFEST_LINK).url();

        assertThat(ManifestLink.withoutQuery(link)).isEqualTo(BLOB);
        assertThat(ManifestLink.withoutQuery(BLOB + "#manifest=x%3Fsig%3D1")).isEqualTo(BLOB);
        assertThat(ManifestLink.withoutQuery(BLOB)).isEqualTo(BLOB);
    }
}
