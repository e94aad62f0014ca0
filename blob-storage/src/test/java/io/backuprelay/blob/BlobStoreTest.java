package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.format.manifest.ManifestLink;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Links are signed here, without a request to the storage account. */
class BlobStoreTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[64]);
    private static final String KEY_LESS_SAS = "sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=c&sp=rl&sig=abc";

    // An explicit origin: no DNS lookup of the Azure host on this machine without a network.
    private static final BlobAccess ACCESS = new BlobAccess(EndpointPolicy.allowing("https://acme.blob.core.windows.net"));

    @Test
    void aKeySignedLinkReadsOneBlobForAWhileAndOnlyOverHttpsOnAzure() {
        BlobStore.Link link = ACCESS.store("https://acme.blob.core.windows.net", "acme", "backups",
                BlobCredential.accountKey(KEY)).link("acme/2026/11/a.dump.zst", Duration.ofMinutes(15));

        assertThat(link.url()).hasValueSatisfying(url -> assertThat(url)
                .startsWith("https://acme.blob.core.windows.net/backups/acme%2F2026%2F11%2Fa.dump.zst?")
                .contains("sp=r&").contains("sr=b").contains("spr=https").doesNotContain(KEY));
        assertThat(link.expiresAt()).isBetween(Instant.now().plusSeconds(14 * 60),
                Instant.now().plusSeconds(16 * 60));
    }

    @Test
    void aBackupsLinkCarriesAReadOnlyLinkToTheManifestBesideItAndExpiresWithTheBlobs() {
        BlobStore store = ACCESS.store("https://acme.blob.core.windows.net", "acme", "backups",
                BlobCredential.accountKey(KEY));

        BlobStore.Link link = store.backupLink("Acme.Corp/2026/11/Acme.Corp-20261126T091500Z-b1.dump.zst",
                Duration.ofMinutes(15));

        ManifestLink carried = ManifestLink.parse(link.url().orElseThrow());
        assertThat(carried.blobUrl()).startsWith("https://acme.blob.core.windows.net/backups/Acme.Corp%2F2026%2F11%2F"
                + "Acme.Corp-20261126T091500Z-b1.dump.zst?").contains("sp=r&").contains("sr=b");
        assertThat(carried.manifestUrl()).startsWith("https://acme.blob.core.windows.net/backups/Acme.Corp%2F2026%2F11%2F"
                + "Acme.Corp-20261126T091500Z-b1.dump.zst.manifest.json?").contains("sp=r&").contains("sr=b")
                .contains("spr=https").doesNotContain(KEY);
        assertThat(carried.manifestBesideTheBlob()).isTrue();
        assertThat(link.expiresAt()).isBetween(Instant.now().plusSeconds(14 * 60), Instant.now().plusSeconds(16 * 60));
        assertThat(link(KEY_LESS_SAS).url()).isEmpty();
        assertThat(ACCESS.store("https://acme.blob.core.windows.net", "acme", "backups", BlobCredential.sas(KEY_LESS_SAS))
                .backupLink("a.dump.zst", Duration.ofMinutes(15)).refusal()).as("a SAS-token connection: no link at all")
                .contains("never handed out");
    }

    @Test
    void aSasTokenIsNeverHandedOutWhateverItMayDo() {
        for (String sas : List.of("sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=c&sp=rl&sig=abc",
                "sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=b&sp=r&sig=abc",
                "sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=c&sp=rwc&sig=abc")) {
            BlobStore.Link link = link(sas);

            assertThat(link.url()).as(sas).isEmpty();
            assertThat(link.refusal()).contains("SAS token").contains("never handed out").doesNotContain("sig=");
        }
    }

    private static BlobStore.Link link(String sas) {
        return ACCESS.store("https://acme.blob.core.windows.net", "acme", "backups", BlobCredential.sas(sas))
                .link("a.dump.zst", Duration.ofMinutes(15));
    }
}
