package io.backuprelay.database;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgToolsTest {

    @TempDir
    Path root;

    @Test
    void choosesTheLowestInstalledMajorThatCanDumpTheServer() throws Exception {
        install(13);
        install(15);
        install(17);
        PgTools tools = new PgTools(root);
        assertThat(tools.forServerMajor(14)).isEqualTo(root.resolve("15/bin/pg_dump"));
        assertThat(tools.forServerMajor(15)).isEqualTo(root.resolve("15/bin/pg_dump"));
        assertThat(tools.forServerMajor(12)).isEqualTo(root.resolve("13/bin/pg_dump"));
    }

    @Test
    void saysWhichVersionIsMissingWhenAllAreTooOld() throws Exception {
        install(15);
        assertThatThrownBy(() -> new PgTools(root).forServerMajor(17))
                .isInstanceOf(ToolMissingException.class)
                .hasMessage("The database server runs PostgreSQL 17 but the newest pg_dump on this machine is 15;"
                        + " install pg_dump 17 or newer here.");
    }

    @Test
    void saysSoWhenNoneIsInstalled() {
        assertThatThrownBy(() -> new PgTools(root.resolve("nothing")).forServerMajor(15))
                .hasMessage("No pg_dump is installed on this machine.");
    }

    private void install(int major) throws Exception {
        Path bin = Files.createDirectories(root.resolve(major + "/bin"));
        Files.writeString(bin.resolve("pg_dump"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(bin.resolve("pg_dump"), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
}
