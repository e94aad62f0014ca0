package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.config.ConfigException;
import io.backuprelay.common.config.ConfigSource;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What may be reached on a tenant's behalf. No case here makes a DNS query or a connection. */
class EndpointPolicyTest {

    private final EndpointPolicy policy = EndpointPolicy.from(new ConfigSource(Map.of(
            "BACKUPRELAY_ALLOWED_ENDPOINTS", "http://127.0.0.1:10000, https://storage.internal:8443")));

    @Test
    void anOriginTheOperatorsListedIsAllowedExactlyAndNothingNextToIt() {
        policy.check("http://127.0.0.1:10000/devstoreaccount1");
        policy.check("https://storage.internal:8443");
        for (String neighbour : List.of("http://127.0.0.1:10001", "https://127.0.0.1:10000", "http://127.0.0.1",
                "http://localhost:10000", "https://storage.internal", "http://storage.internal:8443")) {
            assertThatThrownBy(() -> policy.check(neighbour)).as(neighbour)
                    .isInstanceOf(EndpointPolicy.EndpointRefusedException.class);
        }
    }

    /** What the operators listed is what they may grant: an account uses only the entries granted to it. */
    @Test
    void aListedOriginServesOnlyTheAccountsItWasGrantedTo() {
        EndpointPolicy withSuffix = EndpointPolicy.from(new ConfigSource(Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS",
                "http://127.0.0.1:10000, .blob.storage.example")));

        assertThatThrownBy(() -> policy.check("http://127.0.0.1:10000/devstoreaccount1", List.of()))
                .hasMessageContaining("origin 'http://127.0.0.1:10000' was not granted to this account");
        assertThatThrownBy(() -> policy.checkTarget("http://127.0.0.1:10000", List.of("https://storage.internal:8443")))
                .hasMessageContaining("not granted");
        policy.check("http://127.0.0.1:10000/devstoreaccount1", List.of("HTTP://127.0.0.1:10000"));
        policy.checkTarget("https://storage.internal:8443/x", List.of(policy.grantable("https://STORAGE.internal:8443")));
        assertThatThrownBy(() -> withSuffix.checkTarget("https://acme.blob.storage.example", List.of()))
                .hasMessageContaining("suffix '.blob.storage.example' was not granted");
        withSuffix.checkTarget("https://acme.blob.storage.example", List.of(".blob.storage.example"));
        // Azure's own hosts need no grant: a tenant reaches its own storage account with its own key.
        policy.checkTarget("https://acme.blob.core.windows.net", List.of());
    }

    @Test
    void onlyWhatTheOperatorsListedMayBeGranted() {
        assertThat(policy.grantable(" http://127.0.0.1:10000 ")).isEqualTo("http://127.0.0.1:10000");
        assertThat(policy.grantable("https://storage.internal:8443/")).isEqualTo("https://storage.internal:8443");
        for (String entry : List.of("http://127.0.0.1:10001", "https://acme.blob.core.windows.net", ".blob.core.windows.net",
                "http://169.254.169.254", "not a url", "")) {
            assertThatThrownBy(() -> policy.grantable(entry)).as(entry).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("http://127.0.0.1:10000, https://storage.internal:8443");
        }
    }

    @Test
    void everythingElseMustBeHttpsToAnAzureBlobOrAwsS3Host() {
        assertThatThrownBy(() -> policy.check("http://acme.blob.core.windows.net")).hasMessageContaining("HTTPS");
        assertThatThrownBy(() -> policy.check("http://s3.eu-west-1.amazonaws.com")).hasMessageContaining("HTTPS");
        for (String host : List.of("https://169.254.169.254", "https://10.0.0.5", "https://[fd00::1]",
                "https://evil.example", "https://blob.core.windows.net", "https://acme.blob.core.windows.net.evil.example",
                "https://amazonaws.com", "https://s3.eu-west-1.amazonaws.com.evil.example")) {
            assertThatThrownBy(() -> policy.checkTarget(host)).as(host)
                    .hasMessageContaining("not an Azure Blob Storage or AWS S3 host");
        }
        policy.checkTarget("https://s3.eu-west-1.amazonaws.com");
        policy.checkTargetFor("any account", "https://acme-backups.s3.eu-west-1.amazonaws.com");
        assertThatThrownBy(() -> policy.check("https://u:p@acme.blob.core.windows.net")).hasMessageContaining("credentials");
    }

    @Test
    void onlyPublicAddressesCountAsPublic() throws Exception {
        for (String address : List.of("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
                "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd12:3456::1", "::ffff:10.0.0.1", "198.18.0.1",
                // Azure's WireServer, and private IPv4 addresses in IPv6 forms: NAT64, IPv4-compatible, 6to4
                "168.63.129.16", "64:ff9b::10.0.0.1", "64:ff9b::a9fe:a9fe", "::10.0.0.1", "::127.0.0.1",
                "2002:0a00:0001::1", "2002:a9fe:a9fe::", "64:ff9b:1::1", "2001:0:4136:e378::1", "2001:db8::1")) {
            assertThat(PublicAddresses.isPublic(InetAddress.getByName(address))).as(address).isFalse();
        }
        for (String address : List.of("20.60.40.4", "52.239.1.1", "2603:1000::1", "64:ff9b::20.60.40.4",
                "2002:143c:2804::1")) {
            assertThat(PublicAddresses.isPublic(InetAddress.getByName(address))).as(address).isTrue();
        }
    }

    /**
     * What the storage clients' resolver answers at connection time: a host whose address is not
     * public is refused even when the endpoint passed the check earlier (DNS rebinding); an origin
     * the operators listed resolves. No DNS query: these names are in /etc/hosts or literal.
     */
    @Test
    void theClientsResolverRefusesANonPublicAnswerUnlessTheHostIsListed() throws Exception {
        for (String host : List.of("localhost", "127.0.0.2", "10.1.2.3", "169.254.169.254")) {
            assertThatThrownBy(() -> policy.resolve(host)).as(host)
                    .isInstanceOf(EndpointPolicy.EndpointRefusedException.class).hasMessageContaining("non-public");
        }
        assertThat(policy.resolve("127.0.0.1")).containsExactly(InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void aWrongEntryStopsTheServiceNamingTheVariable() {
        assertThatThrownBy(() -> EndpointPolicy.from(new ConfigSource(Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS", "ftp://x"))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("BACKUPRELAY_ALLOWED_ENDPOINTS");
    }
}
