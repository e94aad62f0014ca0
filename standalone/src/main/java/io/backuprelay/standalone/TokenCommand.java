package io.backuprelay.standalone;

import io.backuprelay.common.config.CommonSettings;
import io.backuprelay.console.ConsoleSettings;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenMinter;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code backuprelay token --account A --role superadmin [--email E] [--locale L] [--subject S] [--hours H]}:
 * a token for the local console, signed with its secret ({@code CONSOLE_JWT_SECRET}, or the one the
 * standalone mode keeps in its data directory). {@code --locale} is the caller's language, in which
 * the emails of the backups they ask for reach them.
 */
final class TokenCommand {

    static final String USAGE = """
            usage: backuprelay token --account A [--role superadmin] [--email E] [--locale L] [--subject S] [--hours H]
                   backuprelay token --role operator [--email E] [--locale L] [--subject S] [--hours H]
              prints a token for the local console (signed with CONSOLE_JWT_SECRET, or the standalone's own secret),
              valid for 12 hours unless --hours says otherwise""";

    private TokenCommand() {
    }

    /** @return the exit code: 0 with the token on {@code out}, 2 for wrong arguments (said on {@code err}) */
    static int run(String[] args, ConfigSource environment, PrintStream out, PrintStream err) throws IOException {
        if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(USAGE);
            return 0;
        }
        String token;
        try {
            token = mint(args, environment);
        } catch (IllegalArgumentException e) {
            err.println("token: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        out.println(token);
        return 0;
    }

    static String mint(String[] args, ConfigSource environment) throws IOException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("'" + args[i] + "' is not an option with its value");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        Role role = Role.parse(options.getOrDefault("role", "superadmin"))
                .orElseThrow(() -> new IllegalArgumentException("--role must be superadmin or operator"));
        String account = options.get("account");
        if (role == Role.SUPERADMIN && account == null) {
            throw new IllegalArgumentException("--account is required for a superadmin token");
        }
        String secret = ConsoleSettings.JWT_SECRET.read(environment);
        if (secret == null) {
            Path dataDir = CommonSettings.DATA_DIR.read(environment).toAbsolutePath();
            secret = Standalone.localSecret(dataDir.resolve("console.secret"));
        }
        String subject = options.getOrDefault("subject", role == Role.OPERATOR ? "operator" : "admin@" + account);
        return new TokenMinter(secret.getBytes(StandardCharsets.UTF_8), ConsoleSettings.JWT_ISSUER.read(environment))
                .mint(subject, options.get("email"), role == Role.OPERATOR ? null : account, role, options.get("locale"),
                        Duration.ofHours(hours(options.getOrDefault("hours", "12"))));
    }

    private static long hours(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--hours must be a whole number of hours, not '" + value + "'");
        }
    }
}
