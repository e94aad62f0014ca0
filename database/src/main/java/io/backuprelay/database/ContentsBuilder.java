package io.backuprelay.database;

import io.backuprelay.format.inventory.Inventory;
import io.backuprelay.database.DatabaseObject.Identity;
import io.backuprelay.database.DatabaseObject.Kind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Collects the objects a catalog query finds into both forms of {@link DatabaseContents}. */
final class ContentsBuilder {

    private final List<String> schemas = new ArrayList<>();
    private final Map<String, Long> tables = new LinkedHashMap<>();
    private final List<String> views = new ArrayList<>();
    private final List<String> sequences = new ArrayList<>();
    private final List<String> routines = new ArrayList<>();
    private final List<String> triggers = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<String> extensions = new ArrayList<>();
    private final List<DatabaseObject> objects = new ArrayList<>();

    /**
     * @param inventoryName as the manifest's inventory has always named it ({@code schema.table}, unquoted)
     * @param sqlName       quoted where SQL needs it, for messages
     */
    void add(Kind kind, String inventoryName, String sqlName, Identity identity) {
        switch (kind) {
            case SCHEMA -> schemas.add(inventoryName);
            case TABLE -> tables.put(inventoryName, Inventory.NOT_COUNTED);
            case VIEW -> views.add(inventoryName);
            case SEQUENCE -> sequences.add(inventoryName);
            case ROUTINE -> routines.add(inventoryName);
            case TRIGGER -> triggers.add(inventoryName);
            case EVENT -> events.add(inventoryName);
            case EXTENSION -> extensions.add(inventoryName);
        }
        objects.add(new DatabaseObject(kind, sqlName, identity));
    }

    void rows(String table, long count) {
        tables.put(table, count);
    }

    DatabaseContents build() {
        return new DatabaseContents(
                new Inventory(schemas, tables, views, sequences, routines, triggers, events, extensions), objects);
    }
}
