package io.backuprelay.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the pg_dump to use for a server: the installed one with the lowest major version that is at
 * least the server's (pg_dump cannot dump a newer server, and the closest major reads best).
 * Debian installs each major under {@code /usr/lib/postgresql/<major>/bin}.
 */
public final class PgTools {

    private final Path installRoot;

    public PgTools(Path installRoot) {
        this.installRoot = installRoot;
    }

    public static PgTools debian() {
        return new PgTools(Path.of("/usr/lib/postgresql"));
    }

    public Path forServerMajor(int serverMajor) throws ToolMissingException {
        List<Integer> installed = installedMajors();
        Optional<Integer> chosen = installed.stream().filter(major -> major >= serverMajor).min(Comparator.naturalOrder());
        if (chosen.isEmpty()) {
            throw new ToolMissingException(installed.isEmpty()
                    ? "No pg_dump is installed on this machine."
                    : "The database server runs PostgreSQL " + serverMajor + " but the newest pg_dump on this machine is "
                      + installed.getLast() + "; install pg_dump " + serverMajor + " or newer here.");
        }
        return pgDump(chosen.get());
    }

    List<Integer> installedMajors() {
        if (!Files.isDirectory(installRoot)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(installRoot)) {
            return dirs.map(dir -> dir.getFileName().toString())
                    .filter(name -> name.matches("\\d+"))
                    .map(Integer::parseInt)
                    .filter(major -> Files.isExecutable(pgDump(major)))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private Path pgDump(int major) {
        return installRoot.resolve(Integer.toString(major)).resolve("bin/pg_dump");
    }
}
