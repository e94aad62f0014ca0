package io.backuprelay.database;

import io.backuprelay.format.inventory.Inventory;
import java.util.List;

/**
 * What a database holds, read once: the {@link Inventory} a manifest keeps (names and row counts,
 * compared with a restored database by name) and each object with its {@link DatabaseObject.Identity},
 * to check an archive of the same moment exactly.
 */
public record DatabaseContents(Inventory inventory, List<DatabaseObject> objects) {

    public DatabaseContents {
        objects = List.copyOf(objects);
    }
}
