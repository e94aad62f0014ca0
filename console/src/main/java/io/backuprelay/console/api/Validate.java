package io.backuprelay.console.api;

import io.backuprelay.common.account.Rules;
import io.backuprelay.common.account.SourceDatabase;
import java.net.URI;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Checks of user-supplied fields; each failure is a 400 that names the field and what is wrong. */
public final class Validate {

    public static final Set<String> LANGUAGES = Set.of("en", "es", "fr", "pt");
    private static final Pattern STORAGE_ACCOUNT = Pattern.compile("[a-z0-9]{3,24}");
    private static final Pattern CONTAINER = Pattern.compile("(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*");
    private static final Pattern LOCALE = Pattern.compile("([a-z]{2})(?:[-_][A-Z]{2})?");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private Validate() {
    }

    public static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ApiException.invalid(field, "is required");
        }
        return value.strip();
    }

    public static <T> T required(String field, T value) {
        if (value == null) {
            throw ApiException.invalid(field, "is required");
        }
        return value;
    }

    /**
     * A line of text that reaches an email header, a page or a log: at most {@code max} characters
     * and no control character (a CR/LF would start another header).
     */
    public static String text(String field, String value, int max) {
        maxLength(field, value, max);
        // C0 and C1 controls (NEL, U+0085, is a line break too), and the Unicode line and paragraph separators.
        if (value != null && value.chars().anyMatch(c -> c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029)) {
            throw ApiException.invalid(field, "must not contain control characters such as line breaks");
        }
        return value;
    }

    public static String maxLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            throw ApiException.invalid(field, "must be at most " + max + " characters, is " + value.length());
        }
        return value;
    }

    public static String storageAccountName(String field, String value) {
        if (!STORAGE_ACCOUNT.matcher(required(field, value)).matches()) {
            throw ApiException.invalid(field, "must be 3 to 24 lowercase letters and digits, is '" + value + "'");
        }
        return value;
    }

    public static String containerName(String field, String value) {
        if (!CONTAINER.matcher(required(field, value)).matches()) {
            throw ApiException.invalid(field, "must be 3 to 63 characters of lowercase letters, digits and single"
                    + " hyphens, starting and ending with a letter or digit; is '" + value + "'");
        }
        return value;
    }

    public static String blobPath(String field, String value) {
        if (value == null || value.isEmpty()) {
            return "";
        }
        maxLength(field, value, 1024);
        if (value.startsWith("/")) {
            throw ApiException.invalid(field, "must not start with '/'");
        }
        for (String segment : value.split("/", -1)) {
            if (segment.equals("..") || segment.equals(".")) {
                throw ApiException.invalid(field, "must not contain a '" + segment + "' segment");
            }
        }
        if (value.chars().anyMatch(c -> c < 0x20 || c == '\\')) {
            throw ApiException.invalid(field, "must not contain control characters or backslashes");
        }
        return value;
    }

    /** Whether the value is one plain email address (as the lists of addresses must hold). */
    public static boolean isEmail(String value) {
        return Rules.isEmail(value);
    }

    public static List<String> emails(String field, List<String> values, boolean atLeastOne) {
        if (values == null || values.isEmpty()) {
            if (atLeastOne) {
                throw ApiException.invalid(field, "must list at least one email address");
            }
            return List.of();
        }
        if (values.size() > 50) {
            throw ApiException.invalid(field, "must list at most 50 addresses");
        }
        for (int i = 0; i < values.size(); i++) {
            String email = values.get(i);
            if (!isEmail(email)) {
                throw ApiException.invalid(field + "[" + i + "]", "is not an email address: '" + email + "'");
            }
        }
        return List.copyOf(values);
    }

    public static String locale(String field, String value) {
        if (value == null) {
            return "en";
        }
        var match = LOCALE.matcher(value);
        if (!match.matches() || !LANGUAGES.contains(match.group(1))) {
            throw ApiException.invalid(field, "must be one of en, es, fr, pt (optionally with a region, e.g. pt-BR), is '"
                    + value + "'");
        }
        return value;
    }

    public static String timeZone(String field, String value) {
        if (value == null) {
            return "UTC";
        }
        try {
            return ZoneId.of(value).getId();
        } catch (DateTimeException e) {
            throw ApiException.invalid(field, "is not a time zone (use an IANA name such as Europe/Madrid), is '"
                    + value + "'");
        }
    }

    public static int port(String field, Integer value) {
        if (value == null || value < 1 || value > 65535) {
            throw ApiException.invalid(field, "must be a port between 1 and 65535");
        }
        return value;
    }

    public static String host(String field, String value) {
        if (!Rules.isHost(required(field, value))) {
            throw ApiException.invalid(field, "is not a host name or address: '" + value + "'");
        }
        return value;
    }

    /**
     * A database or user name as the dump tools and JDBC receive it: letters, digits, {@code _ $ -},
     * so that it can never carry a connection string ({@code host=…}), an option, a path or a line
     * break into a command or an options file.
     */
    public static String databaseName(String field, String value) {
        if (!SourceDatabase.isSafeName(value)) {
            throw ApiException.invalid(field, "must be 1 to 63 letters, digits, '_', '$' or '-', starting with a letter,"
                    + " digit or '_'");
        }
        return value;
    }

    public static String identifier(String field, String value) {
        if (value == null || !IDENTIFIER.matcher(value).matches()) {
            throw ApiException.invalid(field, "must be 1 to 64 letters, digits, '.', '_' or '-', starting with a letter"
                    + " or digit");
        }
        return value;
    }

    public static List<String> ageRecipients(String field, List<String> values) {
        if (values == null) {
            return List.of();
        }
        for (int i = 0; i < values.size(); i++) {
            var problem = Rules.ageRecipientProblem(values.get(i));
            if (problem.isPresent()) {
                throw ApiException.invalid(field + "[" + i + "]", problem.get());
            }
        }
        return List.copyOf(values);
    }

    public static Integer range(String field, Integer value, int min, int max) {
        if (value != null && (value < min || value > max)) {
            throw ApiException.invalid(field, "must be between " + min + " and " + max + ", is " + value);
        }
        return value;
    }

    public static String endpoint(String field, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        maxLength(field, value, 2048);
        try {
            var uri = URI.create(value);
            if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
                throw ApiException.invalid(field, "must be an http(s) URL such as https://acme.blob.core.windows.net");
            }
            if (uri.getUserInfo() != null || uri.getQuery() != null) {
                throw ApiException.invalid(field, "must not carry credentials or a query");
            }
            return value;
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(field, "is not a URL");
        }
    }
}
