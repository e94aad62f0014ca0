package io.backuprelay.upload;

import io.backuprelay.common.kafka.PoisonMessageException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The staging directory the dump workers leave archives in: the only place the upload worker reads from. */
final class Staging {

    private final Path directory;

    Staging(Path directory) {
        this.directory = directory;
    }

    /**
     * A file an event names. A writer to {@code backup.dumps} could name any file of this machine: a
     * name outside staging is poison.
     *
     * @param field the event's field, for the message
     */
    Path resolve(String name, String field) {
        Path path = directory.resolve(name).normalize();
        if (!path.startsWith(directory.normalize())) {
            throw new PoisonMessageException(field + " '" + name + "' points outside the staging directory");
        }
        return path;
    }

    /** Removes staged files once they are of no further use; null stands for a file the dump did not write. */
    static void remove(Path... staged) {
        for (Path path : staged) {
            if (path == null) {
                continue;
            }
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot remove the staged archive " + path, e);
            }
        }
    }
}
