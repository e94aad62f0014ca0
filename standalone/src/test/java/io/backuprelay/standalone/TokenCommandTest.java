package io.backuprelay.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.console.auth.Principal;
import io.backuprelay.console.auth.Role;
import io.backuprelay.console.auth.TokenVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TokenCommandTest {

    private static final String SECRET = "token-command-test-secret-0123456789";

    @Test
    void mintsASuperadminTokenWithTheCallersEmailAndLanguage() throws Exception {
        String token = TokenCommand.mint(new String[] {"--account", "acme", "--role", "superadmin", "--email",
                "ana@acme.example", "--locale", "es"}, new ConfigSource(Map.of("CONSOLE_JWT_SECRET", SECRET)));

        Principal principal = TokenVerifier.hmac(SECRET.getBytes(StandardCharsets.UTF_8), null, Duration.ofHours(12))
                .verify(token);

        assertThat(principal).isEqualTo(new Principal("admin@acme", "ana@acme.example", "acme", Role.SUPERADMIN, "es"));
    }
}
