package io.backuprelay.dump.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A dump tool is asked its version once per installed file, not once per dump; a tool replaced on disk is asked again. */
class ToolVersionTest {

    @TempDir
    Path dir;

    @Test
    void aToolIsAskedOnceUntilItsFileChanges() throws Exception {
        Path asked = dir.resolve("asked.log");
        Path tool = dir.resolve("pg_dump");
        install(tool, asked, "pg_dump (PostgreSQL) 15.19", Instant.parse("2026-01-01T00:00:00Z"));

        assertThat(ToolVersion.of(tool.toString())).isEqualTo("pg_dump (PostgreSQL) 15.19");
        assertThat(ToolVersion.of(tool.toString())).isEqualTo("pg_dump (PostgreSQL) 15.19");
        assertThat(Files.readAllLines(asked)).as("the second dump did not start the tool").hasSize(1);

        install(tool, asked, "pg_dump (PostgreSQL) 15.20", Instant.parse("2026-02-01T00:00:00Z"));
        assertThat(ToolVersion.of(tool.toString())).as("an upgrade on disk is seen").isEqualTo("pg_dump (PostgreSQL) 15.20");
        assertThat(Files.readAllLines(asked)).hasSize(2);
    }

    @Test
    void aToolThatDoesNotAnswerIsAskedAgainNextTime() throws Exception {
        Path asked = dir.resolve("asked.log");
        Path tool = dir.resolve("mariadb-dump");
        Files.writeString(tool, "#!/bin/sh\necho asked >> '" + asked + "'\nexit 3\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));

        assertThat(ToolVersion.of(tool.toString())).as("no answer: the tool's path").isEqualTo(tool.toString());
        assertThat(ToolVersion.of(tool.toString())).isEqualTo(tool.toString());
        assertThat(Files.readAllLines(asked)).as("not remembered").hasSize(2);
    }

    private static void install(Path tool, Path asked, String version, Instant modified) throws Exception {
        Files.writeString(tool, "#!/bin/sh\necho asked >> '" + asked + "'\necho '" + version + "'\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwx------"));
        Files.setLastModifiedTime(tool, FileTime.from(modified));
    }
}
