package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Links are signed here, without a request to the storage account. */
class BlobStoreTest {

    private static final String KEY = Base64.getEncoder().encodeToString(new byte[64]);

    static {
        // An explicit origin: no DNS lookup of the Azure host on this machine without a network.
        io.backuprelay.testkit.AllowedEndpoints.allow("https://acme.blob.core.windows.net");
    }

    @Test
    void aKeySignedLinkReadsOneBlobForAWhileAndOnlyOverHttpsOnAzure() {
        BlobStore.Link link = BlobStore.of("https://acme.blob.core.windows.net", "acme", "backups",
                BlobCredential.accountKey(KEY)).link("acme/2026/11/a.dump.zst", Duration.ofMinutes(15));

        assertThat(link.url()).hasValueSatisfying(url -> assertThat(url)
                .startsWith("https://acme.blob.core.windows.net/backups/acme%2F2026%2F11%2Fa.dump.zst?")
                .contains("sp=r&").contains("sr=b").contains("spr=https").doesNotContain(KEY));
        assertThat(link.expiresAt()).isBetween(java.time.Instant.now().plusSeconds(14 * 60),
                java.time.Instant.now().plusSeconds(16 * 60));
    }

    @Test
    void aSasTokenIsHandedOutOnlyWhenItCanDoNothingButReadAndList() {
        String readOnly = "sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=c&sp=rl&sig=abc";
        String readWrite = "sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=c&sp=rwc&sig=abc";
        String writeOnly = "sv=2024-08-04&se=2027-01-01T00%3A00%3A00Z&sr=c&sp=cw&sig=abc";

        assertThat(link(readOnly).url()).hasValue("https://acme.blob.core.windows.net/backups/a.dump.zst?" + readOnly);
        assertThat(link(readOnly).expiresAt()).isEqualTo(java.time.Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(link(readWrite).url()).isEmpty();
        assertThat(link(readWrite).refusal()).contains("allows more than reading (sp=rwc)");
        assertThat(link(writeOnly).refusal()).contains("does not allow reading (sp=cw)");
    }

    private static BlobStore.Link link(String sas) {
        return BlobStore.of("https://acme.blob.core.windows.net", "acme", "backups", BlobCredential.sas(sas))
                .link("a.dump.zst", Duration.ofMinutes(15));
    }
}
