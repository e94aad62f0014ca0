package io.backuprelay.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.blob.EndpointPolicy;
import io.backuprelay.blob.EndpointPolicy.EndpointRefusedException;
import io.backuprelay.common.config.ConfigSource;
import java.net.InetAddress;
import java.nio.channels.ServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The outbound rule of a channel's URL: refused before any connection. */
class HookTargetsTest {

    private static final String ACCOUNT = "Compañía Ñandú 7";
    private final EndpointPolicy policy = EndpointPolicy.allowing("http://127.0.0.1:18080");

    @Test
    void plainHttpToAnOriginNoOperatorListedIsRefused() {
        assertThatThrownBy(() -> HookTargets.check(policy, ACCOUNT, "http://127.0.0.1:18081/in"))
                .isInstanceOf(EndpointRefusedException.class).hasMessageContaining("HTTPS");
        assertThatThrownBy(() -> HookTargets.check(policy, ACCOUNT, "http://hooks.example/in"))
                .isInstanceOf(EndpointRefusedException.class).hasMessageContaining("HTTPS");
    }

    @Test
    void privateLoopbackAndLinkLocalAddressesAreRefusedOverHttpsToo() {
        for (String url : List.of("https://10.0.0.1/hook", "https://[::1]/hook", "https://192.168.1.20/hook",
                "https://169.254.169.254/latest/meta-data", "https://[fd00::1]/hook", "https://127.0.0.1:18080/hook")) {
            assertThatThrownBy(() -> HookTargets.check(policy, ACCOUNT, url)).as(url)
                    .isInstanceOf(EndpointRefusedException.class).hasMessageContaining("non-public address");
        }
    }

    @Test
    void credentialsInTheUrlAreRefused() {
        assertThatThrownBy(() -> HookTargets.check(policy, ACCOUNT, "https://user:pw@203.0.113.9/hook"))
                .isInstanceOf(EndpointRefusedException.class).hasMessageContaining("credentials");
    }

    @Test
    void anOriginAllowedWithoutAGrantPassesAndAPublicHttpsAddressPasses() {
        assertThatCode(() -> HookTargets.check(policy, ACCOUNT, "http://127.0.0.1:18080/hook")).doesNotThrowAnyException();
        // A public address as a literal: no DNS lookup, no connection.
        assertThatCode(() -> HookTargets.check(policy, ACCOUNT, "https://8.8.8.8/hook")).doesNotThrowAnyException();
    }

    @Test
    void anOriginTheOperatorsListedNeedsTheAccountsGrant() {
        EndpointPolicy listed = EndpointPolicy.from(new ConfigSource(Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS",
                "http://127.0.0.1:18090")));
        EndpointPolicy granted = listed.withGrants(account -> account.equals(ACCOUNT) ? List.of("http://127.0.0.1:18090")
                : List.of());
        assertThatCode(() -> HookTargets.check(granted, ACCOUNT, "http://127.0.0.1:18090/in")).doesNotThrowAnyException();
        assertThatThrownBy(() -> HookTargets.check(granted, "another account", "http://127.0.0.1:18090/in"))
                .isInstanceOf(EndpointRefusedException.class).hasMessageContaining("not granted");
    }

    @Test
    void theOriginIsSchemeHostAndPortWithoutThePath() {
        assertThat(HookTargets.origin("https://Hooks.Slack.com/services/T0/B0/secret")).isEqualTo("https://hooks.slack.com");
        assertThat(HookTargets.origin("http://127.0.0.1:8080/x?y=1")).isEqualTo("http://127.0.0.1:8080");
    }

    @Test
    void aNameThatResolvesToLoopbackIsRefusedBeforeAnyConnection() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             HookSender sender = new HookSender(policy, Duration.ofSeconds(2))) {
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (String url : List.of("https://localhost:" + port + "/hook", "http://localhost:" + port + "/hook",
                    "https://127.0.0.1:" + port + "/hook")) {
                HookAnswer answer = sender.send(ACCOUNT, new HookRequest(url, Map.of(), "{}".getBytes()));
                assertThat(answer.delivered()).isFalse();
                assertThat(answer.refused()).as(url).isTrue();
                assertThat(answer.status()).isZero();
            }
            // Each send returned its refusal: a connection made to decide would be waiting here now.
            assertThat(server.accept()).as("a connection reached the listening socket").isNull();
        }
    }
}
