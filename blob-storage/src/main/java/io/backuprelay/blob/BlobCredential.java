package io.backuprelay.blob;

import io.backuprelay.common.account.Connection;
import io.backuprelay.common.secret.SecretContext;
import io.backuprelay.common.secret.SecretSealer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * How a connection signs in to Azure: the storage account's access key (the product's form), or a
 * container-scoped SAS token. Opened from the sealed form only where a request is made.
 */
public record BlobCredential(String accountKey, String sasToken) {

    public static BlobCredential of(Connection connection, SecretSealer sealer) {
        return connection.sasToken() != null
                ? new BlobCredential(null, sealer.open(connection.sasToken(),
                        connection.sasTokenContext()))
                : new BlobCredential(sealer.open(connection.accessKey(),
                        connection.accessKeyContext()), null);
    }

    public static BlobCredential accountKey(String key) {
        return new BlobCredential(key, null);
    }

    public static BlobCredential sas(String token) {
        return new BlobCredential(null, token);
    }

    /** When a SAS token stops working ({@code se=}), if this is one. */
    public Optional<Instant> sasExpiry() {
        return expiryOf(sasToken);
    }

    public static Optional<Instant> expiryOf(String sasToken) {
        return sasParameter(sasToken, "se").flatMap(value -> {
            try {
                return Optional.of(Instant.parse(value));
            } catch (DateTimeParseException e) {
                try {
                    return Optional.of(Instant.parse(value + "T00:00:00Z"));
                } catch (DateTimeParseException ignored) {
                    return Optional.empty();
                }
            }
        });
    }

    /** One parameter of a SAS token ({@code se}, {@code sp}, …), decoded; empty when it has none. */
    static Optional<String> sasParameter(String token, String parameter) {
        if (token == null) {
            return Optional.empty();
        }
        for (String part : token.replaceFirst("^\\?", "").split("&")) {
            if (part.startsWith(parameter + "=")) {
                return Optional.of(URLDecoder.decode(part.substring(parameter.length() + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return sasToken != null ? "BlobCredential[SAS token]" : "BlobCredential[access key]";
    }
}
