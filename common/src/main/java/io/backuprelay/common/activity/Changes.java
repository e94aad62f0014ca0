package io.backuprelay.common.activity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.backuprelay.common.activity.ActivityEntry.Change;
import io.backuprelay.common.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * What changed between two versions of a record (settings, a connection, a channel, an account),
 * field by field, as the activity log says it: the value before and after for an ordinary field,
 * the name alone for a secret. Records are compared as their JSON, so a field added to a record
 * later is compared without a change here.
 *
 * <p>A field is a secret when it is sealed (a {@code SealedSecret}: an object with a
 * {@code ciphertext}) or when its name is one of {@link #SECRET_NAMES}, wherever it is nested: a
 * webhook's URL is a secret as much as an access key. An array or object that holds a secret is a
 * secret as a whole. The account id, which every entry carries anyway, is left out.
 */
public final class Changes {

    /** Names whose values are secrets wherever they appear, sealed or not (compared in lower case). */
    static final Set<String> SECRET_NAMES = Set.of("accesskey", "sastoken", "secretaccesskey", "password", "url",
            "signingsecret", "token", "secret");
    /** A value longer than this is cut, so one entry stays small. */
    static final int MAX_VALUE_CHARS = 200;
    /** At most this many fields per entry; a record has far fewer. */
    static final int MAX_CHANGES = 60;

    private Changes() {
    }

    private record Leaf(JsonNode value, boolean secret) {
    }

    /**
     * The fields that differ between {@code before} and {@code after}, in the order of the record.
     *
     * @param before the record as it was; {@code null} for an addition
     * @param after  the record as it is now; {@code null} for a deletion
     */
    public static List<Change> between(Object before, Object after) {
        Map<String, Leaf> old = flatten(before);
        Map<String, Leaf> now = flatten(after);
        Set<String> fields = new LinkedHashSet<>(now.keySet());
        fields.addAll(old.keySet());
        List<Change> changes = new ArrayList<>();
        for (String field : fields) {
            Leaf a = old.getOrDefault(field, new Leaf(NullNode.getInstance(), false));
            Leaf b = now.getOrDefault(field, new Leaf(NullNode.getInstance(), false));
            if (a.value().equals(b.value()) || changes.size() >= MAX_CHANGES) {
                continue;
            }
            changes.add(a.secret() || b.secret() ? Change.secret(field)
                    : new Change(field, text(a.value()), text(b.value()), false));
        }
        return changes;
    }

    private static Map<String, Leaf> flatten(Object record) {
        Map<String, Leaf> leaves = new LinkedHashMap<>();
        if (record == null) {
            return leaves;
        }
        JsonNode tree = Json.mapper().valueToTree(record);
        tree.fieldNames().forEachRemaining(name -> {
            if (!name.equals("accountId")) {
                flatten(name, tree.get(name), leaves);
            }
        });
        return leaves;
    }

    private static void flatten(String path, JsonNode value, Map<String, Leaf> leaves) {
        String name = path.substring(path.lastIndexOf('.') + 1);
        if (isSecretName(name) || isSealed(value)) {
            leaves.put(path, new Leaf(isEmpty(value) ? NullNode.getInstance() : value, true));
        } else if (value.isObject() && !value.isEmpty()) {
            value.fieldNames().forEachRemaining(child -> flatten(path + "." + child, value.get(child), leaves));
        } else {
            leaves.put(path, new Leaf(isEmpty(value) ? NullNode.getInstance() : value, holdsSecret(value)));
        }
    }

    /** Nothing, however a record writes it: no value, null, "", [] or {}. */
    private static boolean isEmpty(JsonNode value) {
        return value == null || value.isMissingNode() || value.isNull() || value.isContainerNode() && value.isEmpty()
                || value.isTextual() && value.asText().isEmpty();
    }

    private static boolean isSecretName(String name) {
        return SECRET_NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    private static boolean isSealed(JsonNode value) {
        return value.isObject() && value.has("ciphertext");
    }

    private static boolean holdsSecret(JsonNode value) {
        if (isSealed(value)) {
            return true;
        }
        if (value.isObject()) {
            var names = value.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (isSecretName(name) || holdsSecret(value.get(name))) {
                    return true;
                }
            }
        }
        if (value.isArray()) {
            for (JsonNode element : value) {
                if (holdsSecret(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String text(JsonNode value) {
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        String text;
        if (value.isValueNode()) {
            text = value.asText();
        } else if (value.isArray() && StreamSupport.stream(value.spliterator(), false).allMatch(JsonNode::isValueNode)) {
            text = StreamSupport.stream(value.spliterator(), false).map(JsonNode::asText)
                    .collect(Collectors.joining(", "));
        } else {
            text = value.toString();
        }
        return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS - 1) + "…";
    }
}
