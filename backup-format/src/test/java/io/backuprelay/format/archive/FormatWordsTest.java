package io.backuprelay.format.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.backuprelay.format.BackupFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FormatWordsTest {

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void eachWordIsWrittenAsTheStringStoredToday() throws Exception {
        assertThat(json.writeValueAsString(List.of(Compression.ZSTD, Compression.GZIP, Compression.NONE)))
                .isEqualTo("[\"zstd\",\"gzip\",\"none\"]");
        assertThat(json.writeValueAsString(List.of(Encryption.NONE, Encryption.AGE_X25519)))
                .isEqualTo("[\"none\",\"age-x25519\"]");
        assertThat(json.writeValueAsString(List.of(Engine.POSTGRESQL, Engine.MARIADB)))
                .isEqualTo("[\"POSTGRESQL\",\"MARIADB\"]");
        assertThat(json.writeValueAsString(List.of(DumpFormat.PG_DUMP_CUSTOM, DumpFormat.MARIADB_SQL)))
                .isEqualTo("[\"pg_dump-custom\",\"mariadb-sql\"]");
        assertThat(json.readValue("\"gzip\"", Compression.class)).isEqualTo(Compression.GZIP);
        assertThat(json.readValue("\"age-x25519\"", Encryption.class)).isEqualTo(Encryption.AGE_X25519);
    }

    @Test
    void aWordThisVersionDoesNotKnowIsNamed() {
        assertThatThrownBy(() -> Encryption.of("rot13")).isInstanceOf(BackupFormatException.class)
                .hasMessage("Unknown encryption 'rot13': this version knows none, age-x25519");
        assertThatThrownBy(() -> Engine.of("oracle")).isInstanceOf(BackupFormatException.class)
                .hasMessageContaining("engine 'oracle'");
    }

    @Test
    void theExtensionsSayHowToOpenTheArchive() {
        assertThat(new ArchiveFormat(DumpFormat.PG_DUMP_CUSTOM, Compression.ZSTD, Encryption.AGE_X25519).extension())
                .isEqualTo("dump.zst.age");
        assertThat(new ArchiveFormat(DumpFormat.MARIADB_SQL, Compression.GZIP, Encryption.NONE).extension())
                .isEqualTo("sql.gz");
        assertThat(new ArchiveFormat(DumpFormat.MARIADB_SQL, Compression.NONE, Encryption.NONE).extension())
                .isEqualTo("sql");
        assertThat(Encryption.forRecipients(List.of())).isEqualTo(Encryption.NONE);
        assertThat(Encryption.forRecipients(List.of("age1x"))).isEqualTo(Encryption.AGE_X25519);
    }
}
