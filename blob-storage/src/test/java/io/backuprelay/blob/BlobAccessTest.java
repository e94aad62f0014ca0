package io.backuprelay.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.backuprelay.common.account.Connection;
import io.backuprelay.common.account.ConnectionType;
import io.backuprelay.common.config.ConfigSource;
import io.backuprelay.common.secret.SealedSecret;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each service reaches storage under its own policy, whatever another service of the same process
 * allows. Before, the policy was the process's: the last service to start set it for every one.
 * No case here sends a request: a refusal comes before any, and a store is built without one.
 */
class BlobAccessTest {

    private static final String EMULATOR = "http://127.0.0.1:10000";
    private static final BlobCredential KEY = BlobCredential.accountKey(Base64.getEncoder().encodeToString(new byte[64]));

    @Test
    void twoServicesOfOneProcessEachKeepTheirOwnPolicyWhicheverStartedLast() {
        BlobAccess allowing = new BlobAccess(EndpointPolicy.allowing(EMULATOR));
        BlobAccess azureOnly = new BlobAccess(EndpointPolicy.allowing());
        BlobAccess allowingAgain = new BlobAccess(EndpointPolicy.allowing(EMULATOR));

        assertThat(allowing.store(EMULATOR + "/devstoreaccount1", "devstoreaccount1", "backups", KEY)).isNotNull();
        assertThatThrownBy(() -> azureOnly.store(EMULATOR + "/devstoreaccount1", "devstoreaccount1", "backups", KEY))
                .isInstanceOf(EndpointPolicy.EndpointRefusedException.class).hasMessageContaining("must use HTTPS");
        assertThat(allowingAgain.store(EMULATOR + "/devstoreaccount1", "devstoreaccount1", "other", KEY)).isNotNull();
        ConnectionProbe.Result probe = azureOnly.probe(connection("acme", EMULATOR + "/devstoreaccount1"), KEY);
        assertThat(probe.ok()).isFalse();
        assertThat(probe.reason()).contains("is not allowed").contains("must use HTTPS");
    }

    @Test
    void aStoreBuiltUnderOnePolicyIsNotHandedOutUnderAnother() {
        BlobAccess allowing = new BlobAccess(EndpointPolicy.allowing(EMULATOR));
        BlobStore built = allowing.store(EMULATOR + "/devstoreaccount1", "devstoreaccount1", "backups", KEY);
        BlobAccess azureOnly = new BlobAccess(EndpointPolicy.allowing());

        assertThat(allowing.store(EMULATOR + "/devstoreaccount1", "devstoreaccount1", "backups", KEY)).isSameAs(built);
        assertThatThrownBy(() -> azureOnly.store(EMULATOR + "/devstoreaccount1", "devstoreaccount1", "backups", KEY))
                .isInstanceOf(EndpointPolicy.EndpointRefusedException.class);
    }

    @Test
    void theGrantsAreThoseOfTheServicesOwnViewOfTheAccounts() {
        EndpointPolicy listed = EndpointPolicy.from(new ConfigSource(Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS", EMULATOR)));
        BlobAccess granting = new BlobAccess(listed.withGrants(id -> id.equals("acme") ? List.of(EMULATOR) : List.of()));
        BlobAccess withoutGrants = new BlobAccess(listed);
        Connection acme = connection("acme", EMULATOR + "/devstoreaccount1");
        Connection initech = connection("initech", EMULATOR + "/devstoreaccount1");

        assertThat(granting.store(acme, KEY)).isNotNull();
        assertThatThrownBy(() -> granting.store(initech, KEY)).hasMessageContaining("was not granted to this account");
        assertThatThrownBy(() -> withoutGrants.store(acme, KEY)).hasMessageContaining("was not granted to this account");
        assertThat(granting.policy()).isNotSameAs(listed);
    }

    @Test
    void anOriginAllowedForATestNeedsNoGrantButAnOperatorsEntryStillDoes() {
        EndpointPolicy listed = EndpointPolicy.from(new ConfigSource(Map.of("BACKUPRELAY_ALLOWED_ENDPOINTS",
                "https://storage.internal:8443"))).withGrants(id -> List.of());
        BlobAccess access = new BlobAccess(listed.alsoAllowing(EMULATOR));

        assertThat(access.store(connection("acme", EMULATOR + "/devstoreaccount1"), KEY)).isNotNull();
        assertThatThrownBy(() -> access.store(connection("acme", "https://storage.internal:8443/x"), KEY))
                .hasMessageContaining("was not granted to this account");
        assertThat(access.policy().grantNeeded(EMULATOR)).isEmpty();
        assertThat(access.policy().grantNeeded("https://storage.internal:8443")).contains("https://storage.internal:8443");
    }

    /** Before: tests widened every policy of the JVM through the system property {@code backuprelay.allowedEndpoints}. */
    @Test
    void nothingOfTheProcessWidensAPolicy() {
        System.setProperty("backuprelay.allowedEndpoints", EMULATOR);
        try {
            assertThatThrownBy(() -> EndpointPolicy.allowing().checkTarget(EMULATOR))
                    .isInstanceOf(EndpointPolicy.EndpointRefusedException.class);
            assertThatThrownBy(() -> new BlobAccess(EndpointPolicy.allowing()).store(EMULATOR, "a", "b", KEY))
                    .isInstanceOf(EndpointPolicy.EndpointRefusedException.class);
        } finally {
            System.clearProperty("backuprelay.allowedEndpoints");
        }
        for (Class<?> type : List.of(EndpointPolicy.class, BlobAccess.class, BlobContainers.class, BlobStore.class,
                CheckedResolverGroup.class, ConnectionProbe.class)) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers())) {
                    assertThat(Modifier.isFinal(field.getModifiers())).as(type.getSimpleName() + "." + field.getName())
                            .isTrue();
                    assertThat(field.getType()).as(type.getSimpleName() + "." + field.getName() + " holds no state")
                            .isIn(String.class, int.class, List.class);
                }
            }
        }
    }

    private static Connection connection(String accountId, String endpoint) {
        return new Connection(accountId, "main", ConnectionType.AZURE_BLOB, "Main", "devstoreaccount1", "backups", "",
                new SealedSecret("k1", "unused"), true, endpoint, null, null, null, null);
    }
}
