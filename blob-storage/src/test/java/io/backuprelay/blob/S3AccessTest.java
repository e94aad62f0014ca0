package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.account.S3Options;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.secret.SealedSecret;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * S3 connections are reached under the same endpoint policy as Azure's: the endpoint is checked when the store is
 * handed out, and every address the HTTP client would connect to is checked by the policy's resolver first.
 */
class S3AccessTest {

    private static final String SECRET = "s3-secret-access-key-that-must-never-leak-42";
    private static final BlobCredential KEY = BlobCredential.accountKey(SECRET);

    /**
     * An operator's suffix matches the host, so the endpoint passes the check made without a lookup; its address
     * is loopback, so the client's resolver refuses it, and the listening socket never sees a connection.
     */
    @Test
    void aHostResolvingToAPrivateAddressIsRefusedBeforeAnyConnection() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            server.configureBlocking(false);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            EndpointPolicy policy = EndpointPolicy.from(new ConfigSource(Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS",
                    ".0.0.1"))).withGrants(id -> List.of(".0.0.1"));
            BlobAccess access = new BlobAccess(policy);
            Connection connection = connection("https://127.0.0.1:" + port);

            BlobStore store = access.store(connection, KEY);
            assertThat(store).isInstanceOf(S3Store.class);
            assertThatThrownBy(() -> store.find("backups/Ünïcode \"Acme\" Corp/x.dump.zst"))
                    .isInstanceOf(EndpointPolicy.EndpointRefusedException.class).hasMessageContaining("non-public address");
            assertThatThrownBy(() -> store.put("backups/x.dump.zst", new ByteArrayInputStream(new byte[10]), 10,
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(new byte[10])), Map.of(), Optional.empty()))
                    .isInstanceOfSatisfying(BlobTransferException.class, e -> {
                        assertThat(e.isTransient()).isFalse();
                        assertThat(e.getMessage()).contains("not allowed").contains("non-public").doesNotContain(SECRET);
                    });
            ConnectionProbe.Result probe = access.probe(connection, KEY);
            assertThat(probe.ok()).isFalse();
            assertThat(probe.reason()).contains("not allowed").doesNotContain(SECRET);

            assertThat(server.accept()).as("a connection reached the listening socket").isNull();
        }
    }

    @Test
    void anS3EndpointOutsideThePolicyIsRefusedWhenTheStoreIsHandedOutAndAwssOwnHostsNeedNoEntry() {
        BlobAccess cloudsOnly = new BlobAccess(EndpointPolicy.allowing());

        assertThatThrownBy(() -> cloudsOnly.store(connection("http://127.0.0.1:9"), KEY))
                .isInstanceOf(EndpointPolicy.EndpointRefusedException.class).hasMessageContaining("must use HTTPS");
        assertThatThrownBy(() -> cloudsOnly.store(connection("https://minio.tenant.example"), KEY))
                .isInstanceOf(EndpointPolicy.EndpointRefusedException.class).hasMessageContaining("minio.tenant.example");
        // The default endpoint, https://s3.eu-west-1.amazonaws.com: a store is handed out (no request is made here).
        assertThat(cloudsOnly.store(connection(null), KEY)).isInstanceOf(S3Store.class);
    }

    @Test
    void theClientsKeyNeverShowsTheSecret() {
        S3Clients.Key key = new S3Clients.Key("https://s3.eu-west-1.amazonaws.com", "eu-west-1", "AKIAEXAMPLE", SECRET,
                false, false);

        assertThat(key.toString()).contains("AKIAEXAMPLE").doesNotContain(SECRET);
    }

    private static Connection connection(String endpoint) {
        return new Connection("acme", "s3", ConnectionType.S3, "Acme's bucket", null, "acme-backups",
                "backups/Ünïcode \"Acme\" Corp", new SealedSecret("k1", "x"), true, endpoint, null, null,
                new S3Options("eu-west-1", "AKIAEXAMPLE", true), null);
    }
}
