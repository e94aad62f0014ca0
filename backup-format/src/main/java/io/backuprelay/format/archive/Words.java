package io.backuprelay.format.archive;

import io.backuprelay.format.BackupFormatException;
import java.util.Arrays;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Reads a format word back into its enum, naming the bad value and the good ones when it is not one of them. */
final class Words {

    private Words() {
    }

    static <E extends Enum<E>> E parse(Class<E> type, String what, String word, Function<E, String> label) {
        for (E value : type.getEnumConstants()) {
            if (label.apply(value).equals(word)) {
                return value;
            }
        }
        throw new BackupFormatException("Unknown " + what + " '" + word + "': this version knows "
                + Arrays.stream(type.getEnumConstants()).map(label).collect(Collectors.joining(", ")));
    }
}
