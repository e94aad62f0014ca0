package io.backuprelay.common.account;

import com.exceptionfactory.jagged.x25519.X25519RecipientStanzaWriterFactory;
import java.security.GeneralSecurityException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The rules a value must pass for the workers to use it, in one place: the console refuses at once,
 * with a 400 naming the field, what a worker would otherwise refuse later, when every backup of the
 * account then fails.
 */
public final class Rules {

    /** An address the notifier mails: no space, comma, semicolon, quote or angle bracket anywhere. */
    private static final Pattern EMAIL = Pattern.compile("[^@\\s<>,;\"]{1,64}@[^@\\s.<>,;\"]+(\\.[^@\\s.<>,;\"]+)+");
    /** A host name or address a dump tool and JDBC receive as it is: never an option ({@code -V}) nor a parameter. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.:-]{0,252}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_$-]{0,62}");

    private Rules() {
    }

    public static boolean isEmail(String value) {
        return value != null && value.length() <= 254 && EMAIL.matcher(value).matches();
    }

    public static boolean isHost(String value) {
        return value != null && HOST.matcher(value).matches();
    }

    /**
     * A database, user or schema name that can go into a dump tool's command, an options file or a
     * JDBC URL as it is: letters, digits, {@code _ $ -}; never a connection string, an option, a path
     * or a line break.
     */
    public static boolean isSafeName(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    /**
     * What is wrong with an age X25519 recipient ({@code age1…}), read as the dump worker's age
     * library reads it (Bech32 with its checksum); empty when it is one.
     */
    public static Optional<String> ageRecipientProblem(String value) {
        if (value == null || !value.startsWith("age1")) {
            return Optional.of("is not an age X25519 public key (age1…)");
        }
        try {
            X25519RecipientStanzaWriterFactory.newRecipientStanzaWriter(value);
            return Optional.empty();
        } catch (GeneralSecurityException | RuntimeException e) {
            return Optional.of("is not an age X25519 public key: its encoding or checksum is wrong");
        }
    }
}
