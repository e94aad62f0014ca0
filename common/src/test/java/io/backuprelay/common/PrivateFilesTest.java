package io.backuprelay.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrivateFilesTest {

    @TempDir
    Path root;

    @Test
    void directoriesAre0700AndFiles0600WhateverTheUmask() throws Exception {
        Path dir = root.resolve("staging");
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));

        try (OutputStream out = PrivateFiles.create(dir.resolve("a.archive"))) {
            out.write(1);
        }
        PrivateFiles.write(dir.resolve("a.manifest.json"), new byte[] {'{', '}'});

        assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("a.archive"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("a.manifest.json")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(dir.resolve("a.manifest.json")).hasContent("{}");
    }
}
